from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "shouhu.regions"
    verbose_name = _("行政区划")

    def ready(self) -> None:
        from . import lookups  # noqa: F401 - registers ``__within`` on CharField
