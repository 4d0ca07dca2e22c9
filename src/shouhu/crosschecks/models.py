"""Cross-checks of the registry against other lists: a school's enrolment list, a 低保/特困 list.

A ``CrossCheck`` is one run (who, when, which file, the counts); each ``Difference`` it found is one
fact to verify — a possible drop-out, a child not registered, a category to check — carried by a
work item of the escalation mechanism for the village director (or the township supervisor when no
village is known) and closed with a resolution and a reason. A difference is keyed so that the same
list uploaded again finds the same differences instead of making new ones; a run links to every
difference it found, old or new.

Of the uploaded list only what a difference needs is kept: for a child not in the registry, the name,
sex, birth date and ID number (encrypted, as in the registry) and a line of context; for a child who
is, nothing but a line of context (grade and class, the household head and the assistance type).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouhu.children.crypto import EncryptedCharField, EncryptedManager, KeyedHashField


class ListKind(models.TextChoices):
    SCHOOL = "school", _("学校在校生名单")
    DIBAO = "dibao", _("低保/特困名单")


class DifferenceKind(models.TextChoices):
    DROPOUT = "dropout", _("疑似辍学：名册在该校，名单中没有")
    UNREGISTERED = "unregistered", _("名单中有，名册未登记")
    CATEGORY = "category", _("留守类别不一致")
    DIFFICULTY = "difficulty", _("低保/特困家庭儿童未认定为困境儿童")


class Resolution(models.TextChoices):
    IN_SCHOOL = "in_school", _("已核实在校")
    TRANSFERRED = "transferred", _("已转学或迁出")
    DROPPED_OUT = "dropped_out", _("已辍学并启动劝返")
    REGISTERED = "registered", _("已登记")
    CORRECTED = "corrected", _("已更正档案")
    NOT_APPLICABLE = "not_applicable", _("经核实不属于本村或不需登记")
    LIST_WRONG = "list_wrong", _("名单有误")


class CrossCheck(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("名单类型"), max_length=10, choices=ListKind.choices)
    school = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("学校"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The place the list covers (the school's region, or the uploader's territory for a 低保 list):
    # who may see the run is decided on it by ``accounts.access``.
    region_code = models.CharField(_("区划代码"), max_length=12)
    file_name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("比对时间"), default=timezone.now)
    rows = models.PositiveIntegerField(_("名单行数"), default=0)
    compared = models.PositiveIntegerField(_("比对的儿童"), default=0)
    matched = models.PositiveIntegerField(_("名册中找到"), default=0)
    out_of_reach = models.PositiveIntegerField(_("登记在管辖范围以外"), default=0)
    grades = models.JSONField(_("名单覆盖的年级"), default=list, blank=True)
    differences = models.ManyToManyField("Difference", related_name="runs", blank=True)

    class Meta:
        verbose_name = _("名单比对")
        verbose_name_plural = _("名单比对")
        ordering = ["-uploaded_at"]
        indexes = [
            models.Index(
                fields=["region_code"], name="crosscheck_region_prefix", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"


class Difference(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # What the difference is about, so that uploading a list again finds it instead of adding one.
    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("差异类型"), max_length=20, choices=DifferenceKind.choices, db_index=True)
    list_kind = models.CharField(_("名单类型"), max_length=10, choices=ListKind.choices)
    child = models.ForeignKey(
        "children.Child",
        verbose_name=_("儿童"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    region_code = models.CharField(_("区划代码"), max_length=12)
    work_item = models.OneToOneField(
        "escalation.WorkItem",
        verbose_name=_("督办事项"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="crosscheck_difference",
    )
    first_run = models.ForeignKey(
        CrossCheck, verbose_name=_("首次发现"), on_delete=models.CASCADE, related_name="found"
    )
    # A child the registry does not hold: what the list says, to find and register the child.
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    gender = models.CharField(_("性别"), max_length=10, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_number = EncryptedCharField(_("公民身份号码"), max_length=18, blank=True, hash_field="id_number_hash")
    id_number_hash = KeyedHashField(source="id_number", null=True, blank=True, db_index=True)
    objects = EncryptedManager()  # update() writes the hash with the number
    detail = models.CharField(_("名单所载"), max_length=200, blank=True)
    # What the list said, as a code and its parameters (``escalation.texts``: ``crosscheck.detail.*``).
    detail_code = models.CharField(max_length=40, blank=True, default="", db_default="")
    detail_params = models.JSONField(null=True, blank=True, default=dict)
    created_at = models.DateTimeField(_("发现时间"), default=timezone.now)
    resolution = models.CharField(_("处理结果"), max_length=20, choices=Resolution.choices, blank=True)
    reason = models.CharField(_("说明"), max_length=300, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("名单比对差异")
        verbose_name_plural = _("名单比对差异")
        ordering = ["kind", "region_code", "created_at"]
        indexes = [
            models.Index(
                fields=["region_code"], name="xcheck_diff_region_prefix", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name or self.child_id}"

    @property
    def detail_text(self) -> str:
        """What the list said, in the active language (a row written before the codes: as stored)."""
        from shouhu.escalation.texts import render

        return render(self.detail_code, self.detail_params, self.detail)

    @property
    def is_open(self) -> bool:
        return not self.closed_at
