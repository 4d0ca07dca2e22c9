"""No ID number or mobile number reaches the access log in clear.

Every text the log stores (the path, the query string, a command's detail) passes through ``redact``:
an 18- or 15-digit ID number becomes ``[id:<keyed hash>]`` and a mainland mobile number
``[tel:<keyed hash>]``, the same HMAC (``children.crypto.keyed_hash``) that the registry searches
with, so an auditor can still ask "who searched for this ID number": ``needles`` hashes the number
under the current key and any old key of a rotation, and the log's search looks for each. ``display``
shortens a token for a reader ("[身份证号 #1a2b3c4d]"): the page, the CSV and the API show that.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

from django.utils.translation import gettext as _

from shouhu.children import crypto

# Bounded by anything but a letter or digit: a division code (12 digits) or a UUID is left alone. Spaces
# inside a number are allowed, as the registry's search allows them ("341623 2016…" finds the child); two
# numbers that happen to stand together are hashed as one, which errs on the safe side.
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])((?:\d[ \t]*){17}[\dXx]|(?:\d[ \t]*){14}\d)(?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9A-Za-z])(1[ \t]*[3-9](?:[ \t]*\d){9})(?![0-9A-Za-z])")
TOKEN = re.compile(r"\[(id|tel):([0-9a-f]{64})\]")
KINDS = {"id": ID_NUMBER, "tel": MOBILE}


def _token(kind: str, value: str) -> str:
    return f"[{kind}:{crypto.keyed_hash(value)}]"


def redact(text: str) -> str:
    """``text`` with every ID and mobile number replaced by its hashed token."""
    if not text:
        return ""
    for kind, pattern in KINDS.items():
        text = pattern.sub(lambda m, kind=kind: _token(kind, m.group(1)), text)
    return text


def redact_query_string(query_string: str) -> str:
    """A raw query string decoded (``q=%E6%A2%A6`` reads ``q=梦``) and redacted: a number split by
    percent-encoding (``%20341623…``) would otherwise escape the pattern."""
    return redact(unquote_plus(query_string or ""))


def needles(number: str) -> list[str]:
    """What the log holds where ``number`` was written: its token under each key, and the number
    itself for rows written before numbers were hashed."""
    value = crypto.normalise(number)
    kind = "id" if ID_NUMBER.fullmatch(value) else "tel" if MOBILE.fullmatch(value) else None
    if kind is None:
        return []
    return [*(f"[{kind}:{h}]" for h in crypto.keyed_hashes(value)), value, value.lower()]


def display(text: str) -> str:
    """A stored text as a reader sees it: each token shortened to its kind and eight hex digits."""
    labels = {"id": _("身份证号"), "tel": _("手机号")}
    return TOKEN.sub(lambda m: f"[{labels[m.group(1)]} #{m.group(2)[:8]}]", text or "")
