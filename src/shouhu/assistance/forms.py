"""Forms of the assistance pages: they parse input; whether it is acceptable is decided by ``services``."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ApplicationForm(forms.Form):
    type = forms.ChoiceField(label=_("救助类型"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("申请理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("儿童和家庭的情况、需要什么帮助；审核人和县民政部门会看到。"),
    )

    def __init__(self, *args, types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [(t.code, str(t)) for t in types]


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("审核意见"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("退回原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("申请人会看到退回原因，请写明需要补充或更正什么。"),
    )


class ResubmitForm(forms.Form):
    reason = forms.CharField(
        label=_("申请理由（修改后）"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    comment = forms.CharField(label=_("补充说明"), max_length=500, required=False)


class MonthField(forms.DateField):
    """A month as YYYY-MM (the browser's month input), kept as its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if isinstance(day, dt.date) else day


class PaymentForm(forms.Form):
    month = MonthField(label=_("发放月份"))
    paid_on = forms.DateField(label=_("发放日期"), widget=_DATE, initial=timezone.localdate)
    amount = forms.DecimalField(
        label=_("金额（元）"),
        required=False,
        max_digits=10,
        decimal_places=2,
        help_text=_("留空则按本县标准。"),
    )


class StopForm(forms.Form):
    reason = forms.CharField(label=_("停发原因"), max_length=300)
