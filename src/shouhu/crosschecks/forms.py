"""The upload form (list type, school, file) and the closing form of a difference."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ListKind, Resolution
from .services import RESOLUTIONS, schools_for


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("名单类型"), choices=ListKind.choices)
    school = forms.ChoiceField(label=_("学校"), required=False, help_text=_("比对学校名单时选择。"))
    file = forms.FileField(label=_("文件（.xlsx 或 .csv）"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.schools = {str(s.pk): s for s in schools_for(user)}
        self.fields["school"].choices = [("", "—")] + [
            (pk, f"{s.name}（{s.region.name}）") for pk, s in self.schools.items()
        ]

    def clean(self):
        data = super().clean()
        if data.get("kind") == ListKind.SCHOOL and not data.get("school"):
            self.add_error("school", _("比对学校名单请选择学校。"))
        data["school_obj"] = self.schools.get(data.get("school") or "")
        return data


class CloseForm(forms.Form):
    resolution = forms.ChoiceField(label=_("处理结果"))
    reason = forms.CharField(
        label=_("核实情况"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("写明怎样核实、结果如何，例如：已到校核实，该生转入县城小学。"),
    )

    def __init__(self, *args, difference, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolution"].choices = [
            (r.value, r.label) for r in map(Resolution, RESOLUTIONS[difference.kind])
        ]
