from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "shouhu.audit"
    verbose_name = _("访问日志")
