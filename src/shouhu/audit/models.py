"""The access log: who opened which child's file, list or search, when and from where."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    VIEW = "view", _("查看档案")
    LIST = "list", _("浏览列表")
    SEARCH = "search", _("搜索")
    PHOTO = "photo", _("查看照片")
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    EXPORT = "export", _("导出")
    PURGE = "purge", _("清理过期日志")
    ARCHIVE = "archive", _("档案归档")
    ANONYMISE = "anonymise", _("匿名化")
    BREAK_GLASS = "break_glass", _("紧急调阅档案")
    ROTATE_KEY = "rotate_key", _("更换字段密钥")


class Channel(models.TextChoices):
    WEB = "web", _("网页")
    API = "api", _("接口")
    JOB = "job", _("后台任务")


class AccessLog(models.Model):
    """Append-only: on PostgreSQL a trigger (migration 0002) refuses UPDATE and DELETE except inside
    ``retention.retention_switch`` (the purge and anonymisation commands)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField(_("用户名"), max_length=150)
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    # Not a foreign key: the log outlives the records it names.
    child_id = models.UUIDField(_("儿童"), null=True, blank=True, db_index=True)
    region_code = models.CharField(_("区划"), max_length=12, blank=True, db_index=True)
    channel = models.CharField(_("途径"), max_length=10, choices=Channel.choices)
    path = models.CharField(_("地址"), max_length=500)
    query = models.CharField(_("查询条件"), max_length=500, blank=True)
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("访问日志")
        verbose_name_plural = _("访问日志")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action}"
