from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "shouhu.visits"
    verbose_name = _("走访与排查")
