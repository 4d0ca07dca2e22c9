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


# --- the phone's menu --------------------------------------------------------------------------------

#: What each role does most, in order; the phone's bottom bar shows the first five the user may use.
#: Desk work (imports, list comparisons, rules, the access log) is left to the full menu on a desktop.
PHONE_MENU = {
    "village_director": ("work", "alerts", "children", "register", "report"),
    "township_supervisor": ("work", "alerts", "cases", "children", "dashboard"),
    "county_staff": ("work", "alerts", "cases", "dashboard", "children"),
    "civil_affairs": ("work", "alerts", "dashboard", "cases", "children"),
    "admin": ("work", "alerts", "dashboard", "children", "cases"),
    "social_worker": ("home", "referrals", "children", "report", "work"),
    "teacher": ("home", "report", "children", "work"),
    "health_worker": ("home", "report", "children", "work"),
    "mentor": ("home", "children", "report", "work"),
}
PHONE_MENU_SIZE = 5


@register.simple_tag
def phone_menu(user) -> list[dict]:
    """The bottom bar of a phone: the things this user's role does most (``PHONE_MENU``), each one the
    user may use, at most five. Each entry: ``key``, ``url``, ``label``."""
    from django.urls import reverse
    from django.utils.translation import gettext

    from shouhu.cases.templatetags.case_tags import may_see_alerts
    from shouhu.visits.templatetags.visit_tags import works_territory

    if not user.is_authenticated:
        return []
    entries = {
        "home": ("home", gettext("首页"), True),
        "work": ("visits:work", gettext("我的工作"), True),
        "alerts": ("cases:alerts", gettext("预警"), may_see_alerts(user)),
        "children": ("children:list", gettext("儿童名册"), True),
        "register": ("children:create", gettext("登记儿童"), may_create_children(user)),
        "report": ("cases:reports", gettext("强制报告"), True),
        "cases": ("cases:cases", gettext("个案"), may_see_alerts(user)),
        "referrals": ("referrals:list", gettext("转介"), bool(user.organisation_id) or works_territory(user)),
        "dashboard": ("insight:home", gettext("数据看板"), works_territory(user)),
    }
    role = "admin" if user.is_superuser else user.role
    wanted = PHONE_MENU.get(role, ("home", "work", "children", "report"))
    menu = []
    for key in wanted:
        name, label, allowed = entries[key]
        if allowed:
            menu.append({"key": key, "url": reverse(name), "label": label})
    return menu[:PHONE_MENU_SIZE]


@register.filter
def tel(number) -> str:
    """A phone number as a link that dials it on a phone (``tel:``, digits and + only in the address);
    "—" when there is none. The one place phone numbers are shown."""
    from django.utils.html import format_html

    text = str(number or "").strip()
    if not text:
        return "—"
    dial = "".join(c for c in text if c.isdigit() or c == "+")
    if not dial:
        return text
    return format_html('<a href="tel:{}" class="tel">{}</a>', dial, text)
