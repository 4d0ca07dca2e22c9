"""Social organisations, the services they offer and the areas they serve; referrals of a child from a
case to one of them, and the services delivered.

A referral is answered (accepted or declined) within a deadline kept as a ``WorkItem``; accepting it
writes one ``Grant`` per staff member of the organisation, and closing or revoking it ends them.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouhu.regions.codes import is_within
from shouhu.versioning import Versioned

# The catalogue is data (``ServiceType`` rows, seeded by a migration, more added in the admin); the
# labels of the seeded codes are translated here, a row added later shows its stored Chinese name.
SERVICE_LABELS = {
    "counselling": _("心理辅导"),
    "family_education": _("家庭教育指导"),
    "autism_support": _("孤独症儿童支持"),
    "home_repair": _("住房修缮"),
    "school_support": _("学业辅导"),
    "legal_aid": _("法律援助"),
    "medical_help": _("医疗救助对接"),
    "rehabilitation": _("康复训练"),
    "material_aid": _("生活物资帮扶"),
    "guardian_support": _("监护能力支持"),
}


class ServiceType(models.Model):
    code = models.CharField(_("代码"), max_length=40, primary_key=True)
    name = models.CharField(_("名称"), max_length=50)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("服务类型")
        verbose_name_plural = _("服务类型")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self):
        return SERVICE_LABELS.get(self.code, self.name)


class ProviderKind(models.TextChoices):
    SOCIAL_WORK = "social_work", _("社会工作服务机构")
    FOUNDATION = "foundation", _("基金会")
    CHARITY = "charity", _("慈善组织")


class Provider(models.Model):
    """An organisation's profile as a service provider. Its staff are the users whose ``organisation``
    is it."""

    organisation = models.OneToOneField(
        "accounts.Organisation",
        verbose_name=_("机构"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="provider",
    )
    kind = models.CharField(_("机构类型"), max_length=20, choices=ProviderKind.choices)
    services = models.ManyToManyField(ServiceType, verbose_name=_("提供的服务"), related_name="providers")
    areas = models.ManyToManyField(
        "regions.Region",
        verbose_name=_("服务区域"),
        related_name="+",
        help_text=_("所选区划及其下级。"),
    )
    accepting = models.BooleanField(_("接收转介"), default=True)
    description = models.TextField(_("简介"), blank=True)
    contact = models.CharField(_("联系人"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("服务机构")
        verbose_name_plural = _("服务机构")

    def __str__(self) -> str:
        return self.organisation.name

    def serves(self, region_code: str) -> bool:
        """Whether ``region_code`` lies in one of the areas (an area covers its whole subtree)."""
        return any(is_within(region_code, code) for code in self.areas.values_list("code", flat=True))


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("待接收")
    ACCEPTED = "accepted", _("服务中")
    DECLINED = "declined", _("已拒绝")
    CLOSED = "closed", _("已结束")
    REVOKED = "revoked", _("已撤回")


OPEN_STATUSES = (ReferralStatus.PENDING, ReferralStatus.ACCEPTED)


class ConsentBy(models.TextChoices):
    GUARDIAN = "guardian", _("监护人同意")
    CHILD = "child", _("儿童本人同意")
    BOTH = "both", _("监护人和儿童均同意")


class Referral(Versioned):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("个案"), on_delete=models.CASCADE, related_name="referrals"
    )
    child = models.ForeignKey(
        "children.Child", verbose_name=_("儿童"), on_delete=models.CASCADE, related_name="referrals"
    )
    region_code = models.CharField(max_length=12)
    provider = models.ForeignKey(
        Provider, verbose_name=_("接收机构"), on_delete=models.PROTECT, related_name="referrals"
    )
    service = models.ForeignKey(
        ServiceType, verbose_name=_("服务"), on_delete=models.PROTECT, related_name="+"
    )
    need = models.TextField(_("转介需求"), max_length=2000)
    consent_by = models.CharField(_("知情同意"), max_length=10, choices=ConsentBy.choices, blank=True)
    consent_on = models.DateField(_("同意日期"), null=True, blank=True)
    legal_basis = models.CharField(_("法律依据"), max_length=300, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.PENDING
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("转介人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    referred_at = models.DateTimeField(_("转介时间"), default=timezone.now)
    due_at = models.DateTimeField(_("回复期限"))
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    decline_reason = models.CharField(_("拒绝原因"), max_length=300, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    closing_report = models.TextField(_("结案报告"), blank=True)
    revoke_reason = models.CharField(_("撤回原因"), max_length=300, blank=True)
    work_item = models.OneToOneField(
        "escalation.WorkItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="referral"
    )
    grants = models.ManyToManyField("accounts.Grant", blank=True, related_name="+")

    class Meta:
        verbose_name = _("转介")
        verbose_name_plural = _("转介")
        ordering = ["-referred_at"]
        indexes = [
            models.Index(fields=["region_code", "status"], name="referral_region_status"),
            models.Index(fields=["provider", "status"]),
        ]
        constraints = [
            # One open referral of a child to an organisation for a service: a double submission
            # answers with the refusal, not a second referral.
            models.UniqueConstraint(
                fields=["child", "provider", "service"],
                condition=models.Q(status__in=["pending", "accepted"]),
                name="one_open_referral",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.service}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ServiceRecord(models.Model):
    """A service delivered under a referral: when, what, by whom, for how long."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="records")
    delivered_on = models.DateField(_("服务日期"))
    description = models.CharField(_("服务内容"), max_length=500)
    worker = models.CharField(_("服务人员"), max_length=50)
    hours = models.DecimalField(_("时长（小时）"), max_digits=4, decimal_places=1)
    outcome = models.TextField(_("服务成效"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["delivered_on", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.delivered_on} {self.description}"
