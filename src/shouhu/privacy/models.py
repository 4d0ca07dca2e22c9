"""Why the county holds each child's data, the guardian's requests about it, and the file's archiving.

PIPL art. 13, 28, 31 and the CAC Provisions on Children's Personal Information Online (2019): the data of
a child under 14 is sensitive personal information, held either under a statutory duty (the civil-affairs
casework of 民发〔2019〕34号) or with the guardian's consent; the guardian may ask to see or correct it;
it is kept no longer than necessary. See docs/security.md.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Basis(models.TextChoices):
    STATUTORY = "statutory", _("法定职责")
    CONSENT = "consent", _("监护人同意")


class DataBasis(models.Model):
    """The basis for holding one child's data, and the photo consent (one per child)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.OneToOneField(
        "children.Child", verbose_name=_("儿童"), on_delete=models.CASCADE, related_name="data_basis"
    )
    basis = models.CharField(_("处理依据"), max_length=20, choices=Basis.choices, default=Basis.STATUTORY)
    consent_on = models.DateField(_("同意日期"), null=True, blank=True)
    consent_by = models.CharField(_("同意人"), max_length=50, blank=True)
    consent_relation = models.CharField(_("同意人与儿童关系"), max_length=30, blank=True)
    scope = models.CharField(_("同意范围"), max_length=300, blank=True)
    photo_consent = models.BooleanField(_("同意采集和使用照片"), default=False)
    photo_consent_on = models.DateField(_("照片同意日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("个人信息处理依据")
        verbose_name_plural = _("个人信息处理依据")

    def __str__(self) -> str:
        return f"{self.child_id} {self.get_basis_display()}"


class RequestKind(models.TextChoices):
    SEE = "see", _("查阅")
    CORRECT = "correct", _("更正")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")


class GuardianRequest(models.Model):
    """A guardian's request to see or correct the child's data: answered within 15 days."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(
        "children.Child", verbose_name=_("儿童"), on_delete=models.CASCADE, related_name="guardian_requests"
    )
    region_code = models.CharField(max_length=12, editable=False)
    kind = models.CharField(_("请求类型"), max_length=10, choices=RequestKind.choices)
    requester = models.CharField(_("请求人"), max_length=50)
    relation = models.CharField(_("请求人与儿童关系"), max_length=30)
    received_on = models.DateField(_("收到日期"))
    details = models.TextField(_("请求内容"), max_length=2000, blank=True)
    due_on = models.DateField(_("答复期限"))
    status = models.CharField(
        _("状态"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    answer = models.TextField(_("答复内容"), max_length=2000, blank=True)
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    work_item = models.OneToOneField(
        "escalation.WorkItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("监护人查阅更正请求")
        verbose_name_plural = _("监护人查阅更正请求")
        ordering = ["-received_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.received_on}"


class ArchiveReason(models.TextChoices):
    AGED_OUT = "aged_out", _("年满18周岁")
    EXITED = "exited", _("退出登记")


class Archive(models.Model):
    """A child's file archived: out of the work lists; anonymised after the retention period."""

    child = models.OneToOneField(
        "children.Child", verbose_name=_("儿童"), on_delete=models.CASCADE, related_name="archive"
    )
    archived_at = models.DateTimeField(_("归档时间"), default=timezone.now, db_index=True)
    reason = models.CharField(_("归档原因"), max_length=20, choices=ArchiveReason.choices)
    # The exit this archive is for: a child who comes back and leaves again is archived anew.
    exited_on = models.DateField(_("退出时间"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("匿名化时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("档案归档")
        verbose_name_plural = _("档案归档")

    def __str__(self) -> str:
        return f"{self.child_id} {self.archived_at:%Y-%m-%d}"
