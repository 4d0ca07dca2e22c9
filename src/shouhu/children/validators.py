"""Field rules of the registry, shared by the forms, the API and imports (through ``full_clean``)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from . import idnumber, names

NAME_MAX = 50


def validate_person_name(value: str) -> None:
    """The one rule for a person's name (``names.refusal``), on the name as it will be stored: a
    Kangxi radical or full-width letter passes, since it is stored as the ordinary character."""
    reason = names.refusal(names.normalise(value or ""))
    if reason:
        raise ValidationError(reason, code="person_name")


class PersonNameField(models.CharField):
    """A person's name: normalised (``names.normalise``) when the model is cleaned, so that the rule
    and the maximum length apply to what is stored, and again before every save, so that nothing
    written without ``full_clean`` (a seed, a write in sets) is stored in another form.

    Give it ``validators=[validate_person_name]``; it is not implied, so that a field's migration
    states its rule."""

    def to_python(self, value):
        value = super().to_python(value)
        return names.normalise(value) if isinstance(value, str) else value

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if isinstance(value, str):
            value = names.normalise(value)
            setattr(model_instance, self.attname, value)
        return value


def validate_id_number(value: str) -> None:
    try:
        idnumber.validate(value)
    except idnumber.InvalidIdNumber as exc:
        raise ValidationError(str(exc)) from exc


def validate_not_future(value: dt.date) -> None:
    if value and value > timezone.localdate():
        raise ValidationError(_("日期不能晚于今天。"))


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Completed years: the birthday itself counts (a child born 2010-03-01 is 16 on 2026-03-01).
    A 29 February birthday falls on 1 March in common years."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return dt.date(day.year + years, 3, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the last day of a shorter month (31 Aug + 6 → 28/29 Feb)."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
