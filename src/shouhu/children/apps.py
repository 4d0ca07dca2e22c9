from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChildrenConfig(AppConfig):
    name = "shouhu.children"
    verbose_name = _("儿童基本信息")
