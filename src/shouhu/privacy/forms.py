"""Forms of the privacy pages: the shape of the input; the rules are in ``services``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Basis, RequestKind

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BasisForm(forms.Form):
    basis = forms.ChoiceField(label=_("处理依据"), choices=Basis.choices, widget=forms.RadioSelect)
    consent_on = forms.DateField(label=_("同意日期"), required=False, widget=_DATE)
    consent_by = forms.CharField(label=_("同意人"), required=False, max_length=50)
    consent_relation = forms.CharField(label=_("同意人与儿童关系"), required=False, max_length=30)
    scope = forms.CharField(
        label=_("同意范围"),
        required=False,
        max_length=300,
        help_text=_("如：儿童信息登记、走访、救助转介。"),
    )
    photo_consent = forms.BooleanField(
        label=_("监护人同意采集和使用照片"),
        required=False,
        help_text=_("不同意或撤回同意时，已上传的照片将被删除。"),
    )
    photo_consent_on = forms.DateField(label=_("照片同意日期"), required=False, widget=_DATE)


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("请求类型"), choices=RequestKind.choices, widget=forms.RadioSelect)
    requester = forms.CharField(label=_("请求人"), max_length=50)
    relation = forms.CharField(label=_("请求人与儿童关系"), max_length=30)
    received_on = forms.DateField(label=_("收到日期"), widget=_DATE)
    details = forms.CharField(label=_("请求内容"), required=False, max_length=2000, widget=forms.Textarea)


class AnswerForm(forms.Form):
    request = forms.UUIDField(widget=forms.HiddenInput)
    answer = forms.CharField(label=_("答复内容"), max_length=2000, widget=forms.Textarea)
