"""The shape of the API's resources. Serializers check types, choices and lengths only: the rules of
the registry (ID check digits, ages, jurisdiction, carers of age) are enforced by
``children.services``, whose errors ``api.errors.domain_errors`` turns into the same field-error shape.

Errors mirror the request body, as DRF's own are: ``{"name": [...]}``, ``{"carer": {"birth_date": [...]}}``,
and for the list fields one entry per submitted item, ``{"parents": [{}, {"birth_date": [...]}]}``;
errors that belong to no single field are under ``non_field_errors``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from shouhu.accounts import access
from shouhu.children import tiers
from shouhu.children.models import Carer, Child, ChildCategory, Parent, RescueContact
from shouhu.children.options import ETHNICITIES, Assistance, IncomeSource
from shouhu.regions.models import Region

# Fields a user does not see (``access.tiers_for``, ``children.tiers``) are left out of the answer.
_SENSITIVE_NOTE = _("敏感信息：只有可查看全部档案的用户才会收到该字段。")


class ShapeOnlyModelSerializer(serializers.ModelSerializer):
    """A model serializer without the model's own validators: the service runs them (``full_clean``)
    together with the rules across fields, so that a client gets every error in one answer."""

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        kwargs.pop("validators", None)
        return field_class, kwargs


class CategorySerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="category_id", read_only=True, label=_("代码"))
    name = serializers.SerializerMethodField(label=_("名称"))

    class Meta:
        model = ChildCategory
        fields = ["code", "name", "since", "reason"]
        read_only_fields = fields

    def get_name(self, membership: ChildCategory) -> str:
        return str(membership.category)


class ParentSerializer(ShapeOnlyModelSerializer):
    class Meta:
        model = Parent
        fields = [
            "role",
            "name",
            "birth_date",
            "id_number",
            "phone",
            "situation",
            "situation_since",
            "situation_until",
            "police_report_date",
            "disability_type",
            "disability_grade",
            "work_place",
            "contact_frequency",
            "return_frequency",
        ]
        extra_kwargs = {"id_number": {"help_text": _SENSITIVE_NOTE}}


class CarerSerializer(ShapeOnlyModelSerializer):
    class Meta:
        model = Carer
        fields = ["name", "relation", "birth_date", "phone", "id_number", "health", "capacity", "address"]
        extra_kwargs = {"id_number": {"help_text": _SENSITIVE_NOTE}}


class RescueContactSerializer(ShapeOnlyModelSerializer):
    class Meta:
        model = RescueContact
        fields = ["name", "relation", "phone", "role"]


def visibility(request, child: Child) -> tiers.Visibility:
    """What the requesting user sees of ``child``; everything when serialising without a request
    (services and jobs), nothing for an anonymous request."""
    if request is None:
        return tiers.Visibility(tiers.ALL_TIERS, "internal")
    grants = getattr(request, "shouhu_grants", None)  # read once per request, whatever the page size
    if grants is None:
        grants = request.shouhu_grants = access.grants_once(request.user)
    return access.tiers_for(request.user, child, grants=grants)


def drop_unseen(data: dict, seen: tiers.Visibility) -> dict:
    """Leave out of a serialised child every field (and nested field) ``seen`` does not cover."""
    if seen.everything:
        return data
    nested = {"parents": "parent", "carer": "carer", "contacts": "contact"}
    for name in list(data):
        if not seen.sees("child", name):
            del data[name]
        elif name in nested and data[name] is not None:
            part = nested[name]
            items = data[name] if isinstance(data[name], list) else [data[name]]
            for item in items:
                for field in list(item):
                    if not seen.sees(part, field):
                        del item[field]
    return data


class ChildSummarySerializer(serializers.ModelSerializer):
    """A row of the list: who the child is and where, not the file. The file is read one child at a
    time (``GET /children/{id}/``), and each opening is logged."""

    village = serializers.CharField(
        source="village_id", read_only=True, allow_null=True, label=_("村/社区代码")
    )
    village_name = serializers.CharField(
        source="village.name", read_only=True, allow_null=True, label=_("村/社区")
    )
    found_region = serializers.CharField(
        source="found_region_id", read_only=True, allow_null=True, label=_("发现地代码")
    )
    categories = CategorySerializer(many=True, read_only=True, help_text=_SENSITIVE_NOTE)

    class Meta:
        model = Child
        fields = [
            "id",
            "name",
            "gender",
            "birth_date",
            "village",
            "village_name",
            "is_homeless",
            "found_region",
            "schooling",
            "grade",
            "living_arrangement",
            "exited_on",
            "categories",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Child) -> dict:
        seen = visibility(self.context.get("request"), instance)
        return drop_unseen(super().to_representation(instance), seen)


class ChildSerializer(ShapeOnlyModelSerializer):
    """A child's file (一人一档) with parents, entrusted carer and rescue contacts.

    Writing: ``parents`` items are matched by ``role``; a role not sent is left as it is.
    ``carer``: an object sets it, ``null`` removes it, leaving it out keeps it. ``contacts``: the list
    sent replaces the list stored.
    """

    village = serializers.CharField(
        source="village_id",
        max_length=12,
        required=False,
        allow_null=True,
        allow_blank=True,
        label=_("户籍所在村/社区代码"),
        help_text=_("12位统计用区划代码。"),
    )
    village_name = serializers.CharField(
        source="village.name", read_only=True, allow_null=True, label=_("户籍所在村/社区")
    )
    found_region = serializers.CharField(
        source="found_region_id",
        max_length=12,
        required=False,
        allow_null=True,
        allow_blank=True,
        label=_("发现地（区划代码）"),
        help_text=_("流浪未成年人必填。"),
    )
    school = serializers.UUIDField(source="school_id", required=False, allow_null=True, label=_("学校"))
    ethnicity = serializers.ChoiceField(choices=ETHNICITIES, required=False, label=_("民族"))
    income_sources = serializers.ListField(
        child=serializers.ChoiceField(choices=IncomeSource.choices), required=False, label=_("家庭经济来源")
    )
    assistance = serializers.ListField(
        child=serializers.ChoiceField(choices=Assistance.choices), required=False, label=_("救助帮扶情况")
    )
    categories = CategorySerializer(many=True, read_only=True)
    parents = ParentSerializer(many=True, required=False)
    carer = CarerSerializer(required=False, allow_null=True)
    contacts = RescueContactSerializer(many=True, required=False)

    class Meta:
        model = Child
        fields = [
            "id",
            "version",
            "name",
            "gender",
            "birth_date",
            "id_number",
            "ethnicity",
            "household_registered",
            "hukou_type",
            "village",
            "village_name",
            "address",
            "is_homeless",
            "found_region",
            "found_place",
            "placement",
            "school",
            "grade",
            "schooling",
            "boarding",
            "health",
            "disability_type",
            "disability_grade",
            "illness",
            "living_arrangement",
            "guardianship_quality",
            "guardianship_concern",
            "income_sources",
            "assistance",
            "exited_on",
            "exit_reason",
            "categories",
            "parents",
            "carer",
            "contacts",
        ]
        read_only_fields = ["id"]
        extra_kwargs = {
            "id_number": {"help_text": _SENSITIVE_NOTE},
            "health": {"help_text": _SENSITIVE_NOTE},
            "disability_type": {"help_text": _SENSITIVE_NOTE},
            "disability_grade": {"help_text": _SENSITIVE_NOTE},
            "illness": {"help_text": _SENSITIVE_NOTE},
        }

    def _existing_region(self, code: str | None) -> str | None:
        # Django's own message for a missing foreign key is not translated; say it in the user's words.
        if code and not Region.objects.filter(code=code).exists():
            raise serializers.ValidationError(_("没有代码为 %(code)s 的区划，请检查代码。") % {"code": code})
        return code

    def validate_village(self, value: str | None) -> str | None:
        return self._existing_region(value)

    def validate_found_region(self, value: str | None) -> str | None:
        return self._existing_region(value)

    def validate_parents(self, value: list[dict]) -> list[dict]:
        roles = [item.get("role") for item in value]
        if any(role is None for role in roles):
            raise serializers.ValidationError(_("每位父母都要注明 role（father 或 mother）。"))
        if len(set(roles)) != len(roles):
            raise serializers.ValidationError(_("父亲、母亲各只能填写一次。"))
        return value

    def to_representation(self, instance: Child) -> dict:
        seen = visibility(self.context.get("request"), instance)
        return drop_unseen(super().to_representation(instance), seen)

    def service_arguments(self) -> dict[str, Any]:
        """The validated data as ``child_register`` / ``child_update`` take it."""
        data = dict(self.validated_data)
        arguments: dict[str, Any] = {"parents": None, "carer": None, "contacts": None}
        if "parents" in data:
            arguments["parents"] = {item.pop("role"): item for item in map(dict, data.pop("parents"))}
        if "carer" in data:
            carer = data.pop("carer")
            arguments["carer"] = dict(carer) if carer is not None else {}  # {} asks the service to remove it
        if "contacts" in data:
            arguments["contacts"] = [dict(item) for item in data.pop("contacts")]
        for key in ("village_id", "found_region_id"):
            if data.get(key) == "":
                data[key] = None
        arguments["fields"] = data
        return arguments
