"""The import job: one uploaded register, from its check to its commit, with the progress a page
polls and the report a person reads. The uploaded file is kept in MEDIA_ROOT only while the job may
still need it (``stored_name``); every ending removes it."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    CHECKING = "checking", _("正在检查")
    CHECKED = "checked", _("检查完成，等待确认导入")
    REFUSED = "refused", _("发现问题，没有导入")
    IMPORTING = "importing", _("正在导入")
    DONE = "done", _("导入完成")
    FAILED = "failed", _("导入中断，没有保存任何内容")
    EXPIRED = "expired", _("超过保留时间未确认，文件已删除")
    CANCELLED = "cancelled", _("已取消，文件已删除")


class Step(models.TextChoices):
    CHECK = "check", _("检查")
    COMMIT = "commit", _("导入")


RUNNING = (JobStatus.CHECKING, JobStatus.IMPORTING)
ENDED = (JobStatus.REFUSED, JobStatus.DONE, JobStatus.FAILED, JobStatus.EXPIRED, JobStatus.CANCELLED)


class ImportJob(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("上传人")
    )
    file_name = models.CharField(_("文件名"), max_length=200)
    stored_name = models.CharField(max_length=200, blank=True)  # under MEDIA_ROOT/imports/, until the end
    size = models.PositiveBigIntegerField(_("文件大小"), default=0)
    status = models.CharField(_("状态"), max_length=20, choices=JobStatus.choices, default=JobStatus.CHECKING)
    rows_total = models.PositiveIntegerField(_("数据行数"), default=0)  # found by the check
    rows_done = models.PositiveIntegerField(default=0)  # read so far by the step running
    progress = models.PositiveSmallIntegerField(null=True, blank=True)  # percent of the commit
    counts = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)  # [{row, column, message}]
    truncated = models.BooleanField(default=False)
    confirm = models.JSONField(default=list, blank=True)  # matches without an ID number
    confirmed = models.JSONField(default=list, blank=True)  # the rows a person confirmed
    unknown_columns = models.JSONField(default=list, blank=True)
    rows_rejected = models.PositiveIntegerField(_("有问题的行数"), default=0)
    # The rows with problems, sealed, for the error sheet: kept past the job's end until it expires.
    rejected_name = models.CharField(max_length=200, blank=True)
    valid_only = models.BooleanField(_("只导入没有问题的行"), default=False)
    error = models.CharField(max_length=300, blank=True)
    # The background step (``shouhu.jobs``): which one, when its task was sent, the last sign of life
    # of the worker running it (null: not claimed yet), and how many times the watchdog sent it again.
    step = models.CharField(max_length=10, choices=Step.choices, default=Step.CHECK)
    queued_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("名册导入")
        verbose_name_plural = _("名册导入")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_by", "-created_at"], name="import_job_owner"),
            models.Index(
                fields=["heartbeat_at"],
                condition=models.Q(status__in=["checking", "importing"]),
                name="import_job_running",
            ),
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def running(self) -> bool:
        return self.status in RUNNING

    @property
    def retryable(self) -> bool:
        """Failed before its step could run or finish (no broker, a dead worker), its file kept."""
        return self.status == JobStatus.FAILED and bool(self.stored_name)
