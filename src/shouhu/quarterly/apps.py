from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuarterlyConfig(AppConfig):
    name = "shouhu.quarterly"
    verbose_name = _("季度报告")
    default_auto_field = "django.db.models.BigAutoField"
