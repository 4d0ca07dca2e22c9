"""Shapes of the assistance API: types, applications with their steps, payments. Reading shapes and
request bodies only; every change is made by ``assistance.services``."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shouhu.assistance.models import Application, ApplicationStep, AssistanceType, Payment


class AssistanceTypeSerializer(serializers.ModelSerializer):
    """A type of assistance, its eligibility rule (parameters of fixed checks) and the standard amount of
    the user's county today (null when the county has set none)."""

    amount = serializers.SerializerMethodField(label=_("本县标准（元）"))

    class Meta:
        model = AssistanceType
        fields = ["code", "name", "name_en", "monthly", "rule", "basis", "amount"]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True))
    def get_amount(self, t: AssistanceType):
        amounts = self.context.get("amounts") or {}
        value = amounts.get(t.code)
        return None if value is None else f"{value:.2f}"


class ApplicationStepSerializer(serializers.ModelSerializer):
    by = serializers.UUIDField(source="by_id", read_only=True, allow_null=True)
    by_name = serializers.SerializerMethodField()

    class Meta:
        model = ApplicationStep
        fields = ["level", "action", "by", "by_name", "at", "comment"]
        read_only_fields = fields

    def get_by_name(self, step: ApplicationStep) -> str | None:
        return str(step.by) if step.by_id else None


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["id", "month", "amount", "paid_on", "recorded_at"]
        read_only_fields = fields


class EligibilityRowSerializer(serializers.Serializer):
    rule = serializers.CharField()
    name = serializers.CharField()
    passed = serializers.BooleanField()
    text = serializers.CharField()


class ApplicationSerializer(serializers.ModelSerializer):
    """An application with its steps (who, when, at which level, with what comment) and payments.
    ``return_reason`` is what the applicant must correct when ``status`` is ``returned``."""

    child = serializers.UUIDField(source="child_id", read_only=True)
    child_name = serializers.CharField(source="child.name", read_only=True)
    region = serializers.CharField(source="region_code", read_only=True)
    type = serializers.CharField(source="type_id", read_only=True)
    type_name = serializers.CharField(source="type.name", read_only=True)
    status_name = serializers.CharField(source="get_status_display", read_only=True)
    applicant = serializers.UUIDField(source="applicant_id", read_only=True)
    eligibility = EligibilityRowSerializer(many=True, read_only=True)
    due_at = serializers.DateTimeField(
        source="work_item.due_at", read_only=True, allow_null=True, default=None
    )
    steps = ApplicationStepSerializer(many=True, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)
    # Declared so that the schema allows "" (not returned): a read-only model field loses allow_blank.
    returned_by_level = serializers.ChoiceField(
        choices=Application._meta.get_field("returned_by_level").choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Application
        fields = [
            "id",
            "version",
            "child",
            "child_name",
            "region",
            "type",
            "type_name",
            "status",
            "status_name",
            "reason",
            "applicant",
            "eligibility",
            "returned_by_level",
            "return_reason",
            "starts_on",
            "stopped_on",
            "stop_reason",
            "due_at",
            "created_at",
            "decided_at",
            "steps",
            "payments",
        ]
        read_only_fields = fields


class ApplicationCreateSerializer(serializers.Serializer):
    child = serializers.UUIDField(label=_("儿童"))
    type = serializers.SlugRelatedField(
        slug_field="code", queryset=AssistanceType.objects.filter(active=True), label=_("救助类型")
    )
    reason = serializers.CharField(max_length=2000, label=_("申请理由"))


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, label=_("退回原因"))


class ResubmitSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class MonthField(serializers.DateField):
    """A month as ``YYYY-MM`` (or any day of it), kept as its first day."""

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m", "%Y-%m-%d"], **kwargs)

    def to_internal_value(self, value) -> dt.date:
        return super().to_internal_value(value).replace(day=1)


class PaymentCreateSerializer(serializers.Serializer):
    month = MonthField(label=_("发放月份"))
    paid_on = serializers.DateField(label=_("发放日期"))
    amount = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, default=None, label=_("金额（元）")
    )


class StopSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, label=_("停发原因"))
    stopped_on = serializers.DateField(required=False, allow_null=True, default=None, label=_("停发日期"))
