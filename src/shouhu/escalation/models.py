"""Deadlines and escalation: any piece of work with a responsible person and a due time.

A due visit, an alert, a report or a case task is a ``WorkItem``. When it is missed it moves up the
tiers — village → township → county (→ civil-affairs bureau) — at times fixed when the item is made
(``township_at``, ``county_at``, ``bureau_at``), so the hourly job is one set-based update and each
step notifies exactly once.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Tier(models.IntegerChoices):
    VILLAGE = 0, _("村级")
    TOWNSHIP = 1, _("乡镇级")
    COUNTY = 2, _("县级")
    BUREAU = 3, _("民政局")


class Status(models.TextChoices):
    OPEN = "open", _("待办")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class WorkItem(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # What the item is for, in a form that makes re-running a job harmless: one key, one item.
    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("类型"), max_length=30, db_index=True)
    title = models.CharField(_("事项"), max_length=200)
    # The title as a code and its parameters (``texts``), put into words in the reader's language.
    code = models.CharField(max_length=40, blank=True, default="", db_default="")
    params = models.JSONField(null=True, blank=True, default=dict)
    child = models.ForeignKey(
        "children.Child",
        verbose_name=_("儿童"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="work_items",
    )
    region_code = models.CharField(_("区划代码"), max_length=12)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_items",
    )
    period_start = models.DateField(_("周期开始"), null=True, blank=True)
    period_end = models.DateField(_("周期结束"), null=True, blank=True)
    due_at = models.DateTimeField(_("截止时间"), db_index=True)
    township_at = models.DateTimeField(_("上报乡镇时间"))
    county_at = models.DateTimeField(_("上报县级时间"))
    # Alerts, reports and case tasks climb one step further, to the civil-affairs bureau; visits stop
    # at the county (None).
    bureau_at = models.DateTimeField(_("上报民政局时间"), null=True, blank=True)
    tier = models.PositiveSmallIntegerField(_("当前层级"), choices=Tier.choices, default=Tier.VILLAGE)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    # Why the system cancelled the item, as a code and its parameters (``texts``); a person's note (a
    # case task done) has no code and is shown as typed.
    note_code = models.CharField(max_length=40, blank=True, default="", db_default="")
    note_params = models.JSONField(null=True, blank=True, default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["responsible", "status", "due_at"]),
            # A territory's open work by deadline: equality, then the region range, then the order.
            models.Index(fields=["status", "region_code", "due_at"], name="workitem_status_region_due"),
            models.Index(fields=["status", "tier", "township_at"]),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The title in the active language (the stored words for a row without a code)."""
        from .texts import render

        return render(self.code, self.params, self.title)

    @property
    def note_text(self) -> str:
        """The note in the active language: the system's words translated, a person's as typed."""
        from .texts import render

        return render(self.note_code, self.note_params, self.note)

    def is_overdue(self, now=None) -> bool:
        return self.status == Status.OPEN and self.due_at < (now or timezone.now())


class Channel(models.TextChoices):
    IN_APP = "in_app", _("站内通知")
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信/微信")


class Delivery(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class NoticeKind(models.TextChoices):
    NOTICE = "notice", _("督办通知")
    UNDELIVERED = "undelivered", _("通知未送达")
    DIGEST = "digest", _("每日汇总")


class Notification(models.Model):
    """One message to one person about one step of one item; unique, so a re-run never resends.

    The table is the outbox: a row is written in the transaction that records what it is about, and
    delivered after commit (``services.deliver``), retried with back-off until it is sent or has used
    its attempts; then it is ``FAILED`` and the failure itself is told, in the app, one tier up.
    A daily digest has no item: it is unique per person, channel and day.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    item = models.ForeignKey(
        WorkItem, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=12, choices=NoticeKind.choices, default=NoticeKind.NOTICE)
    on = models.DateField(null=True, blank=True)  # a digest's day
    tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    message = models.CharField(_("内容"), max_length=500)
    code = models.CharField(max_length=40, blank=True, default="", db_default="")
    params = models.JSONField(null=True, blank=True, default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        _("送达状态"), max_length=10, choices=Delivery.choices, default=Delivery.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    # A pending row is sent at or after this time; a sender holds a row by moving it a lease ahead.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(_("最近一次失败原因"), max_length=300, blank=True)
    # The failure as a code and its parameters (``texts``: ``delivery.*``), shown in the reader's language.
    error_code = models.CharField(max_length=40, blank=True, default="", db_default="")
    error_params = models.JSONField(null=True, blank=True, default=dict)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["item", "user", "tier", "channel", "kind"], name="notify_once"),
            models.UniqueConstraint(
                fields=["user", "channel", "on"], condition=models.Q(kind="digest"), name="digest_once_a_day"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=models.Q(status="pending"), name="notification_outbox"
            ),
            models.Index(fields=["user", "channel", "read_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The message in the active language; a notice about an item names the item in it too."""
        from .texts import render

        params = dict(self.params or {})
        if self.code in ("notice.due", "notice.overdue") and self.item_id is not None:
            params["title"] = self.item.text
        return render(self.code, params, self.message)

    @property
    def error(self) -> str:
        """Why the last attempt failed, in the active language (a row written before the codes: its
        stored words)."""
        from .texts import render

        return render(self.error_code, self.error_params, self.last_error)
