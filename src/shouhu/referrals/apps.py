from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "shouhu.referrals"
    verbose_name = _("社会组织与转介")
