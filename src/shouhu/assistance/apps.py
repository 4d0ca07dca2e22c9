from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "shouhu.assistance"
    verbose_name = _("救助帮扶")
