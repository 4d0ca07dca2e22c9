"""Shapes of the referrals API: the registry of social organisations, referrals and the services
delivered. Reading shapes and request bodies only; every change is made by ``referrals.services``.
A referral shows of the child only what ``referrals.selectors.child_view`` allows the reader: never an
ID number; the name and the guardian's contact only to the territory and, while the referral is
accepted, to the organisation's staff."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shouhu.referrals import selectors
from shouhu.referrals.models import ConsentBy, Provider, Referral, ServiceRecord, ServiceType


class ServiceTypeSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True, label=_("名称"))

    class Meta:
        model = ServiceType
        fields = ["code", "label"]


class AreaSerializer(serializers.Serializer):
    code = serializers.CharField(label=_("区划代码"))
    name = serializers.CharField(source="full_name", label=_("名称"))


class ProviderSerializer(serializers.ModelSerializer):
    """A social organisation as a provider: its services and the areas it serves (each with its subtree)."""

    id = serializers.UUIDField(source="organisation_id", read_only=True)
    name = serializers.CharField(source="organisation.name", read_only=True, label=_("名称"))
    region = serializers.CharField(source="organisation.region_id", read_only=True, label=_("所在区划"))
    phone = serializers.CharField(source="organisation.phone", read_only=True, label=_("电话"))
    services = ServiceTypeSerializer(many=True, read_only=True, label=_("提供的服务"))
    areas = AreaSerializer(many=True, read_only=True, label=_("服务区域"))

    class Meta:
        model = Provider
        fields = ["id", "name", "kind", "region", "phone", "accepting", "description", "services", "areas"]


class GuardianSerializer(serializers.Serializer):
    name = serializers.CharField(label=_("姓名"))
    relation = serializers.CharField(label=_("关系"))
    phone = serializers.CharField(label=_("电话"))


class ReferredChildSerializer(serializers.Serializer):
    """What the reader may see of the child. ``identified`` false: no name, no guardian."""

    identified = serializers.BooleanField()
    name = serializers.CharField(label=_("姓名"))
    age = serializers.IntegerField(label=_("年龄"))
    gender = serializers.CharField(label=_("性别"))
    place = serializers.CharField(label=_("所在村/社区"))
    guardians = GuardianSerializer(many=True, label=_("监护人联系方式"))


class ServiceRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceRecord
        fields = ["id", "delivered_on", "description", "worker", "hours", "outcome", "recorded_at"]


class ReferralSerializer(serializers.ModelSerializer):
    organisation = serializers.UUIDField(source="provider_id", read_only=True, label=_("接收机构"))
    organisation_name = serializers.CharField(source="provider.organisation.name", read_only=True)
    service = serializers.CharField(source="service_id", read_only=True, label=_("服务"))
    service_label = serializers.CharField(source="service.label", read_only=True)
    child = serializers.SerializerMethodField(label=_("儿童"))
    case = serializers.SerializerMethodField(label=_("个案"))
    records = ServiceRecordSerializer(many=True, read_only=True, label=_("服务记录"))

    class Meta:
        model = Referral
        fields = [
            "id",
            "version",
            "status",
            "organisation",
            "organisation_name",
            "service",
            "service_label",
            "need",
            "child",
            "case",
            "consent_by",
            "consent_on",
            "legal_basis",
            "referred_at",
            "due_at",
            "responded_at",
            "decline_reason",
            "ended_at",
            "closing_report",
            "revoke_reason",
            "records",
        ]

    @extend_schema_field(ReferredChildSerializer)
    def get_child(self, referral) -> dict:
        view = selectors.child_view(self.context["request"].user, referral, grants=self.context.get("grants"))
        return ReferredChildSerializer(view).data

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_case(self, referral):
        """The case, for those who see it (the child's territory); null for the organisation."""
        return referral.case_id if self.context.get("sees_case", lambda r: False)(referral) else None


class ReferralCreateSerializer(serializers.Serializer):
    case = serializers.UUIDField(label=_("个案"))
    organisation = serializers.UUIDField(label=_("接收机构"))
    service = serializers.CharField(label=_("服务"), help_text="A code from /api/v1/service-types/.")
    need = serializers.CharField(label=_("转介需求"), max_length=2000, allow_blank=True)
    consent_by = serializers.ChoiceField(
        choices=ConsentBy.choices, required=False, allow_blank=True, default="", label=_("知情同意")
    )
    consent_on = serializers.DateField(required=False, allow_null=True, default=None, label=_("同意日期"))
    legal_basis = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300, label=_("法律依据")
    )


class CloseSerializer(serializers.Serializer):
    report = serializers.CharField(max_length=4000, allow_blank=True, label=_("结案报告"))


class ServiceRecordCreateSerializer(serializers.Serializer):
    delivered_on = serializers.DateField(label=_("服务日期"))
    description = serializers.CharField(max_length=500, allow_blank=True, label=_("服务内容"))
    worker = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default="", label=_("服务人员")
    )
    hours = serializers.DecimalField(max_digits=4, decimal_places=1, label=_("时长（小时）"))
    outcome = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="", label=_("服务成效")
    )
