from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "shouhu.accounts"
    verbose_name = _("用户与机构")

    def ready(self) -> None:
        from . import sessions, signals  # noqa: F401
