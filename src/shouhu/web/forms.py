"""Forms of the web interface. They parse what a user typed and show it again; whether a record is
valid is decided once, by ``children.services``, whose errors are put back next to their fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from shouhu.accounts import access
from shouhu.accounts.models import Organisation, OrganisationKind
from shouhu.children.models import Carer, Category, Child, Parent, RescueContact
from shouhu.children.options import ETHNICITIES, Assistance, IncomeSource, ParentRole, Schooling
from shouhu.regions.codes import Level, county_of, level_of, reaches, township_of

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")
CONTACT_FORMS = 3


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确，请重新输入（注意区分大小写）。"),
        "inactive": _("该账号已停用，请联系县儿童福利指导中心。"),
    }


def _formfield(db_field: models.Field, **kwargs) -> forms.Field | None:
    if isinstance(db_field, models.DateField):
        kwargs["widget"] = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return db_field.formfield(**kwargs)


class ParseOnlyModelForm(forms.ModelForm):
    """A ModelForm that parses input into Python values without running the model's own rules: those
    run once, inside the service that saves, so that a rule has a single home."""

    #: Fields whose value is a default rather than something the user entered.
    defaulted: tuple[str, ...] = ()

    def _post_clean(self) -> None:
        pass

    def is_blank(self) -> bool:
        """Nothing entered (an optional part of the record the user left empty)."""
        data = getattr(self, "cleaned_data", {})
        return all(v in (None, "", [], False) for k, v in data.items() if k not in self.defaulted)

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)

    @property
    def on_file(self) -> bool:
        """The record exists already (a new instance has its UUID before it is saved)."""
        return not self.instance._state.adding

    @property
    def worth_opening(self) -> bool:
        """Show this optional part unfolded: it holds a record, an entry or an error."""
        return self.on_file or (self.is_bound and (bool(self.errors) or not self.is_blank()))


class TownshipSelect(forms.Select):
    """A select whose options name their township (``data-township``), so that a township picker
    narrows a long list in the browser (static/shouhu.js); without the script the whole list stays."""

    def __init__(self, *args, township_of, **kwargs):
        super().__init__(*args, **kwargs)
        self.township_of = township_of

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        code = self.township_of(instance) if instance is not None else ""
        if code:
            option["attrs"]["data-township"] = code
        return option


def _township_of_village(region) -> str:
    return township_of(region.code)


def _township_of_school(school) -> str:
    code = school.region_id or ""
    return (
        township_of(code) if reaches(code, Level.TOWNSHIP) else ""
    )  # a county's school serves every township


class ChildForm(ParseOnlyModelForm):
    income_sources = forms.MultipleChoiceField(
        label=_("家庭经济来源"),
        choices=IncomeSource.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    assistance = forms.MultipleChoiceField(
        label=_("救助帮扶情况"),
        choices=Assistance.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    ethnicity = forms.ChoiceField(label=_("民族"), choices=[(e, _(e)) for e in ETHNICITIES], initial="汉族")
    photo = forms.FileField(
        label=_("照片"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png"}),
        help_text=_("JPG 或 PNG，不超过 5 MB；须经监护人同意。"),
    )

    class Meta:
        model = Child
        fields = [
            "name",
            "gender",
            "birth_date",
            "id_number",
            "ethnicity",
            "household_registered",
            "hukou_type",
            "village",
            "address",
            "is_homeless",
            "found_region",
            "found_place",
            "placement",
            "school",
            "grade",
            "schooling",
            "boarding",
            "health",
            "disability_type",
            "disability_grade",
            "illness",
            "living_arrangement",
            "guardianship_quality",
            "guardianship_concern",
            "income_sources",
            "assistance",
            "photo",
            "photo_consent",
            "exited_on",
            "exit_reason",
        ]
        formfield_callback = _formfield
        widgets = {"gender": forms.RadioSelect}

    def __init__(self, *args, user, editing: bool, **kwargs):
        super().__init__(*args, **kwargs)
        visible = access.regions_visible_to(user)
        village = self.fields["village"]
        village.queryset = visible.filter(level=Level.VILLAGE).select_related("parent").order_by("code")
        village.label_from_instance = lambda r: f"{r.parent.name} / {r.name}" if r.parent_id else r.name
        village.required = False  # a homeless minor has none; the registry says when one is missing
        village.error_messages["invalid_choice"] = _("该村/社区不在您的管辖范围内，请从列表中选择。")
        village.widget = TownshipSelect(choices=village.choices, township_of=_township_of_village)
        village.widget.attrs["data-township-list"] = "village"
        if not editing and not self.is_bound:
            only = list(village.queryset[:2])
            if len(only) == 1:  # a director with one village: it is hers
                self.initial["village"] = only[0].pk
        found = self.fields["found_region"]
        found.queryset = visible.filter(level__in=[Level.COUNTY, Level.TOWNSHIP]).order_by("code")
        found.error_messages["invalid_choice"] = _("发现地须是您管辖范围内的县或乡镇。")
        school = self.fields["school"]
        school.queryset = _schools_near(user)
        school.widget = TownshipSelect(choices=school.choices, township_of=_township_of_school)
        self.fields["id_number"].widget.attrs.update({"data-fills": "", "autocomplete": "off"})
        self.fields["gender"].choices = [c for c in self.fields["gender"].choices if c[0]]
        if not editing:
            del self.fields["exited_on"]
            del self.fields["exit_reason"]

    @property
    def townships(self) -> list[tuple[str, str]]:
        """The townships of the villages offered, for the picker that narrows the village and school
        lists; none when there is only one."""
        seen: dict[str, str] = {}
        for region in self.fields["village"].queryset:
            if region.parent_id and region.parent_id not in seen:
                seen[region.parent_id] = region.parent.name
        return list(seen.items()) if len(seen) > 1 else []

    @property
    def can_place_homeless(self) -> bool:
        return self.fields["found_region"].queryset.exists()

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if not photo:
            return photo
        if photo.size > PHOTO_MAX_BYTES:
            raise ValidationError(_("照片不能超过 5 MB，请压缩后再上传。"))
        head = photo.read(8)
        photo.seek(0)
        if not any(head.startswith(sig) for sig in PHOTO_SIGNATURES):
            raise ValidationError(_("只能上传 JPG 或 PNG 格式的照片。"))
        return photo

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if not data.get("photo"):
            data.pop("photo", None)  # no new upload: keep the photo on file
        return data


def _schools_near(user):
    """Schools of the user's county (a child of a village may attend a school in the county town)."""
    schools = Organisation.objects.filter(kind=OrganisationKind.SCHOOL).order_by("region_id", "name")
    if user.is_superuser:
        return schools
    code = access.territory_code(user)
    if not code:
        return schools.none()
    county = county_of(code) if level_of(code) >= Level.COUNTY else code
    return schools.filter(region__code__startswith=county)


class ParentForm(ParseOnlyModelForm):
    class Meta:
        model = Parent
        fields = [
            "name",
            "birth_date",
            "id_number",
            "phone",
            "situation",
            "situation_since",
            "situation_until",
            "police_report_date",
            "disability_type",
            "disability_grade",
            "work_place",
            "contact_frequency",
            "return_frequency",
        ]
        formfield_callback = _formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        situation = self.fields["situation"]
        situation.required = False
        situation.choices = [("", "---------"), *[c for c in situation.choices if c[0]]]
        if self.instance._state.adding:
            self.initial["situation"] = ""


class CarerForm(ParseOnlyModelForm):
    defaulted = ("health", "capacity")

    class Meta:
        model = Carer
        fields = ["name", "relation", "birth_date", "phone", "id_number", "health", "capacity", "address"]
        formfield_callback = _formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False  # the whole carer is optional; the registry says what a carer needs


class ContactForm(ParseOnlyModelForm):
    class Meta:
        model = RescueContact
        fields = ["name", "relation", "phone", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class ChildRecordForms:
    """The child's form with its father, mother, carer and rescue contacts: one page, one save."""

    def __init__(self, *, user, child: Child | None = None, data=None, files=None):
        self.child = child
        editing = child is not None
        parents = {p.role: p for p in child.parents.all()} if editing else {}
        contacts = list(child.contacts.order_by("name")) if editing else []
        carer = getattr(child, "carer", None) if editing else None
        self.child_form = ChildForm(data, files, instance=child, user=user, editing=editing)
        self.parent_forms = {
            role: ParentForm(data, instance=parents.get(role), prefix=role) for role in ParentRole.values
        }
        self.existing_parents = set(parents)
        self.carer_form = CarerForm(data, instance=carer, prefix="carer")
        self.had_carer = carer is not None
        self.contact_forms = [
            ContactForm(data, instance=contacts[i] if i < len(contacts) else None, prefix=f"contact-{i}")
            for i in range(max(CONTACT_FORMS, len(contacts)))
        ]
        self._contact_index: list[ContactForm] = []

    @property
    def father_form(self) -> ParentForm:
        return self.parent_forms[ParentRole.FATHER]

    @property
    def mother_form(self) -> ParentForm:
        return self.parent_forms[ParentRole.MOTHER]

    @property
    def parent_parts(self) -> list[tuple[str, ParentForm]]:
        return [(_("父亲"), self.father_form), (_("母亲"), self.mother_form)]

    @property
    def has_errors(self) -> bool:
        return any(form.errors for form in self.all_forms() if form.is_bound)

    @property
    def contacts_open(self) -> bool:
        return any(form.worth_opening for form in self.contact_forms)

    def all_forms(self) -> list[forms.BaseForm]:
        return [self.child_form, *self.parent_forms.values(), self.carer_form, *self.contact_forms]

    def is_valid(self) -> bool:
        valid = all([form.is_valid() for form in self.all_forms()])  # a list: every form gets parsed
        for role, form in self.parent_forms.items():
            if role in self.existing_parents and form.is_valid() and form.is_blank():
                form.add_error(
                    "situation",
                    _("已登记的父母信息不能清空；父母去世、失踪等情况请在“当前状况”中选择。"),
                )
                valid = False
        return valid

    def service_arguments(self) -> dict[str, Any]:
        """Keyword arguments for ``child_register`` / ``child_update`` from the parsed forms."""
        parents = {role: form.values() for role, form in self.parent_forms.items() if not form.is_blank()}
        carer = None if self.carer_form.is_blank() else self.carer_form.values()
        if carer is None and self.had_carer:
            carer = {}  # the user emptied the carer: the registry removes it
        self._contact_index = [form for form in self.contact_forms if not form.is_blank()]
        return {
            "fields": self.child_form.values(),
            "parents": parents,
            "carer": carer,
            "contacts": [form.values() for form in self._contact_index],
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        """Put each of the registry's messages next to the field it names."""
        errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        for key, messages in errors.items():
            form, field = self._target(key)
            if field is not None and field not in form.fields:
                field = None
            for message in messages:
                form.add_error(field, message)

    def _target(self, key: str) -> tuple[forms.BaseForm, str | None]:
        parts = key.split(".")
        if parts[0] == "parents" and len(parts) >= 2 and parts[1] in self.parent_forms:
            return self.parent_forms[parts[1]], _field(parts[2:])
        if parts[0] == "carer":
            return self.carer_form, _field(parts[1:])
        if parts[0] == "contacts" and len(parts) >= 2 and parts[1].isdigit():
            index = int(parts[1])
            if index < len(self._contact_index):
                return self._contact_index[index], _field(parts[2:])
        return self.child_form, None if key == NON_FIELD_ERRORS else _field(parts)


def _field(parts: list[str]) -> str | None:
    return parts[0] if parts and parts[0] != NON_FIELD_ERRORS else None


class ChildFilterForm(forms.Form):
    """The search box and filters of the children list."""

    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("姓名、拼音、首字母或身份证号")}),
    )
    region = forms.ChoiceField(label=_("区域"), required=False)
    category = forms.ChoiceField(label=_("类别"), required=False)
    schooling = forms.ChoiceField(
        label=_("就学情况"), required=False, choices=[("", _("全部")), *Schooling.choices]
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("全部")), *region_choices(user)]
        self.fields["category"].choices = [
            ("", _("全部")),
            *[(c.code, str(c)) for c in Category.objects.all()],
        ]


def region_choices(user) -> list[tuple[str, str]]:
    """The areas a user can narrow the list to, indented under their township.

    Down to villages for county staff and below; for wider jurisdictions, down to townships only, so
    that the page stays light on a phone.
    """
    code = access.territory_code(user)
    if code and level_of(code) >= Level.COUNTY:
        top, deepest = max(level_of(code), Level.TOWNSHIP), Level.VILLAGE
    else:
        top, deepest = Level.COUNTY, Level.TOWNSHIP
    regions = (
        access.regions_visible_to(user)
        .filter(level__gte=top, level__lte=deepest)
        .order_by("code")
        .values_list("code", "name", "level")
    )
    return [(c, "\u3000" * (level - top) + name) for c, name, level in regions]


class BreakGlassForm(forms.Form):
    """Opening a file outside one's jurisdiction: the child's whole ID number and the reason."""

    id_number = forms.CharField(
        label=_("儿童公民身份号码"),
        max_length=30,
        help_text=_("完整的18位号码；只按号码精确查找。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    reason = forms.CharField(
        label=_("紧急调阅原因"),
        max_length=200,
        help_text=_(
            "如：儿童从外乡镇迁入，需核实监护情况；儿童正处于危险中。原因将通知儿童所在地的督导员和县级工作人员。"
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
