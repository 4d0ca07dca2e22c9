"""The basic-situation database (一人一档): a child, the parents, the entrusted carer, rescue contacts,
and the categories derived from them (see ``classify``)."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from shouhu.regions.codes import is_village
from shouhu.versioning import Versioned

from . import idnumber
from .crypto import EncryptedCharField, EncryptedManager, KeyedHashField
from .options import (
    Assistance,
    CarerCapacity,
    CarerRelation,
    DisabilityGrade,
    DisabilityType,
    ExitReason,
    Gender,
    GuardianshipConcern,
    GuardianshipQuality,
    Health,
    HukouType,
    IncomeSource,
    LivingArrangement,
    ParentRole,
    ParentSituation,
    Schooling,
)
from .validators import (
    NAME_MAX,
    PersonNameField,
    add_years,
    age_on,
    validate_id_number,
    validate_not_future,
    validate_person_name,
)

ADULT_AGE = 18


def photo_path(instance, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"photos/{instance.pk}/{uuid.uuid4().hex}.{ext}"


class Child(Versioned):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = PersonNameField(_("姓名"), max_length=NAME_MAX, validators=[validate_person_name])
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"), validators=[validate_not_future])
    # Encrypted at rest; found and kept unique through the keyed hash beside it (see ``crypto``).
    id_number = EncryptedCharField(
        _("公民身份号码"),
        max_length=18,
        null=True,
        blank=True,
        validators=[validate_id_number],
        help_text=_("尚未办理身份证的儿童可以留空。"),
        hash_field="id_number_hash",
    )
    id_number_hash = KeyedHashField(source="id_number", null=True, blank=True, unique=True)
    objects = EncryptedManager()  # update() writes the hash with the number
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族")
    household_registered = models.BooleanField(_("已登记户口"), default=True)
    hukou_type = models.CharField(
        _("户籍性质"), max_length=10, choices=HukouType.choices, default=HukouType.RURAL
    )
    village = models.ForeignKey(
        "regions.Region",
        verbose_name=_("户籍所在村/社区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children_registered",
    )
    address = models.CharField(_("现居住地址"), max_length=200, blank=True)
    # Homeless minors (流浪未成年人) are registered where they were found, without a household village.
    is_homeless = models.BooleanField(_("流浪未成年人"), default=False)
    found_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("发现地（区划）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children_found",
    )
    found_place = models.CharField(_("发现地点"), max_length=200, blank=True)
    placement = models.CharField(_("安置去向"), max_length=200, blank=True)
    region_code = models.CharField(_("所属区划代码"), max_length=12, editable=False, db_index=False)

    school = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("学校"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        limit_choices_to={"kind": "school"},
    )
    grade = models.CharField(_("年级"), max_length=20, blank=True)
    schooling = models.CharField(_("就学情况"), max_length=30, choices=Schooling.choices, blank=True)
    boarding = models.BooleanField(_("学校寄宿"), default=False)

    health = models.CharField(_("健康状况"), max_length=20, choices=Health.choices, default=Health.HEALTHY)
    disability_type = models.CharField(
        _("残疾类别"), max_length=20, choices=DisabilityType.choices, blank=True
    )
    disability_grade = models.PositiveSmallIntegerField(
        _("残疾等级"), choices=DisabilityGrade.choices, null=True, blank=True
    )
    illness = models.CharField(_("患病类型"), max_length=100, blank=True)

    living_arrangement = models.CharField(
        _("实际监护"), max_length=20, choices=LivingArrangement.choices, default=LivingArrangement.PARENTS
    )
    guardianship_quality = models.CharField(
        _("监护类型"), max_length=20, choices=GuardianshipQuality.choices, blank=True
    )
    guardianship_concern = models.CharField(
        _("监护不当情形"), max_length=20, choices=GuardianshipConcern.choices, blank=True
    )
    income_sources = models.JSONField(_("家庭经济来源"), default=list, blank=True)
    assistance = models.JSONField(_("救助帮扶情况"), default=list, blank=True)

    photo = models.FileField(_("照片"), upload_to=photo_path, blank=True)
    photo_consent = models.BooleanField(_("监护人同意采集照片"), default=False)

    exited_on = models.DateField(_("退出时间"), null=True, blank=True)
    exit_reason = models.CharField(_("退出原因"), max_length=20, choices=ExitReason.choices, blank=True)

    name_pinyin = models.CharField(max_length=200, editable=False, db_index=True)
    name_initials = models.CharField(max_length=50, editable=False, db_index=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["name_pinyin", "name_initials", "updated_at"])

    class Meta:
        verbose_name = _("儿童")
        verbose_name_plural = _("儿童")
        ordering = ["region_code", "name"]
        indexes = [
            models.Index(fields=["region_code", "name"], name="child_region_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def age_on(self, on) -> int:
        return age_on(self.birth_date, on)

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())

    @property
    def region(self):
        return self.village if self.village_id else self.found_region

    def _contradictions_with_id_number(self) -> dict[str, list[str]]:
        """The ID number (GB 11643) holds the birth date and the sex: an entry that says otherwise is
        refused, naming what the number says, so the user knows which of the two to correct."""
        errors: dict[str, list[str]] = {}
        born = idnumber.birth_date_of(self.id_number)
        if self.birth_date and born != self.birth_date:
            errors["id_number"] = [
                gettext(
                    "身份证号码中的出生日期与填写的出生日期不一致："
                    "号码中是 %(id_date)s，填写的是 %(entered)s。请核对号码或出生日期。"
                )
                % {"id_date": born.isoformat(), "entered": self.birth_date.isoformat()}
            ]
        sex = idnumber.gender_of(self.id_number)
        if self.gender in Gender.values and sex != self.gender:
            errors["gender"] = [
                gettext(
                    "身份证号码显示性别为%(id_sex)s，与选择的性别（%(entered)s）不一致。请核对号码或性别。"
                )
                % {"id_sex": Gender(sex).label, "entered": Gender(self.gender).label}
            ]
        return errors

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.name:
            from .names import clean as clean_name

            self.name = clean_name(self.name)
        if self.id_number:
            try:
                self.id_number = idnumber.validate(self.id_number)
            except idnumber.InvalidIdNumber:
                pass  # reported by the field validator
            else:
                errors.update(self._contradictions_with_id_number())
        else:
            self.id_number = None
        if self.birth_date and self.birth_date <= timezone.localdate():
            if self.age_on(timezone.localdate()) >= ADULT_AGE and not self.exited_on:
                errors.setdefault("birth_date", []).append(gettext("已满18周岁，不属于儿童登记范围。"))
        if self.is_homeless:
            if not self.found_region_id:
                errors.setdefault("found_region", []).append(gettext("请选择流浪未成年人的发现地。"))
        elif not self.village_id:
            errors.setdefault("village", []).append(gettext("请选择户籍所在村/社区。"))
        if self.village_id and not is_village(self.village_id):
            errors.setdefault("village", []).append(gettext("请选择一个村或社区（12位区划代码）。"))
        if self.health == Health.DISABLED and not self.disability_type:
            errors.setdefault("disability_type", []).append(gettext("残疾儿童请填写残疾类别。"))
        if self.photo and not self.photo_consent:
            errors.setdefault("photo_consent", []).append(gettext("上传照片需要监护人同意。"))
        for field, allowed in (("income_sources", IncomeSource), ("assistance", Assistance)):
            bad = [v for v in (getattr(self, field) or []) if v not in allowed.values]
            if bad:
                errors.setdefault(field, []).append(gettext("不在选项中：%s") % "、".join(map(str, bad)))
        if self.exited_on and not self.exit_reason:
            errors.setdefault("exit_reason", []).append(gettext("请填写退出原因。"))
        if errors:
            raise ValidationError(errors)

    def validate_unique(self, exclude=None):
        """One file per ID number. The database keeps it unique through the keyed hash; this says so
        in words, next to the field, before the save is tried."""
        exclude = set(exclude or ())
        super().validate_unique(exclude=exclude | {"id_number_hash"})
        if self.id_number and "id_number" not in exclude:
            if Child.objects.filter(id_number=self.id_number).exclude(pk=self.pk).exists():
                raise ValidationError(
                    {"id_number": [gettext("该公民身份号码已登记在另一名儿童的档案中，请先查找该儿童。")]}
                )

    def save(self, *args, **kwargs):
        from . import names

        self.region_code = self.village_id or self.found_region_id or ""
        self.name_pinyin = names.pinyin(self.name)
        self.name_initials = names.initials(self.name)
        super().save(*args, **kwargs)

    @property
    def turns_adult_on(self):
        return add_years(self.birth_date, ADULT_AGE)


class Parent(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="parents", verbose_name=_("儿童"))
    role = models.CharField(_("父/母"), max_length=10, choices=ParentRole.choices)
    name = PersonNameField(_("姓名"), max_length=NAME_MAX, blank=True, validators=[validate_person_name])
    birth_date = models.DateField(_("出生日期"), null=True, blank=True, validators=[validate_not_future])
    id_number = EncryptedCharField(
        _("公民身份号码"),
        max_length=18,
        blank=True,
        validators=[validate_id_number],
        hash_field="id_number_hash",
    )
    id_number_hash = KeyedHashField(source="id_number", null=True, blank=True, db_index=True)
    objects = EncryptedManager()  # update() writes the hash with the number
    phone = EncryptedCharField(_("联系电话"), max_length=30, blank=True)
    situation = models.CharField(
        _("当前状况"), max_length=30, choices=ParentSituation.choices, default=ParentSituation.AT_HOME
    )
    situation_since = models.DateField(
        _("状况开始日期"),
        null=True,
        blank=True,
        validators=[validate_not_future],
        help_text=_("外出、服刑等开始的日期；失联的，填最后一次联系的日期。认定条件按月计算。"),
    )
    situation_until = models.DateField(
        _("预计结束日期"), null=True, blank=True, help_text=_("如刑期、戒毒期限届满日。")
    )
    police_report_date = models.DateField(
        _("失联报案日期"), null=True, blank=True, validators=[validate_not_future]
    )
    disability_type = models.CharField(
        _("残疾类别"), max_length=20, choices=DisabilityType.choices, blank=True
    )
    disability_grade = models.PositiveSmallIntegerField(
        _("残疾等级"), choices=DisabilityGrade.choices, null=True, blank=True
    )
    work_place = models.CharField(_("务工地点"), max_length=100, blank=True, help_text=_("如：浙江省宁波市"))
    contact_frequency = models.CharField(_("与孩子联系频率"), max_length=30, blank=True)
    return_frequency = models.CharField(_("回家频率"), max_length=30, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("父母")
        verbose_name_plural = _("父母")
        constraints = [models.UniqueConstraint(fields=["child", "role"], name="one_father_one_mother")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.id_number:
            try:
                self.id_number = idnumber.validate(self.id_number)
            except idnumber.InvalidIdNumber:
                pass
        # Out of contact is recorded with the date of last contact (``situation_since``); the police
        # report date is needed only for the de-facto-unsupported category, whose six months run from
        # the report (``classify.unable_to_support``), so it is asked for there and nowhere else.
        if (
            self.situation == ParentSituation.OUT_OF_CONTACT
            and not self.situation_since
            and not self.police_report_date
        ):
            errors["situation_since"] = gettext(
                "失联请填写最后一次联系的日期（状况开始日期）；已向公安机关报案的，另填报案日期"
                "（事实无人抚养儿童的认定从报案日起算）。"
            )
        if self.situation == ParentSituation.DISABLED and not (
            self.disability_type and self.disability_grade
        ):
            errors["disability_grade"] = gettext("请填写残疾类别和等级。")
        if self.situation_since and self.situation_until and self.situation_until < self.situation_since:
            errors["situation_until"] = gettext("结束日期不能早于开始日期。")
        if errors:
            raise ValidationError(errors)


class Carer(models.Model):
    """受委托照料人 (受委托监护人 in the 2016 form)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.OneToOneField(
        Child, on_delete=models.CASCADE, related_name="carer", verbose_name=_("儿童")
    )
    name = PersonNameField(_("姓名"), max_length=NAME_MAX, validators=[validate_person_name])
    relation = models.CharField(_("与儿童关系"), max_length=30, choices=CarerRelation.choices)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True, validators=[validate_not_future])
    phone = EncryptedCharField(_("联系电话"), max_length=30, blank=True)
    id_number = EncryptedCharField(
        _("公民身份号码"),
        max_length=18,
        blank=True,
        validators=[validate_id_number],
        hash_field="id_number_hash",
    )
    id_number_hash = KeyedHashField(source="id_number", null=True, blank=True, db_index=True)
    objects = EncryptedManager()  # update() writes the hash with the number
    health = models.CharField(_("健康状况"), max_length=20, choices=Health.choices, default=Health.HEALTHY)
    capacity = models.CharField(
        _("照料能力"), max_length=20, choices=CarerCapacity.choices, default=CarerCapacity.CAPABLE
    )
    address = models.CharField(_("居住地址"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("受委托照料人")
        verbose_name_plural = _("受委托照料人")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.birth_date and age_on(self.birth_date, timezone.localdate()) < ADULT_AGE:
            raise ValidationError(
                {
                    "birth_date": gettext(
                        "受委托照料人须年满18周岁。未成年兄弟姐妹共同生活的，请在“实际监护”中选择"
                        "“无成年人：仅与未成年兄弟姐妹共同生活”，不要登记为照料人。"
                    )
                }
            )


class RescueContact(models.Model):
    """救助联系人: who to call when the child needs help (the quarterly check and cases rely on them)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("儿童")
    )
    name = PersonNameField(_("姓名"), max_length=NAME_MAX, validators=[validate_person_name])
    relation = models.CharField(_("关系"), max_length=30, blank=True)
    phone = EncryptedCharField(_("电话"), max_length=30)
    role = models.CharField(_("职责"), max_length=50, blank=True, help_text=_("如：村干部、邻居、儿童主任"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("救助联系人")
        verbose_name_plural = _("救助联系人")

    def __str__(self) -> str:
        return f"{self.name} {self.phone}"


class Category(models.Model):
    """A child category. The national ones are derived by ``classify``; provinces add local ones."""

    code = models.CharField(_("代码"), max_length=40, primary_key=True)
    name = models.CharField(_("名称"), max_length=50)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    derived = models.BooleanField(_("由系统依据认定标准判定"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("儿童类别")
        verbose_name_plural = _("儿童类别")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class ChildCategory(models.Model):
    """A category the child holds now, since when and why."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="categories")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    since = models.DateField(_("认定日期"))
    reason = models.CharField(_("认定依据"), max_length=300)

    class Meta:
        verbose_name = _("儿童当前类别")
        constraints = [models.UniqueConstraint(fields=["child", "category"], name="one_membership")]
        indexes = [models.Index(fields=["category", "child"])]

    def __str__(self) -> str:
        return f"{self.child_id} {self.category_id}"


class CategoryEvent(models.Model):
    """When and why a category was gained or lost."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="category_events")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    gained = models.BooleanField(_("纳入"))
    on = models.DateField(_("日期"))
    reason = models.CharField(_("原因"), max_length=300)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("类别变更记录")
        ordering = ["-on", "-recorded_at"]

    def __str__(self) -> str:
        return f"{self.child_id} {'+' if self.gained else '-'}{self.category_id} {self.on}"


class NameToken(models.Model):
    """Characters and character bigrams of a child's name, for search (see ``names``)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="name_tokens")
    token = models.CharField(max_length=4)
    # The child's region, so that a search reads the tokens of the searcher's area only (a single
    # character is shared by thousands of children of a province).
    region_code = models.CharField(max_length=12, default="")

    class Meta:
        indexes = [models.Index(fields=["token", "region_code", "child"], name="name_token_idx")]
        constraints = [models.UniqueConstraint(fields=["child", "token"], name="one_token_per_child")]

    def __str__(self) -> str:
        return self.token


class Household(Versioned):
    """家庭: siblings who live together and the adults who care for them (the carer, the parents).

    A household lies in one village, its children's household village: its alerts, visits and work
    belong to that village's director. Its adults are the carer and parents recorded on its
    children's files (``adults``); they are not copied here, so a correction to one child's carer is
    the household's at once. Which children are linked, and when, is ``households.py``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    village = models.ForeignKey(
        "regions.Region",
        verbose_name=_("村/社区"),
        on_delete=models.PROTECT,
        related_name="households",
        db_index=False,  # ``region_code`` (the same code) carries the index
    )
    region_code = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(_("建立时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("家庭")
        verbose_name_plural = _("家庭")
        indexes = [models.Index(fields=["region_code"], name="household_region")]

    def __str__(self) -> str:
        return f"{self.village_id} {self.pk}"

    def save(self, *args, **kwargs):
        self.region_code = self.village_id or ""
        super().save(*args, **kwargs)

    def current_members(self):
        return self.members.filter(left_on__isnull=True).select_related("child")

    def children(self):
        return [m.child for m in self.current_members().order_by("child__birth_date")]


class HouseholdMember(models.Model):
    """A child's place in a household, from ``joined_on``; ``left_on`` when the child moved out."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="household_memberships")
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("迁出日期"), null=True, blank=True)
    reason = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=models.Q(left_on__isnull=True), name="one_current_household"
            )
        ]
        indexes = [models.Index(fields=["household", "left_on"])]

    def __str__(self) -> str:
        return f"{self.household_id} {self.child_id}"


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("已否定")


class HouseholdSuggestion(models.Model):
    """An uncertain match (same carer's name in the same village, without an ID number to prove it):
    a person who knows the family confirms or rejects it; a rejected pair is never suggested again."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="household_suggestions")
    other = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("依据"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("家庭关联建议")
        verbose_name_plural = _("家庭关联建议")
        constraints = [models.UniqueConstraint(fields=["child", "other"], name="one_suggestion_per_pair")]

    def __str__(self) -> str:
        return f"{self.child_id} ~ {self.other_id}"
