from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationConfig(AppConfig):
    name = "shouhu.escalation"
    verbose_name = _("督办与逐级上报")
