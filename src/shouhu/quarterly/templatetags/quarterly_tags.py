"""Template filters of the quarterly-report pages."""

from django import template

from .. import permissions

register = template.Library()


@register.filter
def may_see_quarterly(user) -> bool:
    """Whether the menu offers quarterly reports (``permissions.QuarterlyReportPolicy.reads_any``)."""
    return getattr(user, "is_authenticated", False) and permissions.quarterly_reports.reads_any(user)
