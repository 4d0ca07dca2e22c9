"""Versions on the pages: the version a decision form was opened at, and what to tell the user when
the record moved on meanwhile (``shouhu.versioning``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from shouhu import versioning

REFUSED = (versioning.Stale, versioning.Conflict)


def posted_version(request) -> int | None:
    """The hidden ``version`` field of the form (none, or not a number: no comparison)."""
    try:
        return versioning.parse(request.POST.get("version"))
    except ValueError:
        return None


def refusal(exc: Exception) -> str:
    if isinstance(exc, versioning.Conflict):
        return exc.message
    return _("您打开页面后，该记录已被他人修改，未保存。请查看最新内容后再操作。")
