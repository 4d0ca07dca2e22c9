from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrosschecksConfig(AppConfig):
    name = "shouhu.crosschecks"
    verbose_name = _("名单比对")
    default_auto_field = "django.db.models.BigAutoField"
