"""Forms of the find-and-intervene pages. They parse what a user entered; whether it is acceptable (a
report's township, a rule parameter's bounds, a case's next step) is decided once, by ``cases.services``
and ``cases.reports``, whose errors go back next to their fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouhu.accounts.models import Role
from shouhu.regions.codes import township_of

from . import rules
from .models import Urgency
from .services import NEEDS

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

NEED_LABELS = {
    "safety": _("安全"),
    "guardianship": _("监护"),
    "health": _("健康"),
    "education": _("教育"),
    "psychology": _("心理"),
    "livelihood": _("生活保障"),
}


def add_service_errors(
    form: forms.BaseForm, exc: ValidationError, aliases: dict[str, str] | None = None
) -> None:
    """Put each of a service's messages next to the field it names (``aliases`` maps a service's key to
    the form's field), the others at the top of the form."""
    aliases = aliases or {}
    errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    for key, messages in errors.items():
        name = aliases.get(key, key)
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)


def error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- alerts ----------------------------------------------------------------------------------------


class AlertFilterForm(forms.Form):
    severity = forms.ChoiceField(label=_("风险等级"), required=False)
    region = forms.ChoiceField(label=_("区域"), required=False)

    def __init__(self, *args, user, **kwargs):
        from shouhu.web.forms import region_choices

        super().__init__(*args, **kwargs)
        self.fields["severity"].choices = [("", _("全部")), *rules.SEVERITIES]
        self.fields["region"].choices = [("", _("全部")), *region_choices(user)]


class AlertCloseForm(forms.Form):
    reason = forms.CharField(
        label=_("解除原因"),
        max_length=300,
        required=False,  # the service says when it is missing, in its own words
        widget=forms.TextInput(attrs={"placeholder": _("如：已安置到亲属家，监护人已返乡")}),
    )


MARKS = {
    "police_informed": _("已报告公安机关"),
    "notice_sent": _("已发出督促监护告知书"),
    "school_notified": _("已通知学校和教育部门"),
    "guardian_urged": _("已督促监护人"),
}


# --- reports ---------------------------------------------------------------------------------------


class CountyChoiceForm(forms.Form):
    county = forms.ChoiceField(label=_("儿童所在县（市、区）"))

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = [
            ("", "---------"),
            *[(c.code, f"{c.parent.name} {c.name}" if c.parent_id else c.name) for c in counties],
        ]


class VillageSelect(forms.Select):
    """Villages whose options name their township (the first nine digits of the code)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value and len(str(value)) == 12:
            option["attrs"]["data-township"] = township_of(str(value))
        return option


class ReportForm(forms.Form):
    """A mandatory report on one screen: what, when, where, how urgent, and (if known) who."""

    harm_type = forms.ChoiceField(label=_("发现的情形"), widget=forms.RadioSelect)
    description = forms.CharField(
        label=_("所见情况"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": _("看到或听到了什么，在哪里，儿童现在在哪里")}
        ),
    )
    seen_at = forms.DateTimeField(label=_("发现时间"), widget=_DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, widget=forms.RadioSelect)
    township = forms.ChoiceField(label=_("所在乡镇（街道）"), required=False)
    village = forms.ChoiceField(label=_("所在村/社区"), required=False)
    child_name = forms.CharField(label=_("儿童姓名"), max_length=50, required=False)
    child_birth_date = forms.DateField(label=_("儿童出生日期"), required=False, widget=_DATE)
    child_id_number = forms.CharField(label=_("儿童身份证号码"), max_length=30, required=False)
    child = forms.UUIDField(widget=forms.HiddenInput, required=False)
    county = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, harm_types, townships, villages, county: str, **kwargs):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("seen_at", timezone.localtime().replace(second=0, microsecond=0))
        initial.setdefault("urgency", Urgency.SOON)
        initial.setdefault("county", county)
        super().__init__(*args, **kwargs)
        self.fields["harm_type"].choices = [
            (code, name) for _group, options in harm_types for code, name in options
        ]
        self.harm_groups = harm_types
        self.fields["seen_at"].widget.attrs["max"] = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        self.fields["township"].choices = [("", _("请选择")), *[(t.code, t.name) for t in townships]]
        # Choosing the township narrows the county's villages in the browser (static/shouhu.js).
        self.fields["township"].widget.attrs["data-narrows"] = self["village"].auto_id
        self.fields["village"].widget = VillageSelect()
        names = {t.code: t.name for t in townships}
        self.fields["village"].choices = [
            ("", _("不清楚或不填")),
            *[(v.code, f"{names.get(township_of(v.code), '')} / {v.name}") for v in villages],
        ]

    @property
    def harm_choices(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The radio buttons of ``harm_type`` in their groups (statutory, local)."""
        widgets = {str(w.data["value"]): w for w in self["harm_type"]}
        return [
            (group, [widgets[c] for c, _name in options if c in widgets])
            for group, options in self.harm_groups
        ]

    def clean(self):
        data = super().clean()
        # Choosing a village is enough: its township is the first nine digits of its code.
        if data.get("village") and not data.get("township"):
            data["township"] = township_of(data["village"])
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "harm_type": data["harm_type"],
            "description": data.get("description") or "",
            "seen_at": data["seen_at"],
            "urgency": data["urgency"],
            "township": data.get("township") or "",
            "village": data.get("village") or None,
            "child_name": (data.get("child_name") or "").strip(),
            "child_birth_date": data.get("child_birth_date"),
            "child_id_number": (data.get("child_id_number") or "").strip(),
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        add_service_errors(self, exc)


class ReportLinkForm(forms.Form):
    child = forms.UUIDField(error_messages={"required": _("请选择儿童。"), "invalid": _("请选择儿童。")})


class ReportCaseForm(forms.Form):
    risk_level = forms.ChoiceField(label=_("风险等级"), choices=rules.SEVERITIES, initial=rules.HIGH)
    parties = forms.CharField(
        label=_("参与方"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("如：公安机关、学校（用顿号分隔）")}),
    )

    def party_list(self) -> list[str]:
        return split_parties(self.cleaned_data.get("parties") or "")


def split_parties(text: str) -> list[str]:
    import re

    return [p.strip() for p in re.split(r"[、，,；;]", text) if p.strip()]


class ReportCloseForm(forms.Form):
    reason = forms.CharField(
        label=_("办结说明"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：核实为误报；已由公安机关处理")}),
    )


# --- cases -----------------------------------------------------------------------------------------


class CaseOpenForm(forms.Form):
    risk_level = forms.ChoiceField(label=_("风险等级"), choices=rules.SEVERITIES, initial=rules.HIGH)
    parties = forms.CharField(
        label=_("参与方"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("如：学校、社工机构（用顿号分隔）")}),
    )
    note = forms.CharField(
        label=_("立案原因"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def party_list(self) -> list[str]:
        return split_parties(self.cleaned_data.get("parties") or "")


class AssessmentForm(forms.Form):
    """The six needs a case assesses (安全、监护、健康、教育、心理、生活保障)."""

    text = forms.CharField(
        label=_("评估小结"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for need in NEEDS:
            self.fields[need] = forms.CharField(
                label=NEED_LABELS.get(need, need),
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.order_fields([*NEEDS, "text"])

    def assessment(self) -> dict[str, str]:
        """Only the needs written about: the service names those left out."""
        return {n: self.cleaned_data[n].strip() for n in NEEDS if (self.cleaned_data.get(n) or "").strip()}

    def add_service_errors(self, exc: ValidationError) -> None:
        """The service names the needs left out; each gets its message next to its own box."""
        errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        if "assessment" in errors:
            written = self.assessment()
            for need in NEEDS:
                if need not in written:
                    self.add_error(need, _("请填写这一方面的评估；没有问题也请写明“无”。"))
            errors = {k: v for k, v in errors.items() if k != "assessment"}
        if errors:
            add_service_errors(self, ValidationError(errors))


class PlanForm(forms.Form):
    plan = forms.CharField(
        label=_("服务计划"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("措施、责任人和期限")}),
    )

    def add_service_errors(self, exc: ValidationError) -> None:
        add_service_errors(self, exc)


class CaseTaskForm(forms.Form):
    """A measure of the plan: what, by whom, by when."""

    title = forms.CharField(label=_("任务"), max_length=150, required=False)
    due_on = forms.DateField(
        label=_("完成期限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    responsible = forms.ChoiceField(label=_("责任人"), required=False)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(u.pk): u for u in people}
        self.fields["responsible"].choices = [
            (pk, u.get_full_name() or u.username) for pk, u in self.people.items()
        ]

    def add_service_errors(self, exc: ValidationError) -> None:
        add_service_errors(self, exc)


class StepNoteForm(forms.Form):
    """Service notes, a review, or the outcome when asking to close."""

    text = forms.CharField(
        label=_("记录"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def add_service_errors(self, exc: ValidationError) -> None:
        add_service_errors(self, exc, {"outcome": "text", "plan": "text"})


# --- rule settings ---------------------------------------------------------------------------------


def param_field(name: str) -> str:
    return f"param_{name}"


class RuleSettingForm(forms.Form):
    """One rule's settings. Bounds are shown as hints from the rule's own description; the service
    checks them."""

    enabled = forms.BooleanField(label=_("启用"), required=False)
    severity = forms.ChoiceField(label=_("风险等级"), choices=rules.SEVERITIES)
    deadline_hours = forms.IntegerField(
        label=_("处置时限（小时）"), widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1})
    )
    notify = forms.MultipleChoiceField(
        label=_("通知对象"),
        required=False,
        choices=[
            (Role.TOWNSHIP_SUPERVISOR, Role.TOWNSHIP_SUPERVISOR.label),
            (Role.COUNTY_STAFF, Role.COUNTY_STAFF.label),
        ],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, kind: rules.RuleKind, setting, **kwargs):
        kwargs.setdefault("initial", {}).update(
            {
                "enabled": setting.enabled,
                "severity": setting.severity,
                "deadline_hours": setting.deadline_hours,
                "notify": list(setting.notify or []),
                **{
                    param_field(p.name): (setting.params or {}).get(p.name, kind.params.get(p.name))
                    for p in kind.bounds
                },
            }
        )
        kwargs.setdefault("prefix", kind.code)
        super().__init__(*args, **kwargs)
        self.kind = kind
        for p in kind.bounds:
            self.fields[param_field(p.name)] = forms.IntegerField(
                label=p.label,
                help_text=_("%(min)s 到 %(max)s") % {"min": p.minimum, "max": p.maximum},
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": p.minimum, "max": p.maximum}),
                error_messages={"invalid": _("请输入整数。"), "required": _("请填写。")},
            )
        for name in ("deadline_hours",):
            self.fields[name].error_messages.update({"invalid": _("请输入整数。"), "required": _("请填写。")})

    @property
    def param_fields(self) -> list[forms.BoundField]:
        return [self[param_field(p.name)] for p in self.kind.bounds]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "enabled": data["enabled"],
            "severity": data["severity"],
            "deadline_hours": data["deadline_hours"],
            "params": {p.name: data[param_field(p.name)] for p in self.kind.bounds},
            "notify": list(data.get("notify") or []),
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        add_service_errors(self, exc, {f"params.{p.name}": param_field(p.name) for p in self.kind.bounds})
