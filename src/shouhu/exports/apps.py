from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "shouhu.exports"
    verbose_name = _("导出")
    default_auto_field = "django.db.models.BigAutoField"
