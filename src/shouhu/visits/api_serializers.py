"""The shape of the visits module's resources: visits, investigations, children's homes and
their sessions, county visit policies.

As for the registry, serializers check types, choices and lengths only; the rules (dates not in the
future nor before birth, who may record, policy ranges) are the services' own, and their errors come
back in the same field-error shape (``service_errors``). Changes to a child's file sent with a visit
(``facts``) or an investigation check (``changes``) are checked with the registry's own serializers
and applied by the registry's service.
"""

from __future__ import annotations

from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shouhu.children.api_serializers import (
    CarerSerializer,
    ChildSerializer,
    ParentSerializer,
    ShapeOnlyModelSerializer,
)
from shouhu.visits.models import (
    ActivitySession,
    ChildrensHome,
    Investigation,
    InvestigationItem,
    Visit,
    VisitPolicy,
)
from shouhu.visits.services import POLICY_FIELDS

NESTED_CHILD_PARTS = ("parents", "carer", "contacts")
PARENT_ROLES = ("father", "mother")

_CHANGES_SCHEMA = {
    "type": "object",
    "properties": {
        "fields": {
            "type": "object",
            "additionalProperties": True,
            "description": "Fields of the child's file as in PATCH /api/v1/children/{id}/ "
            "(e.g. living_arrangement, schooling), without parents, carer and contacts.",
        },
        "parents": {
            "type": "object",
            "description": 'By role: `{"father": {"situation": "at_home"}}`; fields as in a child\'s '
            "`parents` items; a role not sent is left as it is.",
            "properties": {role: {"type": "object", "additionalProperties": True} for role in PARENT_ROLES},
            "additionalProperties": False,
        },
    },
    "additionalProperties": False,
}
_CHANGES_WITH_CARER_SCHEMA = {
    **_CHANGES_SCHEMA,
    "properties": {
        **_CHANGES_SCHEMA["properties"],
        "carer": {
            "type": "object",
            "nullable": True,
            "additionalProperties": True,
            "description": "The entrusted carer's fields; null removes the carer.",
        },
    },
}


class _ChildChangesField(serializers.JSONField):
    """Changes to a child's file, by part: ``{"fields": {...}, "parents": {"father": {...}}}``.

    Checked with ``ChildSerializer`` / ``ParentSerializer`` / ``CarerSerializer`` and returned as
    ``children.services.child_update`` takes them (model field names, parents keyed by role)."""

    parts: tuple[str, ...] = ("fields", "parents")

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if not isinstance(data, dict):
            raise serializers.ValidationError(_('请提交一个对象，如 {"fields": {...}, "parents": {...}}。'))
        unknown = set(data) - set(self.parts)
        if unknown:
            raise serializers.ValidationError(
                {
                    key: [_("只能包含 %(parts)s。") % {"parts": "、".join(self.parts)}]
                    for key in sorted(unknown)
                }
            )
        errors: dict[str, Any] = {}
        result: dict[str, Any] = {}
        if data.get("fields") is not None:
            result["fields"] = self._fields(data["fields"], errors)
        if data.get("parents") is not None:
            result["parents"] = self._parents(data["parents"], errors)
        if "carer" in data:
            result["carer"] = self._carer(data["carer"], errors)
        if errors:
            raise serializers.ValidationError(errors)
        return result

    def _fields(self, fields, errors: dict) -> dict:
        if not isinstance(fields, dict):
            errors["fields"] = [_("请提交一个对象。")]
            return {}
        nested = [key for key in fields if key in NESTED_CHILD_PARTS]
        if nested:
            errors["fields"] = {key: [_("父母、照料人请在 parents / carer 中填写。")] for key in nested}
            return {}
        serializer = ChildSerializer(data=fields, partial=True)
        writable = {name for name, field in serializer.fields.items() if not field.read_only}
        unknown = sorted(set(fields) - writable)
        if unknown:
            errors["fields"] = {key: [_("不是儿童档案中可修改的字段。")] for key in unknown}
            return {}
        if not serializer.is_valid():
            errors["fields"] = serializer.errors
            return {}
        return serializer.service_arguments()["fields"]

    def _parents(self, parents, errors: dict) -> dict:
        if not isinstance(parents, dict):
            errors["parents"] = [_("请按 father / mother 提交对象。")]
            return {}
        result, problems = {}, {}
        for role, values in parents.items():
            if role not in PARENT_ROLES:
                problems[role] = [_("父母只能是 father 或 mother。")]
                continue
            serializer = ParentSerializer(data=values, partial=True)
            if not isinstance(values, dict) or "role" in values:
                problems[role] = [_("请提交该父/母的字段（不含 role）。")]
            elif serializer.is_valid():
                result[role] = dict(serializer.validated_data)
            else:
                problems[role] = serializer.errors
        if problems:
            errors["parents"] = problems
        return result

    def _carer(self, carer, errors: dict) -> dict:
        if carer is None:
            return {}  # the registry's service reads {} as "remove the carer"
        serializer = CarerSerializer(data=carer, partial=True)
        if not isinstance(carer, dict):
            errors["carer"] = [_("请提交一个对象，或 null 表示删除照料人。")]
        elif serializer.is_valid():
            return dict(serializer.validated_data)
        else:
            errors["carer"] = serializer.errors
        return {}


@extend_schema_field(_CHANGES_SCHEMA)
class VisitFactsField(_ChildChangesField):
    parts = ("fields", "parents")


@extend_schema_field(_CHANGES_WITH_CARER_SCHEMA)
class CheckChangesField(_ChildChangesField):
    parts = ("fields", "parents", "carer")


# --- visits ---------------------------------------------------------------------------------------


def _observation(name: str, **kwargs) -> serializers.ChoiceField:
    """A visit's observation with its own option names (``安全：是``): the same yes/no/unknown or
    good/fair/poor set serves several questions, and each question is documented as its own enum."""
    field = Visit._meta.get_field(name)
    return serializers.ChoiceField(
        choices=[(value, format_lazy("{}：{}", field.verbose_name, label)) for value, label in field.choices],
        required=False,
        allow_blank=True,
        label=field.verbose_name,
        **kwargs,
    )


class VisitSerializer(ShapeOnlyModelSerializer):
    """A visit or a failed attempt (nobody home, a locked door, no answer, refused)."""

    guardian_capable = _observation("guardian_capable")
    # Not "health": that name is the child's health status (健康状况) in the registry's resources.
    physical_health = _observation("health", source="health")
    mood = _observation("mood")
    safe = _observation("safe")
    in_school = _observation("in_school")

    child = serializers.UUIDField(source="child_id", label=_("儿童"))
    child_name = serializers.CharField(source="child.name", read_only=True, label=_("儿童姓名"))
    region = serializers.CharField(source="region_code", read_only=True, label=_("区划代码"))
    visitor = serializers.UUIDField(source="visitor_id", read_only=True, label=_("走访人"))
    visitor_name = serializers.SerializerMethodField(label=_("走访人姓名"))
    failed = serializers.BooleanField(read_only=True, label=_("未遇（未完成走访）"))
    facts = VisitFactsField(
        required=False,
        write_only=True,
        label=_("走访中核实的档案变化"),
        help_text=_("如父母返乡、辍学，经档案的修改规则保存并重新认定类别；有错误时走访也不保存。"),
    )

    class Meta:
        model = Visit
        fields = [
            "id",
            "child",
            "child_name",
            "region",
            "visited_on",
            "kind",
            "outcome",
            "failed",
            "visitor",
            "visitor_name",
            "saw_child",
            "saw_guardian",
            "guardian_capable",
            "physical_health",
            "mood",
            "safe",
            "in_school",
            "home_hazards",
            "parent_contact",
            "notes",
            "follow_up",
            "created_at",
            "facts",
        ]
        read_only_fields = ["id", "created_at"]

    def get_visitor_name(self, visit: Visit) -> str:
        return str(visit.visitor)

    def service_data(self) -> tuple[object, dict, dict | None]:
        """(child id, the visit's fields, the facts) as ``visits.services.visit_record`` takes them."""
        data = dict(self.validated_data)
        return data.pop("child_id"), data, data.pop("facts", None) or None


VISIT_OWN_KEYS = {*VisitSerializer.Meta.fields, "idempotency_key", "child", "visitor"}


# --- investigations -------------------------------------------------------------------------------


class InvestigationSerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="county_id", read_only=True, label=_("县（区）代码"))
    county_name = serializers.CharField(source="county.name", read_only=True, label=_("县（区）"))
    opened_by = serializers.UUIDField(source="opened_by_id", read_only=True, label=_("发起人"))
    closed_by = serializers.UUIDField(
        source="closed_by_id", read_only=True, allow_null=True, label=_("结束人")
    )

    class Meta:
        model = Investigation
        fields = [
            "id",
            "county",
            "county_name",
            "year",
            "quarter",
            "all_children",
            "opened_by",
            "opened_at",
            "closed_at",
            "closed_by",
        ]
        read_only_fields = fields


class ProgressSerializer(serializers.Serializer):
    area = serializers.CharField(label=_("乡镇或村代码"))
    name = serializers.CharField(label=_("名称"))
    total = serializers.IntegerField(label=_("应排查"))
    checked = serializers.IntegerField(label=_("已排查"))


class InvestigationDetailSerializer(InvestigationSerializer):
    progress = serializers.SerializerMethodField(label=_("排查进度"))
    summary = serializers.SerializerMethodField(label=_("排查汇总"))

    class Meta(InvestigationSerializer.Meta):
        fields = [*InvestigationSerializer.Meta.fields, "progress", "summary"]
        read_only_fields = fields

    @extend_schema_field(ProgressSerializer(many=True))
    def get_progress(self, investigation: Investigation) -> list[dict]:
        return self.context.get("progress", [])

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "description": "After closing: `townships` (checked, pending, newly found, children who "
            "entered, exited or changed category, with reasons) and `rescue` (per village: each "
            "child's rescue measures and rescue contacts), only for the parts within your territory.",
        }
    )
    def get_summary(self, investigation: Investigation) -> dict | None:
        return self.context.get("summary")


class InvestigationOpenSerializer(serializers.Serializer):
    county = serializers.RegexField(
        r"^\d{6}$", label=_("县（区）代码"), error_messages={"invalid": _("县级区划代码应为6位数字。")}
    )
    year = serializers.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(label=_("季度"), help_text=_("1 到 4。"))
    all_children = serializers.BooleanField(
        label=_("排查全部登记儿童"), default=False, help_text=_("否则只排查留守、困境等重点儿童。")
    )


class InvestigationItemSerializer(serializers.ModelSerializer):
    investigation = serializers.UUIDField(source="investigation_id", read_only=True, label=_("排查"))
    child = serializers.UUIDField(source="child_id", read_only=True, label=_("儿童"))
    child_name = serializers.CharField(source="child.name", read_only=True, label=_("儿童姓名"))
    region = serializers.CharField(source="region_code", read_only=True, label=_("区划代码"))
    assignee = serializers.UUIDField(source="assignee_id", read_only=True, allow_null=True, label=_("排查人"))
    checked_by = serializers.UUIDField(
        source="checked_by_id", read_only=True, allow_null=True, label=_("核实人")
    )
    categories_before = serializers.ListField(
        child=serializers.CharField(), read_only=True, label=_("排查前类别")
    )
    categories_after = serializers.ListField(
        child=serializers.CharField(), read_only=True, label=_("排查后类别")
    )

    class Meta:
        model = InvestigationItem
        fields = [
            "id",
            "investigation",
            "child",
            "child_name",
            "region",
            "assignee",
            "status",
            "categories_before",
            "categories_after",
            "note",
            "checked_at",
            "checked_by",
            "newly_found",
        ]
        read_only_fields = fields


class InvestigationCheckSerializer(serializers.Serializer):
    changes = CheckChangesField(
        required=False,
        label=_("核实后的档案变化"),
        help_text=_("不填表示情况无变化；填写时经档案的修改规则保存并重新认定类别。"),
    )
    note = serializers.CharField(
        label=_("说明"), max_length=500, required=False, allow_blank=True, default=""
    )


CHECK_OWN_KEYS = {"status", "note", "changes"}


# --- children's homes and sessions ----------------------------------------------------------------


class ChildrensHomeSerializer(ShapeOnlyModelSerializer):
    village = serializers.RegexField(
        r"^\d{12}$",
        source="village_id",
        label=_("村/社区代码"),
        error_messages={"invalid": _("请填写12位村/社区区划代码。")},
    )
    village_name = serializers.CharField(source="village.name", read_only=True, label=_("村/社区"))
    last_held_on = serializers.DateField(read_only=True, allow_null=True, label=_("最近一次活动日期"))

    class Meta:
        model = ChildrensHome
        fields = ["id", "village", "village_name", "name", "opening_hours", "address", "last_held_on"]
        read_only_fields = ["id"]


class AttendeeSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)


class ActivitySessionSerializer(ShapeOnlyModelSerializer):
    home = serializers.UUIDField(source="home_id", label=_("儿童之家"))
    home_name = serializers.CharField(source="home.name", read_only=True, label=_("儿童之家名称"))
    attendees = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        write_only=True,
        label=_("参加儿童"),
        help_text=_("本乡镇登记儿童的 id。"),
    )
    children = AttendeeSerializer(
        source="attendees", many=True, read_only=True, label=_("参加儿童（您可查看的）")
    )
    recorded_by = serializers.UUIDField(source="recorded_by_id", read_only=True, label=_("登记人"))

    class Meta:
        model = ActivitySession
        fields = [
            "id",
            "home",
            "home_name",
            "held_on",
            "topic",
            "leader",
            "attendees",
            "children",
            "attendee_count",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {
            "attendee_count": {"help_text": _("参加总人数（含未登记的儿童）；少于所列儿童数时按所列人数计。")}
        }


# --- visit policy ---------------------------------------------------------------------------------


class VisitPolicySerializer(ShapeOnlyModelSerializer):
    county = serializers.CharField(source="county_id", read_only=True, label=_("县（区）代码"))
    county_name = serializers.CharField(source="county.name", read_only=True, label=_("县（区）"))

    class Meta:
        model = VisitPolicy
        fields = ["county", "county_name", *POLICY_FIELDS, "updated_at"]
        read_only_fields = ["county", "county_name", "updated_at"]
