from django.dispatch import receiver

from shouhu.children.signals import child_changed, deferred, household_left
from shouhu.visits.signals import visit_recorded

from . import services


@receiver(child_changed)
def evaluate_after_change(sender, *, child, actor, **kwargs):
    """Rules are evaluated the moment a fact changes, not only at night (an import evaluates its
    children together afterwards)."""
    if not deferred(child):
        services.evaluate_child(child=child, actor=actor)


@receiver(visit_recorded)
def evaluate_after_visit(sender, *, visit, **kwargs):
    """A visit may confirm a child is safe (closing urgent alerts) or add a failed attempt (a signal)."""
    services.confirm_by_visit(visit=visit)
    services.evaluate_child(child=visit.child)


@receiver(household_left)
def household_alerts_after_leaving(sender, *, household_id, child_id, **kwargs):
    """The household's open alerts stop covering a child who moved out."""
    services.household_member_left(household_id=household_id, child_id=child_id)
