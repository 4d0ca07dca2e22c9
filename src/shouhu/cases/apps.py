from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "shouhu.cases"
    verbose_name = _("发现报告与个案")
