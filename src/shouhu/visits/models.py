"""Visit policy per county, visit records, quarterly investigations, children's homes and sessions.

Due visits themselves are ``escalation.WorkItem`` rows of kind ``visit``, derived by ``rules``.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class VisitPolicy(models.Model):
    """A county's visit frequencies and escalation periods. Defaults: Lixin County (seed 002)."""

    county = models.OneToOneField(
        "regions.Region", verbose_name=_("县（区）"), on_delete=models.PROTECT, related_name="visit_policy"
    )
    listed_months = models.PositiveSmallIntegerField(
        _("留守和困境儿童：儿童主任走访间隔（月）"),
        default=1,
        help_text=_("每个自然月至少入户走访一次时填 1。"),
    )
    others_months = models.PositiveSmallIntegerField(_("其他登记儿童：走访间隔（月）"), default=12)
    county_months = models.PositiveSmallIntegerField(
        _("散居孤儿和重点困境儿童：县儿童福利指导中心走访间隔（月）"), default=12
    )
    urgent_hours = models.PositiveSmallIntegerField(_("独居或无人照料儿童：须在多少小时内走访"), default=24)
    phone_counts = models.BooleanField(_("电话联系可计为走访"), default=False)
    township_after_days = models.PositiveSmallIntegerField(_("逾期多少天上报乡镇督导员"), default=7)
    county_after_days = models.PositiveSmallIntegerField(_("逾期多少天上报县级"), default=14)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("走访规则")
        verbose_name_plural = _("走访规则")

    def __str__(self) -> str:
        return str(self.county)

    def clean(self) -> None:
        errors = {}
        for name in ("listed_months", "others_months", "county_months"):
            value = getattr(self, name)
            if not value or value > 24:
                errors[name] = gettext("请填写 1 到 24 之间的月数。")
        if not self.urgent_hours or self.urgent_hours > 72:
            errors["urgent_hours"] = gettext("请填写 1 到 72 之间的小时数。")
        if self.county_after_days <= self.township_after_days:
            errors["county_after_days"] = gettext("上报县级的天数须大于上报乡镇的天数。")
        if errors:
            raise ValidationError(errors)


class VisitKind(models.TextChoices):
    HOME = "home", _("入户走访")
    PHONE = "phone", _("电话联系")
    SCHOOL = "school", _("到校走访")
    CHILDRENS_HOME = "childrens_home", _("儿童之家见面")


class Outcome(models.TextChoices):
    DONE = "done", _("已见到")
    NOBODY_HOME = "nobody_home", _("未遇：家中无人")
    LOCKED = "locked", _("未遇：锁门")
    NO_ANSWER = "no_answer", _("未遇：电话无人接听")
    REFUSED = "refused", _("被拒绝")


FAILED_OUTCOMES = {Outcome.NOBODY_HOME, Outcome.LOCKED, Outcome.NO_ANSWER, Outcome.REFUSED}


class YesNo(models.TextChoices):
    YES = "yes", _("是")
    NO = "no", _("否")
    UNKNOWN = "unknown", _("不清楚")


class Wellbeing(models.TextChoices):
    GOOD = "good", _("良好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("差，需要关注")


class ParentContact(models.TextChoices):
    WEEK = "week", _("最近一周内")
    MONTH = "month", _("最近一个月内")
    LONGER = "longer", _("一个月以上未联系")
    NONE = "none", _("无外出父母")


class Visit(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(
        "children.Child", verbose_name=_("儿童"), on_delete=models.CASCADE, related_name="visits"
    )
    region_code = models.CharField(max_length=12, editable=False)
    visited_on = models.DateField(_("走访日期"))
    kind = models.CharField(_("方式"), max_length=20, choices=VisitKind.choices, default=VisitKind.HOME)
    outcome = models.CharField(_("结果"), max_length=20, choices=Outcome.choices, default=Outcome.DONE)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("走访人"), on_delete=models.PROTECT, related_name="visits"
    )
    saw_child = models.BooleanField(_("见到儿童"), default=True)
    saw_guardian = models.BooleanField(_("见到监护人/照料人"), default=True)
    guardian_capable = models.CharField(
        _("监护人在家且能照料"), max_length=10, choices=YesNo.choices, blank=True
    )
    health = models.CharField(_("身体状况"), max_length=10, choices=Wellbeing.choices, blank=True)
    mood = models.CharField(_("情绪状况"), max_length=10, choices=Wellbeing.choices, blank=True)
    safe = models.CharField(_("人身安全"), max_length=10, choices=YesNo.choices, blank=True)
    in_school = models.CharField(_("正常上学"), max_length=10, choices=YesNo.choices, blank=True)
    home_hazards = models.BooleanField(_("居家存在安全隐患"), default=False)
    parent_contact = models.CharField(
        _("与外出父母联系"), max_length=10, choices=ParentContact.choices, blank=True
    )
    notes = models.TextField(_("情况记录"), blank=True, max_length=2000)
    follow_up = models.BooleanField(_("需要跟进"), default=False)
    photo = models.FileField(_("照片"), upload_to="visits/%Y/%m/", blank=True)
    photo_consent = models.BooleanField(_("监护人同意拍照"), default=False)
    # A double tap on a weak connection sends the same form twice: one key, one visit.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_on", "-created_at"]
        indexes = [
            models.Index(fields=["child", "visited_on"]),
            # Served by a region range (``__within``) in any collation, and in the list's order.
            models.Index(fields=["region_code", "visited_on"], name="visit_region_on"),
        ]

    def __str__(self) -> str:
        return f"{self.child} {self.visited_on}"

    @property
    def failed(self) -> bool:
        return self.outcome in FAILED_OUTCOMES


class Investigation(models.Model):
    """A quarterly dynamic investigation (定期排查) opened by a county."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    county = models.ForeignKey(
        "regions.Region", verbose_name=_("县（区）"), on_delete=models.PROTECT, related_name="investigations"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"), choices=[(q, f"Q{q}") for q in (1, 2, 3, 4)])
    all_children = models.BooleanField(_("排查全部登记儿童"), default=False)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.JSONField(_("排查汇总"), default=dict, blank=True)

    class Meta:
        verbose_name = _("定期排查")
        verbose_name_plural = _("定期排查")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "year", "quarter"], name="one_investigation_per_quarter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.year}Q{self.quarter}"


class CheckStatus(models.TextChoices):
    PENDING = "pending", _("待排查")
    CONFIRMED = "confirmed", _("情况无变化")
    UPDATED = "updated", _("情况已更新")


class InvestigationItem(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="items")
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="investigation_items")
    region_code = models.CharField(max_length=12)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=CheckStatus.choices, default=CheckStatus.PENDING
    )
    categories_before = models.JSONField(default=list)
    categories_after = models.JSONField(default=list, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    newly_found = models.BooleanField(_("排查新发现"), default=False)

    class Meta:
        verbose_name = _("排查事项")
        constraints = [
            models.UniqueConstraint(fields=["investigation", "child"], name="one_check_per_child"),
        ]
        indexes = [models.Index(fields=["investigation", "region_code", "status"])]

    def __str__(self) -> str:
        return f"{self.investigation} {self.child}"


class ChildrensHome(models.Model):
    """A village's children's home (儿童之家), where activities are held at least weekly."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    village = models.OneToOneField(
        "regions.Region", verbose_name=_("村/社区"), on_delete=models.PROTECT, related_name="childrens_home"
    )
    name = models.CharField(_("名称"), max_length=100)
    opening_hours = models.CharField(_("开放时间"), max_length=200, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("儿童之家")
        verbose_name_plural = _("儿童之家")

    def __str__(self) -> str:
        return self.name


class ActivitySession(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    home = models.ForeignKey(
        ChildrensHome, verbose_name=_("儿童之家"), on_delete=models.CASCADE, related_name="sessions"
    )
    held_on = models.DateField(_("活动日期"))
    topic = models.CharField(_("活动主题"), max_length=200, help_text=_("如：防溺水安全教育、阅读"))
    leader = models.CharField(_("组织者"), max_length=50)
    attendees = models.ManyToManyField(
        "children.Child", verbose_name=_("参加儿童"), blank=True, related_name="activity_sessions"
    )
    attendee_count = models.PositiveSmallIntegerField(_("参加人数"), default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("儿童之家活动")
        verbose_name_plural = _("儿童之家活动")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.home} {self.held_on} {self.topic}"
