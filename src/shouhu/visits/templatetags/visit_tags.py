"""Template helpers of the visits pages, for the shared layout and the child's file. Permission
questions are asked of ``accounts.access``; reads go through ``visits.selectors``."""

from django import template

from shouhu.accounts import access
from shouhu.escalation import services as escalation

from .. import permissions, selectors

register = template.Library()


@register.filter
def unread_notifications(user) -> int:
    if not user.is_authenticated:
        return 0
    return escalation.notifications_for(user=user, unread_only=True).count()


@register.filter
def works_territory(user) -> bool:
    """Investigations and children's homes are the work of those who work a territory."""
    return user.is_authenticated and selectors.home_area(user) is not None


@register.filter
def may_configure_visits(user) -> bool:
    return user.is_authenticated and access.configurable_county(user) is not None


@register.inclusion_tag("visits/child_section.html", takes_context=True)
def child_visits(context, child):
    """The "走访记录" section of a child's file: open due visits, the latest visits, and the button to
    record one for those who may."""
    user = context["request"].user
    return {
        "child": child,
        "due": selectors.child_open_items(user=user, child=child),
        "visits": selectors.child_visits(child=child) if access.sees_sensitive_fields(user, child) else [],
        "can_record": permissions.visits.can_record(user, child),
    }


@register.filter
def action(obj):
    """Where a work item or a notification leads and what clears it (``escalation.actions``)."""
    from shouhu.escalation import actions
    from shouhu.escalation.models import Notification

    if isinstance(obj, Notification):
        return actions.notice_action(obj)
    return actions.item_action(obj)
