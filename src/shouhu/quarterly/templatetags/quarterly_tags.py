"""Template filters of the quarterly-report pages."""

from django import template

from shouhu.accounts import access
from shouhu.accounts.models import Role

register = template.Library()


@register.filter
def may_see_quarterly(user) -> bool:
    """Whether the menu offers quarterly reports: those ``access.quarterly_reports_visible_to`` shows
    reports to (a territory above the village, or everywhere)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or (access.territory_code(user) and user.role != Role.VILLAGE_DIRECTOR))
