"""Search forms of the access log and of the change history."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Action, Channel
from .selectors import KIND_LABELS, PARTS, HistoryFilter, LogFilter

NO_PLACE = _("没有找到这个地点。请填写乡镇或村的名称，或区划代码（区划代码为2至12位数字）。")
CODE = re.compile(r"^\d{2,12}$")
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _Dated(forms.Form):
    # The parameters keep their names (``username``, ``child``, ``region``) for the API's clients;
    # each takes what a person knows: a name, or the id or code as before (``selectors``).
    username = forms.CharField(
        label=_("人员"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"placeholder": _("姓名或用户名")}),
    )
    child = forms.CharField(
        label=_("儿童"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("姓名、拼音或首字母")}),
    )
    region = forms.CharField(
        label=_("地点"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": _("乡镇或村/社区的名称"), "list": "places"}),
    )
    date_from = forms.DateField(label=_("开始日期"), required=False, widget=_DATE)
    date_to = forms.DateField(label=_("结束日期"), required=False, widget=_DATE)

    def clean_region(self):
        """A place's name (a township, a village, "township / village" as the list offers them) or
        its code; a name that matches no place is an error, so that no filter is silently empty."""
        from shouhu.regions.models import Region

        text = (self.cleaned_data.get("region") or "").strip()
        if not text or CODE.match(text):
            return text
        place = text.rpartition("/")[2].strip()
        if not place or not Region.objects.filter(name__contains=place).exists():
            raise forms.ValidationError(NO_PLACE)
        return text

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return data

    def wanted(self) -> dict:
        """The valid filters only: an invalid one is shown as an error and left out."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


class AccessLogFilterForm(_Dated):
    action = forms.ChoiceField(label=_("操作"), required=False, choices=[("", _("全部")), *Action.choices])
    channel = forms.ChoiceField(label=_("途径"), required=False, choices=[("", _("全部")), *Channel.choices])
    searched = forms.RegexField(
        label=_("查询过的身份证号或手机号"),
        required=False,
        regex=r"^\s*(\d{17}[\dXx]|\d{15}|1[3-9]\d{9})\s*$",
        max_length=30,
        error_messages={"invalid": _("请输入完整的18位或15位身份证号，或11位手机号。")},
    )

    def filters(self) -> LogFilter:
        return LogFilter(**self.wanted())


class HistoryFilterForm(_Dated):
    part = forms.ChoiceField(
        label=_("档案部分"), required=False, choices=[("", _("全部")), *((p.key, p.label) for p in PARTS)]
    )
    kind = forms.ChoiceField(
        label=_("变更类型"), required=False, choices=[("", _("全部")), *KIND_LABELS.items()]
    )

    def filters(self) -> HistoryFilter:
        return HistoryFilter(**self.wanted())
