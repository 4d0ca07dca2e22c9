"""Resident identity numbers (公民身份号码, GB 11643-1999).

18 characters: a 6-digit address code, an 8-digit birth date (YYYYMMDD), a 3-digit sequence (odd
for men, even for women) and a check character computed by ISO 7064 MOD 11-2 ('X' stands for 10).
"""

import datetime as dt
import functools

from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


class InvalidIdNumber(ValueError):
    pass


# Full-width digits and X, and the spaces sheets put inside a number.
_WIDE = {0xFF10 + i: ord("0") + i for i in range(10)} | {0xFF38: "X", 0xFF58: "X", 0x20: None, 0x3000: None}


def normalise(value: str) -> str:
    """Strip what spreadsheets add: spaces, apostrophes, full-width digits, a lower-case x."""
    return value.strip().lstrip("'‘’").strip().translate(_WIDE).upper()


@functools.lru_cache(maxsize=4096)  # one number is checked by the import, the model and the hash
def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def birth_date_of(number: str) -> dt.date:
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def gender_of(number: str) -> str:
    return "male" if int(number[16]) % 2 else "female"


def validate(value: str) -> str:
    """Return the normalised number, or raise ``InvalidIdNumber`` saying what is wrong."""
    number = normalise(value)
    if len(number) != 18:
        raise InvalidIdNumber(_("身份证号码应为18位，这里是%(count)s位") % {"count": len(number)})
    # ASCII only: str.isdigit() also takes ² and Arabic-Indic digits, which int() refuses or misreads.
    if not number.isascii() or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdNumber(_("身份证号码前17位应为数字，最后一位为数字或X"))
    try:
        birth_date_of(number)
    except ValueError as exc:
        raise InvalidIdNumber(
            _("身份证号码中的出生日期 %(digits)s 不是有效日期") % {"digits": number[6:14]}
        ) from exc
    expected = check_char(number[:17])
    if number[17] != expected:
        raise InvalidIdNumber(
            _("身份证号码校验位错误（最后一位应为 %(expected)s），请核对") % {"expected": expected}
        )
    return number


def make(first17: str) -> str:
    return first17 + check_char(first17)
