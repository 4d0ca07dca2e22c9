"""The forms of the quarterly-report pages: which report to generate, the county's comment."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import selectors


def quarter_label(year: int, quarter: int) -> str:
    return _("%(year)s年%(quarter)s") % {"year": year, "quarter": selectors.QUARTER_NAMES[quarter]}


def quarter_choices() -> list[tuple[str, str]]:
    return [(f"{y}-Q{q}", quarter_label(y, q)) for y, q in selectors.recent_quarters()]


def parse_quarter(value: str) -> tuple[int, int] | None:
    try:
        year, quarter = value.split("-Q")
        return int(year), int(quarter)
    except (AttributeError, ValueError):
        return None


class QuarterField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(label=_("季度"), choices=quarter_choices, **kwargs)

    def clean(self, value):
        return parse_quarter(super().clean(value))


class GenerateForm(forms.Form):
    region = forms.ChoiceField(label=_("报告区域"))
    quarter = QuarterField()

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, selectors.place_name(r)) for r in regions]
        year, quarter = selectors.previous_quarter()
        self.fields["quarter"].initial = f"{year}-Q{quarter}"
        if len(regions) == 1:
            self.fields["region"].initial = regions[0].code
            self.fields["region"].widget = forms.HiddenInput()


class QuarterForm(forms.Form):
    quarter = QuarterField(required=False)


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("退回意见"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("写明需要修改或补充什么；乡镇可以看到这条意见。"),
    )


class AcknowledgeForm(forms.Form):
    comment = forms.CharField(
        label=_("意见（可不填）"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
