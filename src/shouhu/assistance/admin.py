from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from . import eligibility
from .models import AssistanceType, CountyAmount


class AssistanceTypeForm(forms.ModelForm):
    class Meta:
        model = AssistanceType
        fields = ["code", "name", "name_en", "monthly", "rule", "basis", "active", "order"]

    def clean_rule(self):
        rule = self.cleaned_data["rule"] or {}
        try:
            return eligibility.validate_rule(rule)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc


@admin.register(AssistanceType)
class AssistanceTypeAdmin(admin.ModelAdmin):
    form = AssistanceTypeForm
    list_display = ["code", "name", "monthly", "active", "basis"]


@admin.register(CountyAmount)
class CountyAmountAdmin(admin.ModelAdmin):
    list_display = ["county", "type", "monthly_amount", "from_date"]
    list_filter = ["type"]
    raw_id_fields = ["county"]
