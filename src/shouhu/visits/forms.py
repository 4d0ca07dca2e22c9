"""Forms of the visits pages. They parse what a user entered; the rules (a visit not in the future, a
photo only with consent, the policy's bounds) are the services', whose errors go back next to their
fields."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouhu.children.options import LivingArrangement, ParentSituation, Schooling
from shouhu.web.forms import PHOTO_MAX_BYTES, PHOTO_SIGNATURES, ParseOnlyModelForm, _formfield

from .models import ActivitySession, Visit, VisitPolicy
from .services import POLICY_FIELDS

KEY_MAX = 64


def new_key() -> str:
    """A submission's idempotency key: made when the form is shown, sent back with it."""
    return uuid.uuid4().hex


def add_service_errors(
    form: forms.BaseForm, exc: ValidationError, aliases: dict[str, str] | None = None
) -> None:
    """Put each of a service's messages next to the field it names (``aliases`` maps a service's key
    to the form's field), the others at the top of the form."""
    aliases = aliases or {}
    errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    for key, messages in errors.items():
        name = next((v for k, v in aliases.items() if key == k or key.startswith(k + ".")), key)
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)


def _radios_without_blank(form: forms.BaseForm, *names: str) -> None:
    for name in names:
        field = form.fields[name]
        field.widget = forms.RadioSelect()
        field.choices = [c for c in field.choices if c[0] != ""]


def _check_photo(photo):
    if not photo:
        return photo
    if photo.size > PHOTO_MAX_BYTES:
        raise ValidationError(_("照片不能超过 5 MB，请压缩后再上传。"))
    head = photo.read(8)
    photo.seek(0)
    if not any(head.startswith(sig) for sig in PHOTO_SIGNATURES):
        raise ValidationError(_("只能上传 JPG 或 PNG 格式的照片。"))
    return photo


class VisitForm(ParseOnlyModelForm):
    """A visit on a phone: the usual case is the defaults (today, home visit, child and guardian seen)
    and one tap on 保存. Observations that change the child's file are checkboxes, passed to the
    service as ``facts``."""

    OBSERVATIONS = ("guardian_capable", "health", "mood", "safe", "in_school", "parent_contact")
    FACTS = ("father_returned", "mother_returned", "dropped_out", "alone")

    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=KEY_MAX)
    photo = forms.FileField(
        label=_("照片"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png"}),
        help_text=_("可不拍。JPG 或 PNG，不超过 5 MB；须经监护人同意。"),
    )
    father_returned = forms.BooleanField(label=_("父亲已返乡"), required=False)
    mother_returned = forms.BooleanField(label=_("母亲已返乡"), required=False)
    dropped_out = forms.BooleanField(label=_("已辍学"), required=False)
    alone = forms.BooleanField(label=_("无成年人照料/独居"), required=False)

    class Meta:
        model = Visit
        fields = [
            "visited_on",
            "kind",
            "outcome",
            "saw_child",
            "saw_guardian",
            "guardian_capable",
            "health",
            "mood",
            "safe",
            "in_school",
            "home_hazards",
            "parent_contact",
            "notes",
            "follow_up",
            "photo",
            "photo_consent",
        ]
        formfield_callback = _formfield
        widgets = {
            "kind": forms.RadioSelect,
            "outcome": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, child, may_change_file: bool, **kwargs):
        today = timezone.localdate()
        kwargs.setdefault("initial", {}).update({"visited_on": today, "idempotency_key": new_key()})
        super().__init__(*args, instance=Visit(child=child), **kwargs)
        self.fields["visited_on"].widget.attrs["max"] = today.isoformat()
        _radios_without_blank(self, *self.OBSERVATIONS)
        self._drop_facts_that_do_not_apply(child, may_change_file)
        self._offer_the_household(child)

    def _offer_the_household(self, child) -> None:
        """One visit to a home covers its children: the child's brothers and sisters living with it
        now, ticked; each gets its own record (``services.visit_record_household``)."""
        from shouhu.children.households import household_of

        home = household_of(child)
        others = [c for c in home.children() if c.pk != child.pk and not c.exited_on] if home else []
        if others:
            self.fields["household"] = forms.MultipleChoiceField(
                label=_("同户儿童（本次走访一并登记，每人一条记录）"),
                required=False,
                choices=[(str(c.pk), f"{c.name}（{c.age}周岁）") for c in others],
                initial=[str(c.pk) for c in others],
                widget=forms.CheckboxSelectMultiple,
            )

    def _drop_facts_that_do_not_apply(self, child, may_change_file: bool) -> None:
        """Offer "father came home" only for a migrant father, and so on; none to those who may record
        the visit but not change the child's file (a director covering another village)."""
        situations = {p.role: p.situation for p in child.parents.all()} if may_change_file else {}
        applies = {
            "father_returned": situations.get("father") == ParentSituation.MIGRANT,
            "mother_returned": situations.get("mother") == ParentSituation.MIGRANT,
            "dropped_out": may_change_file and child.schooling != Schooling.DROPPED_OUT,
            "alone": may_change_file and child.living_arrangement != LivingArrangement.ALONE,
        }
        for name, keep in applies.items():
            if not keep:
                del self.fields[name]

    @property
    def fact_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.FACTS if name in self.fields]

    def clean_photo(self):
        return _check_photo(self.cleaned_data.get("photo"))

    def clean_idempotency_key(self) -> str:
        return (self.cleaned_data.get("idempotency_key") or "").strip()

    def values(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k in self.Meta.fields}
        if not data.get("photo"):
            data.pop("photo", None)
        return data

    def facts(self) -> dict[str, Any] | None:
        """The observations that change the registry, in the shape ``child_update`` takes."""
        data = self.cleaned_data
        parents = {
            role: {"situation": ParentSituation.AT_HOME}
            for role, name in (("father", "father_returned"), ("mother", "mother_returned"))
            if data.get(name)
        }
        fields = {}
        if data.get("dropped_out"):
            fields["schooling"] = Schooling.DROPPED_OUT
        if data.get("alone"):
            fields["living_arrangement"] = LivingArrangement.ALONE
        facts = {k: v for k, v in (("fields", fields), ("parents", parents)) if v}
        return facts or None

    def add_service_errors(self, exc: ValidationError) -> None:
        add_service_errors(
            self,
            exc,
            {
                "parents.father": "father_returned",
                "parents.mother": "mother_returned",
                "schooling": "dropped_out",
                "living_arrangement": "alone",
            },
        )


class ReassignForm(forms.Form):
    to = forms.ModelChoiceField(
        label=_("改派给"),
        queryset=None,
        error_messages={
            "required": _("请选择改派对象。"),
            "invalid_choice": _("请从列表中选择本乡镇的儿童主任或督导员。"),
        },
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = candidates


class PolicyForm(ParseOnlyModelForm):
    class Meta:
        model = VisitPolicy
        fields = list(POLICY_FIELDS)
        widgets = {
            name: forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"})
            for name in POLICY_FIELDS
            if name != "phone_counts"
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        add_service_errors(self, exc)


class InvestigationOpenForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("季度"),
        coerce=int,
        choices=[(1, _("第一季度")), (2, _("第二季度")), (3, _("第三季度")), (4, _("第四季度"))],
        widget=forms.RadioSelect,
    )
    all_children = forms.BooleanField(label=_("排查全部登记儿童（不只是留守和困境儿童）"), required=False)

    def __init__(self, *args, **kwargs):
        today = timezone.localdate()
        kwargs.setdefault("initial", {}).update({"year": today.year, "quarter": (today.month - 1) // 3 + 1})
        super().__init__(*args, **kwargs)

    def add_service_errors(self, exc: ValidationError) -> None:
        add_service_errors(self, exc, {"county": NON_FIELD_ERRORS})


class CheckConfirmForm(forms.Form):
    note = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("可不填；已更新档案的请简要说明")}),
    )


class SessionForm(ParseOnlyModelForm):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=KEY_MAX)

    class Meta:
        model = ActivitySession
        fields = ["held_on", "topic", "leader", "attendees", "attendee_count"]
        formfield_callback = _formfield
        widgets = {"attendees": forms.CheckboxSelectMultiple}
        help_texts = {"attendee_count": _("含未登记的儿童；少于所选儿童人数时按所选人数计。")}

    def __init__(self, *args, children, leader: str, **kwargs):
        today = timezone.localdate()
        kwargs.setdefault("initial", {}).update(
            {"held_on": today, "leader": leader, "idempotency_key": new_key()}
        )
        super().__init__(*args, **kwargs)
        self.fields["held_on"].widget.attrs["max"] = today.isoformat()
        attendees = self.fields["attendees"]
        attendees.queryset = children
        attendees.required = False
        attendees.error_messages["invalid_choice"] = _("参加儿童须为本村登记儿童，请从列表中选择。")

    def clean_idempotency_key(self) -> str:
        return (self.cleaned_data.get("idempotency_key") or "").strip()

    def values(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in self.cleaned_data.items()
            if k in ("held_on", "topic", "leader", "attendee_count")
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        add_service_errors(self, exc)
