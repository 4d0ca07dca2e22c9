"""Template helpers of the web interface. Permission questions are asked of ``accounts.access``."""

from django import template
from django.utils.translation import pgettext

from shouhu.accounts import access
from shouhu.children.options import Assistance, IncomeSource

register = template.Library()


@register.filter
def may_create_children(user) -> bool:
    return user.is_authenticated and access.can_create_children(user)


@register.filter
def may_read_audit(user) -> bool:
    return user.is_authenticated and access.can_read_audit(user)


@register.filter
def place(child) -> str:
    """Where a child belongs: "township / village", or where a homeless minor was found."""
    region = child.village if child.village_id else child.found_region
    if region is None:
        return ""
    if region.parent_id and child.village_id:
        return f"{region.parent.name} / {region.name}"
    return region.name


def _labels(values, choices) -> str:
    labels = dict(choices)
    return pgettext("list separator", "、").join(str(labels.get(v, v)) for v in values or [])


@register.filter
def income_labels(values) -> str:
    return _labels(values, IncomeSource.choices)


@register.filter
def assistance_labels(values) -> str:
    return _labels(values, Assistance.choices)


@register.filter
def query_text(value: str) -> str:
    """A logged query string as a person reads it (q=梦巧, not q=%E6%A2%A6…; a hashed ID number as
    [身份证号 #1a2b3c4d])."""
    from urllib.parse import unquote_plus

    from shouhu.audit.redact import display

    return display(unquote_plus(value or ""))


@register.filter
def reason_words(reason: str) -> str:
    """Why a child holds or lost a category, in the reader's language (``children.reasons``)."""
    from shouhu.children.reasons import in_words

    return in_words(reason)
