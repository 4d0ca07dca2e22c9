"""The export's own options, next to the list's filters (which ``web.forms.ChildFilterForm`` reads)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import layouts
from .services import CSV, XLSX

FORMAT_CHOICES = [(XLSX, _("Excel（.xlsx）")), (CSV, _("CSV（UTF-8）"))]
LAYOUT_CHOICES = [
    (layouts.REGISTER, _("名册（导入模板格式，可修改后重新导入）")),
    (layouts.NATIONAL, _("全国《农村留守儿童基本情况登记表》格式")),
]


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("文件格式"), choices=FORMAT_CHOICES, required=False)
    layout = forms.ChoiceField(label=_("表格格式"), choices=LAYOUT_CHOICES, required=False)
    full_numbers = forms.BooleanField(
        label=_("导出完整的身份证号码和电话号码"),
        required=False,
        help_text=_("默认隐去中间几位。只对您管辖范围内的儿童导出完整号码，并记入访问日志。"),
    )

    def options(self) -> dict:
        data = self.cleaned_data
        return {
            "fmt": data.get("format") or CSV,
            "layout": data.get("layout") or layouts.REGISTER,
            "full_numbers": bool(data.get("full_numbers")),
        }
