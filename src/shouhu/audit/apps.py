from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "shouhu.audit"
    verbose_name = _("访问日志")

    def ready(self):
        # django.contrib.admin comes first in INSTALLED_APPS: every admin module is registered by now.
        from .admin import log_admin_reads

        log_admin_reads()
