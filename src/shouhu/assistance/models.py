"""Assistance (救助帮扶): the types as data with their eligibility rule, the county's amounts, applications
through village → township → county, the steps each took, and the monthly payments."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shouhu.versioning import Versioned


class AssistanceType(models.Model):
    """A kind of assistance. ``rule`` holds the parameters of the fixed checks in ``eligibility.py``
    (never code): ``categories`` (any of), ``min_age``, ``max_age``, ``excluded_assistance``."""

    code = models.CharField(_("代码"), max_length=40, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=120, blank=True)
    monthly = models.BooleanField(_("按月发放"), default=True)
    rule = models.JSONField(_("资格条件"), default=dict)
    basis = models.CharField(_("政策依据"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("救助类型")
        verbose_name_plural = _("救助类型")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class CountyAmount(models.Model):
    """A county's standard for one type from a date (元/月, or per grant for one-off types)."""

    type = models.ForeignKey(AssistanceType, verbose_name=_("救助类型"), on_delete=models.CASCADE)
    county = models.ForeignKey(
        "regions.Region", verbose_name=_("县（区）"), on_delete=models.PROTECT, related_name="+"
    )
    monthly_amount = models.DecimalField(_("标准（元/月）"), max_digits=10, decimal_places=2)
    from_date = models.DateField(_("执行日期"))

    class Meta:
        verbose_name = _("县级救助标准")
        verbose_name_plural = _("县级救助标准")
        ordering = ["county_id", "type_id", "-from_date"]
        constraints = [
            models.UniqueConstraint(fields=["type", "county", "from_date"], name="one_amount_per_date"),
            models.CheckConstraint(condition=Q(monthly_amount__gt=0), name="amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.county_id} {self.type_id} {self.monthly_amount} ({self.from_date})"


class Level(models.TextChoices):
    VILLAGE = "village", _("村级")
    TOWNSHIP = "township", _("乡镇级")
    COUNTY = "county", _("县级")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待乡镇审核")
    TOWNSHIP_APPROVED = "township_approved", _("待县级审批")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已批准")
    STOPPED = "stopped", _("已停发")


OPEN_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.TOWNSHIP_APPROVED,
    ApplicationStatus.RETURNED,
    ApplicationStatus.APPROVED,
)


class Application(Versioned):
    """One application for one child and one type; one open at a time (a partial unique constraint)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(
        "children.Child",
        verbose_name=_("儿童"),
        on_delete=models.CASCADE,
        related_name="assistance_applications",
    )
    region_code = models.CharField(max_length=12)
    type = models.ForeignKey(AssistanceType, verbose_name=_("救助类型"), on_delete=models.PROTECT)
    reason = models.TextField(_("申请理由"), max_length=2000)
    status = models.CharField(
        _("状态"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    eligibility = models.JSONField(_("资格审查结果"), default=list, blank=True)
    returned_by_level = models.CharField(_("退回层级"), max_length=10, choices=Level.choices, blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=500, blank=True)
    starts_on = models.DateField(_("发放起始月"), null=True, blank=True)
    stopped_on = models.DateField(_("停发日期"), null=True, blank=True)
    stop_reason = models.CharField(_("停发原因"), max_length=300, blank=True)
    work_item = models.ForeignKey(
        "escalation.WorkItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("救助申请")
        verbose_name_plural = _("救助申请")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "type"],
                condition=Q(status__in=["submitted", "township_approved", "returned", "approved"]),
                name="one_open_application",
            )
        ]
        indexes = [
            models.Index(fields=["region_code"], name="application_region_range"),
            models.Index(fields=["status", "region_code"]),
        ]

    def __str__(self) -> str:
        return f"{self.child} {self.type}"


class StepAction(models.TextChoices):
    SUBMIT = "submit", _("提交申请")
    RESUBMIT = "resubmit", _("重新提交")
    APPROVE = "approve", _("审核通过")
    RETURN = "return", _("退回")
    STOP = "stop", _("停发")


class ApplicationStep(models.Model):
    """Who did what to an application, at which level, when, with what comment."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="steps")
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    action = models.CharField(_("操作"), max_length=10, choices=StepAction.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    comment = models.CharField(_("意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("审批记录")
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.level} {self.action}"


class Payment(models.Model):
    """One month's payment (or the single grant of a one-off type)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="payments")
    month = models.DateField(_("发放月份"), help_text=_("该月1日"))
    amount = models.DecimalField(_("金额（元）"), max_digits=10, decimal_places=2)
    paid_on = models.DateField(_("发放日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("发放记录")
        verbose_name_plural = _("发放记录")
        ordering = ["month"]
        constraints = [
            models.UniqueConstraint(fields=["application", "month"], name="one_payment_per_month"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.month:%Y-%m} {self.amount}"
