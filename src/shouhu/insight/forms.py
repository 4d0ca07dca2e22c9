import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .selectors import quarter_of


class PeriodForm(forms.Form):
    """A quarter, or a date range of at most two years."""

    quarter = forms.ChoiceField(label=_("季度"), required=False)
    start = forms.DateField(
        label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        choices = []
        first, _last = quarter_of(today)
        for _i in range(8):
            q = (first.month - 1) // 3 + 1
            choices.append((f"{first.year}-Q{q}", _("%(year)s年第%(q)s季度") % {"year": first.year, "q": q}))
            first = quarter_of(first - dt.timedelta(days=1))[0]
        self.fields["quarter"].choices = [("", _("本季度")), *choices]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if (start is None) != (end is None):
            raise ValidationError(_("请同时填写开始日期和结束日期。"))
        if start and end:
            if end < start:
                self.add_error("end", _("结束日期不能早于开始日期。"))
            elif (end - start).days > 731:
                self.add_error("end", _("时间段不能超过两年。"))
        return data

    def period(self) -> tuple[dt.date, dt.date]:
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("start") and data.get("end"):
            return data["start"], data["end"]
        if data.get("quarter"):
            year, q = data["quarter"].split("-Q")
            return quarter_of(dt.date(int(year), 3 * (int(q) - 1) + 1, 1))
        return quarter_of(timezone.localdate())
