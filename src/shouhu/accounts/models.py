"""Users, their roles and jurisdictions, organisations, the child-welfare workforce, and grants."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken

from shouhu.children.validators import PersonNameField, validate_person_name


class Role(models.TextChoices):
    VILLAGE_DIRECTOR = "village_director", _("儿童主任")
    TOWNSHIP_SUPERVISOR = "township_supervisor", _("儿童督导员")
    COUNTY_STAFF = "county_staff", _("县儿童福利指导中心工作人员")
    CIVIL_AFFAIRS = "civil_affairs", _("民政干部")
    SOCIAL_WORKER = "social_worker", _("社会工作者")
    MENTOR = "mentor", _("结对帮扶志愿者")
    TEACHER = "teacher", _("教师")
    HEALTH_WORKER = "health_worker", _("卫生健康工作者")
    ADMIN = "admin", _("系统管理员")


class OrganisationKind(models.TextChoices):
    CIVIL_AFFAIRS_BUREAU = "civil_affairs_bureau", _("民政局")
    GUIDANCE_CENTRE = "guidance_centre", _("儿童福利指导中心")
    WORKSTATION = "workstation", _("乡镇儿童福利工作站")
    CHILDRENS_HOME = "childrens_home", _("儿童之家")
    SCHOOL = "school", _("学校")
    SOCIAL_ORGANISATION = "social_organisation", _("社会组织")
    FOUNDATION = "foundation", _("基金会")
    OTHER = "other", _("其他")


class Organisation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("类型"), max_length=30, choices=OrganisationKind.choices)
    name = models.CharField(_("名称"), max_length=200)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="organisations"
    )
    address = models.CharField(_("地址"), max_length=300, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["region_id", "name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    full_name = PersonNameField(_("姓名"), max_length=50, blank=True, validators=[validate_person_name])
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices, default=Role.VILLAGE_DIRECTOR)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("管辖区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("用户可见的区划及其下级；社工和志愿者只看到授权给他们的儿童。"),
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("所属机构"), null=True, blank=True, on_delete=models.SET_NULL
    )
    phone = models.CharField(_("手机号"), max_length=30, blank=True)
    # The language of the person's pages and of the text messages and e-mail they are sent, chosen on
    # their account page (``middleware.UserLanguageMiddleware``); blank: the browser's for the pages, the
    # registry's for messages.
    language = models.CharField(
        _("语言"), max_length=10, blank=True, default="", db_default="", choices=settings.LANGUAGES
    )
    # Mixed into the session hash: changing it (sign out everywhere, deactivation) ends every session.
    session_secret = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        """The person's name as people know it (``full_name``), not the login name."""
        return self.full_name or super().get_full_name()

    def get_short_name(self) -> str:
        return self.full_name or super().get_short_name()

    def _get_session_auth_hash(self, secret=None):
        if not self.session_secret:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "shouhu.accounts.User.get_session_auth_hash",
            f"{self.password}:{self.session_secret}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class WorkerKind(models.TextChoices):
    DIRECTOR = "director", _("儿童主任")
    SUPERVISOR = "supervisor", _("儿童督导员")


class WelfareWorker(models.Model):
    """The national registry of child directors (village) and child supervisors (township).

    Fields follow the MCA system's registry (登记类型, 是否专兼职, 是否政府购买服务, 津贴, 村/社区,
    工作及培训经历).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("登记类型"), max_length=20, choices=WorkerKind.choices)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("系统账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="worker",
    )
    name = PersonNameField(_("姓名"), max_length=50, validators=[validate_person_name])
    gender = models.CharField(_("性别"), max_length=10, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    political_status = models.CharField(_("政治面貌"), max_length=30, blank=True)
    education = models.CharField(_("文化程度"), max_length=30, blank=True)
    employer = models.CharField(_("工作单位"), max_length=100, blank=True)
    position = models.CharField(_("职务"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=30, blank=True)
    full_time = models.BooleanField(_("专职"), default=False)
    government_purchased = models.BooleanField(_("政府购买服务"), default=False)
    allowance = models.DecimalField(_("津贴（元/月）"), max_digits=8, decimal_places=2, null=True, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("服务村/社区或乡镇"),
        on_delete=models.PROTECT,
        related_name="workers",
    )
    training = models.TextField(_("工作及培训经历"), blank=True)
    started_on = models.DateField(_("任职日期"), null=True, blank=True)
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("儿童主任/督导员")
        verbose_name_plural = _("儿童主任/督导员")
        ordering = ["region_id", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class GrantReason(models.TextChoices):
    ASSIGNMENT = "assignment", _("指派")
    REFERRAL = "referral", _("转介")
    PAIRING = "pairing", _("结对帮扶")
    BREAK_GLASS = "break_glass", _("紧急调阅")


class GrantQuerySet(models.QuerySet):
    def active(self, at=None):
        at = at or timezone.now()
        return self.filter(Q(starts_at__lte=at), Q(ends_at__isnull=True) | Q(ends_at__gt=at))


class Grant(models.Model):
    """A user may see one child, for a reason, for a time. Later modules (referrals, pairing) write
    grants; only ``accounts.access`` reads them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("被授权人"), on_delete=models.CASCADE, related_name="grants"
    )
    child = models.ForeignKey(
        "children.Child", verbose_name=_("儿童"), on_delete=models.CASCADE, related_name="grants"
    )
    reason = models.CharField(_("授权原因"), max_length=20, choices=GrantReason.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    # The system's reason as a code and its parameters (``escalation.texts``: ``grant.*``), shown in the
    # reader's language; a person's reason (breaking the glass) has no code and is shown as typed.
    note_code = models.CharField(max_length=40, blank=True, default="", db_default="")
    note_params = models.JSONField(null=True, blank=True, default=dict)
    starts_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("授权人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = GrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("儿童访问授权")
        verbose_name_plural = _("儿童访问授权")
        indexes = [models.Index(fields=["user", "ends_at"])]

    def __str__(self) -> str:
        return f"{self.user} → {self.child} ({self.get_reason_display()})"

    @property
    def text(self) -> str:
        """The note in the active language."""
        from shouhu.escalation.texts import render

        return render(self.note_code, self.note_params, self.note)


class ApiToken(AbstractAuthToken):
    """An API token (django-rest-knox): only a hash of it is stored; it expires; a user may hold several.

    The public ``id`` names a token in lists and revocations without revealing any of its secret.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    digest = models.CharField(max_length=128, unique=True, editable=False)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.user} · {self.created:%Y-%m-%d %H:%M}"


class AccountDeactivation(models.Model):
    """The record of an account closed when its holder left the post, and of the hand-over."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("停用的账号"),
        on_delete=models.PROTECT,
        related_name="deactivations",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    successor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接替人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("原因"), max_length=300)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    items_moved = models.PositiveIntegerField(_("移交的督办事项"), default=0)
    grants_moved = models.PositiveIntegerField(_("移交的儿童授权"), default=0)
    posts_ended = models.PositiveIntegerField(_("结束的任职"), default=0)

    class Meta:
        verbose_name = _("账号停用记录")
        verbose_name_plural = _("账号停用记录")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} → {self.successor}"
