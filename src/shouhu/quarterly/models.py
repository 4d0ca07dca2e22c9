"""Quarterly reports (季度报告) of a township or a county: each generation a kept version with its files,
and the township's submission of a version to the county (submitted → returned with a comment →
submitted again → acknowledged)."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouhu.regions.codes import is_township


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已生成")
    FAILED = "failed", _("生成失败")


class Submission(models.TextChoices):
    DRAFT = "draft", _("未报送")
    SUBMITTED = "submitted", _("已报送")
    RETURNED = "returned", _("已退回")
    ACKNOWLEDGED = "acknowledged", _("已确认")


def report_path(instance, filename: str) -> str:
    """Kept under MEDIA_ROOT (private: never served directly, only through the download view)."""
    return f"quarterly/{instance.region_code}/{instance.year}Q{instance.quarter}/{instance.pk}/{filename}"


class QuarterlyReport(models.Model):
    """One generated version of a region's report for a quarter.

    A township's report is kept in two forms: ``pdf``/``xlsx`` name its children (for the township
    itself), ``pdf_public``/``xlsx_public`` do not (for readers above the township). A county's report
    has only the second form.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("报告区域"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(max_length=12, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(
        _("季度"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    language = models.CharField(_("语言"), max_length=10, default="zh-hans")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("生成人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请生成时间"), default=timezone.now)

    job_status = models.CharField(
        _("生成状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    error = models.CharField(_("失败原因"), max_length=500, blank=True)
    finished_at = models.DateTimeField(_("生成完成时间"), null=True, blank=True)
    # The background step (``shouhu.jobs``): when its task was sent, the last sign of life of the
    # worker generating it (null: not claimed yet), how many times the watchdog sent it again.
    queued_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    pdf = models.FileField(upload_to=report_path, max_length=300, blank=True)
    xlsx = models.FileField(upload_to=report_path, max_length=300, blank=True)
    pdf_public = models.FileField(upload_to=report_path, max_length=300, blank=True)
    xlsx_public = models.FileField(upload_to=report_path, max_length=300, blank=True)
    # The headline figures as generated, for lists and the API (the files hold everything).
    figures = models.JSONField(_("主要数字"), default=dict, blank=True)

    status = models.CharField(
        _("报送状态"), max_length=15, choices=Submission.choices, default=Submission.DRAFT
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    comment = models.CharField(_("县级意见"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("季度报告")
        verbose_name_plural = _("季度报告")
        ordering = ["-year", "-quarter", "region_code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "quarter", "version"], name="one_quarterly_version"
            ),
        ]
        indexes = [
            models.Index(fields=["region_code"], name="quarterly_region_range"),
            models.Index(fields=["year", "quarter", "status"]),
            models.Index(
                fields=["heartbeat_at"],
                condition=models.Q(job_status__in=["queued", "running"]),
                name="quarterly_job_running",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.year}Q{self.quarter} v{self.version}"

    def save(self, *args, **kwargs):
        self.region_code = self.region_id or ""
        super().save(*args, **kwargs)

    @property
    def is_township(self) -> bool:
        return is_township(self.region_code)

    @property
    def done(self) -> bool:
        return self.job_status == JobStatus.DONE


class EventKind(models.TextChoices):
    SUBMIT = "submit", _("报送")
    RETURN = "return", _("退回")
    ACKNOWLEDGE = "acknowledge", _("确认")


class ReportEvent(models.Model):
    """A step of the submission, with who took it and the county's comment."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("操作"), max_length=15, choices=EventKind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    comment = models.CharField(_("意见"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("季度报告报送记录")
        verbose_name_plural = _("季度报告报送记录")
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.kind}"
