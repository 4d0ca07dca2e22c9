"""Field rules of the registry, shared by the forms, the API and imports (through ``full_clean``)."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from . import idnumber

NAME_MAX = 50
_FORBIDDEN = re.compile(r"[<>{}\[\]\\/\"'`;=&$%#@!?*^|~+\d\x00-\x1f\x7f]")


def validate_person_name(value: str) -> None:
    """Chinese and transcribed names (with ·), any Unicode Han character including rare ones (𠮷, 堃)."""
    if _FORBIDDEN.search(value):
        raise ValidationError(_("姓名中不能有数字、标点或符号（如 < > / &），少数民族姓名中间可用“·”。"))
    if not value.strip():
        raise ValidationError(_("请填写姓名。"))


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
