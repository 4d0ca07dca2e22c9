"""Forms of the referral pages: they parse what was entered; whether it is acceptable is decided by
``referrals.services``, whose errors go back next to their fields."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from . import selectors
from .models import ConsentBy

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProviderChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        services = pgettext("list separator", "、").join(str(s.label) for s in obj.services.all())
        return f"{obj.organisation.name} · {services}" if services else obj.organisation.name


class ReferralForm(forms.Form):
    provider = ProviderChoice(label=_("接收机构"), queryset=selectors.providers().filter(accepting=True))
    service = forms.ModelChoiceField(label=_("服务"), queryset=selectors.service_types())
    need = forms.CharField(
        label=_("转介需求"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("儿童需要什么帮助；机构在接收前只看到需求、年龄和所在村，看不到姓名。"),
    )
    consent_by = forms.ChoiceField(
        label=_("知情同意"),
        required=False,
        choices=[("", _("（未取得同意，填写法律依据）")), *ConsentBy.choices],
    )
    consent_on = forms.DateField(label=_("同意日期"), required=False, widget=_DATE)
    legal_basis = forms.CharField(
        label=_("法律依据"),
        required=False,
        max_length=300,
        help_text=_("未取得同意时必填，如：《未成年人保护法》第九十二条。"),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    report = forms.CharField(
        label=_("结案报告"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("服务经过、儿童现状和后续建议；报告将记入个案时间线。"),
    )


class ServiceRecordForm(forms.Form):
    delivered_on = forms.DateField(label=_("服务日期"), widget=_DATE)
    description = forms.CharField(
        label=_("服务内容"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("做了什么：面谈、家访、心理辅导、联系学校……"),
    )
    outcome = forms.CharField(
        label=_("服务成效"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("儿童和家庭的变化、仍存在的问题、下一步安排。"),
    )
    worker = forms.CharField(
        label=_("服务人员"), max_length=50, required=False, help_text=_("默认为记录人。")
    )
    hours = forms.DecimalField(label=_("时长（小时）"), max_digits=4, decimal_places=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivered_on"].initial = timezone.localdate()
