from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "shouhu.accounts"
    verbose_name = _("用户与机构")

    def ready(self) -> None:
        from . import sessions, signals  # noqa: F401

        # Each app declares the policies of its scoped models in its permissions.py.
        autodiscover_modules("permissions")
