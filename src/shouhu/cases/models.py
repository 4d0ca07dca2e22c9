"""Risk rule settings per county, alerts, the child's risk level, mandatory reports and cases."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from shouhu.children.crypto import EncryptedCharField, EncryptedManager, KeyedHashField
from shouhu.versioning import Versioned

from .rules import SEVERITIES


class RuleSetting(models.Model):
    """A county's parameters for one kind of rule (``rules.KINDS``): edited in the UI, never code."""

    county = models.ForeignKey(
        "regions.Region", verbose_name=_("县（区）"), on_delete=models.PROTECT, related_name="rule_settings"
    )
    code = models.CharField(_("规则"), max_length=40)
    enabled = models.BooleanField(_("启用"), default=True)
    severity = models.CharField(_("风险等级"), max_length=10, choices=SEVERITIES)
    deadline_hours = models.PositiveIntegerField(_("处置时限（小时）"))
    params = models.JSONField(_("参数"), default=dict)
    notify = models.JSONField(_("通知对象"), default=list)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("风险规则设置")
        verbose_name_plural = _("风险规则设置")
        constraints = [models.UniqueConstraint(fields=["county", "code"], name="one_setting_per_rule")]

    def __str__(self) -> str:
        return f"{self.county_id} {self.code}"


class AlertStatus(models.TextChoices):
    OPEN = "open", _("未解除")
    CLOSED = "closed", _("已解除")


class Alert(Versioned):
    """One open situation of one rule for one child: never two at once (a partial unique constraint)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(
        "children.Child", verbose_name=_("儿童"), on_delete=models.CASCADE, related_name="alerts"
    )
    region_code = models.CharField(max_length=12)
    # A household rule fires once for the home: ``child`` is then the eldest child it covers and
    # ``member_ids`` every child it covers (each shows the level); None for a child's own cause.
    household = models.ForeignKey(
        "children.Household",
        verbose_name=_("家庭"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
    )
    member_ids = models.JSONField(_("涉及儿童"), default=list, blank=True)
    rule = models.CharField(_("规则"), max_length=40)
    severity = models.CharField(_("风险等级"), max_length=10, choices=SEVERITIES)
    facts = models.JSONField(_("触发事实"), default=dict)
    status = models.CharField(_("状态"), max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    opened_at = models.DateTimeField(_("发现时间"), default=timezone.now)
    work_item = models.OneToOneField(
        "escalation.WorkItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="alert"
    )
    police_informed_at = models.DateTimeField(_("已报告公安机关"), null=True, blank=True)
    notice_sent_at = models.DateTimeField(_("已发出督促监护告知书"), null=True, blank=True)
    school_notified_at = models.DateTimeField(_("已通知学校和教育部门"), null=True, blank=True)
    guardian_urged_at = models.DateTimeField(_("已督促监护人"), null=True, blank=True)
    closed_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    close_reason = models.CharField(_("解除原因"), max_length=300, blank=True)
    # The code of a reason the system gives (``escalation.texts``), read in the reader's language; empty
    # for a person's reason, shown as typed.
    close_reason_code = models.CharField(max_length=40, blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("风险预警")
        verbose_name_plural = _("风险预警")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "rule"], condition=Q(status="open"), name="one_open_alert"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "severity"]),
            models.Index(fields=["region_code", "status"], name="alert_region_status"),
        ]

    @property
    def close_reason_text(self) -> str:
        from shouhu.escalation import texts

        return texts.render(self.close_reason_code, {}, self.close_reason)

    def __str__(self) -> str:
        return f"{self.child} {self.rule}"


class RiskLevel(models.TextChoices):
    """Four levels with colours, as county platforms grade records."""

    URGENT = "urgent", _("紧急（红）")
    HIGH = "high", _("高风险（橙）")
    WATCH = "watch", _("关注（黄）")
    STABLE = "stable", _("稳定（绿）")


class ChildRisk(models.Model):
    """The child's risk level, derived from open alerts and cases, with its reasons."""

    child = models.OneToOneField(
        "children.Child", primary_key=True, on_delete=models.CASCADE, related_name="risk"
    )
    level = models.CharField(
        _("风险等级"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.STABLE, db_index=True
    )
    reasons = models.JSONField(_("原因"), default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("儿童风险等级")

    def __str__(self) -> str:
        return f"{self.child_id} {self.level}"


class HarmType(models.Model):
    """The situations a mandatory report names: the statutory nine (2020 opinions) and local additions."""

    code = models.CharField(max_length=30, primary_key=True)
    name = models.CharField(_("情形"), max_length=200)
    statutory = models.BooleanField(_("法定强制报告情形"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("报告情形")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the active language: the shipped situations (``harms``) are translated, a
        county's own addition is shown as the county wrote it."""
        from django.utils.translation import gettext

        return gettext(self.name) if self.name else self.name


class ReportStatus(models.TextChoices):
    RECEIVED = "received", _("已接收")
    LINKED = "linked", _("已关联儿童")
    CASE = "case", _("已转为个案")
    CLOSED = "closed", _("已办结")


class Urgency(models.TextChoices):
    IMMEDIATE = "immediate", _("紧急：儿童正处于危险中")
    SOON = "soon", _("尽快处理")
    ROUTINE = "routine", _("一般")


class Report(models.Model):
    """A mandatory report (强制报告). Never lost: without an identifiable child it stays on the township's
    list as an unlinked report."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("报告编号"), max_length=30, unique=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报告人"), on_delete=models.PROTECT, related_name="reports"
    )
    harm_type = models.ForeignKey(HarmType, verbose_name=_("情形"), on_delete=models.PROTECT)
    description = models.TextField(_("所见情况"), max_length=4000)
    seen_at = models.DateTimeField(_("发现时间"))
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.SOON)
    township = models.ForeignKey(
        "regions.Region", verbose_name=_("所在乡镇"), on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所在村/社区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    child_name = models.CharField(_("儿童姓名"), max_length=50, blank=True)
    child_birth_date = models.DateField(_("儿童出生日期"), null=True, blank=True)
    # Encrypted at rest, like the registry's ID numbers (shouhu.children.crypto).
    child_id_number = EncryptedCharField(
        _("儿童身份证号码"), max_length=18, blank=True, hash_field="child_id_number_hash"
    )
    child_id_number_hash = KeyedHashField(source="child_id_number", null=True, blank=True, db_index=True)
    objects = EncryptedManager()  # update() writes the hash with the number
    child = models.ForeignKey(
        "children.Child",
        verbose_name=_("儿童"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.RECEIVED
    )
    work_item = models.OneToOneField(
        "escalation.WorkItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="report"
    )
    closed_reason = models.CharField(_("办结说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("强制报告")
        verbose_name_plural = _("强制报告")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.reference


class CaseStatus(models.TextChoices):
    OPENED = "opened", _("已立案")
    ASSESSED = "assessed", _("已评估")
    PLANNED = "planned", _("已制定计划")
    IN_SERVICE = "in_service", _("服务跟进中")
    REVIEWED = "reviewed", _("已复核")
    CLOSE_REQUESTED = "close_requested", _("待审批结案")
    CLOSED = "closed", _("已结案")


class CaseSource(models.TextChoices):
    RULE = "rule", _("风险规则")
    REPORT = "report", _("强制报告")
    VISIT = "visit", _("走访发现")
    MANUAL = "manual", _("手工立案")


class Case(Versioned):
    """A case (个案): opened → assessed → plan → services → reviewed → closed with an outcome."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(
        "children.Child", verbose_name=_("儿童"), on_delete=models.CASCADE, related_name="cases"
    )
    region_code = models.CharField(max_length=12)
    source = models.CharField(_("来源"), max_length=10, choices=CaseSource.choices)
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    status = models.CharField(_("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPENED)
    risk_level = models.CharField(_("风险等级"), max_length=10, choices=SEVERITIES)
    parties = models.JSONField(_("参与方"), default=list, blank=True)
    assessment = models.JSONField(_("评估"), default=dict, blank=True)
    plan = models.TextField(_("服务计划"), blank=True)
    outcome = models.TextField(_("结案情况"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    close_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("个案")
        verbose_name_plural = _("个案")
        ordering = ["-opened_at"]
        # Once means once: a report opens at most one case, whoever clicks and however often.
        constraints = [models.UniqueConstraint(fields=["report"], name="one_case_per_report")]
        indexes = [models.Index(fields=["region_code", "status"], name="case_region_status")]

    def __str__(self) -> str:
        return f"{self.child} {self.get_status_display()}"


class CaseEvent(models.Model):
    """A step on the child's timeline (一人一档): who did what to the case, when."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=20, choices=CaseStatus.choices)
    text = models.TextField(blank=True)
    # What the system wrote, as a code and its parameters (``escalation.texts``); a person's note has
    # none and is shown as typed.
    code = models.CharField(max_length=40, blank=True, default="", db_default="")
    params = models.JSONField(null=True, blank=True, default=dict)

    class Meta:
        ordering = ["at"]

    @property
    def words(self) -> str:
        """The entry in the reader's language: the system's words translated, a person's note as typed."""
        from shouhu.escalation.texts import render

        return render(self.code, self.params, self.text)

    def __str__(self) -> str:
        return f"{self.case_id} {self.status}"
