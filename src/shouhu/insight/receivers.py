"""What marks a place's rollups dirty: every saved or deleted record a figure counts, the registry's
after-change step (``children_changed``, for one child or a set written by an import), and
``regions.signals.places_changed``, which the writes in sets send (work items made, completed or
cancelled together; alerts opened by the nightly rules).

The place of a record is the code it carries; a record that moves (a child changing village, a
report linked to a village) marks where it was as well as where it is, from the codes noted when it
was loaded. A write in sets that sends no ``places_changed`` is caught by the nightly reconcile;
so are visits and work items deleted on their own (only a child's deletion and the demo's reset
delete them). A category a child loses is deleted by the registry, whose after-change step marks
the child's place.
"""

from django.db.models.signals import post_delete, post_init, post_save

from . import rollups

WAS = "_rollup_codes"


def _codes_of(instance) -> set[str]:
    d = instance.__dict__
    return {d.get(name) or "" for name in ("region_code", "village_id", "township_id")} - {""}


def _note(sender, instance, **kwargs):
    setattr(instance, WAS, _codes_of(instance))


def _changed(sender, instance, **kwargs):
    rollups.mark(*(_codes_of(instance) | getattr(instance, WAS, set())))
    setattr(instance, WAS, _codes_of(instance))


def _child_code(child_id) -> str | None:
    from shouhu.children.models import Child

    return Child.objects.filter(pk=child_id).values_list("region_code", flat=True).first()


def _of_child(sender, instance, **kwargs):
    child = instance._state.fields_cache.get("child")
    rollups.mark(child.region_code if child is not None else _child_code(instance.child_id))


def _of_session(sender, instance, **kwargs):
    home = instance._state.fields_cache.get("home")
    if home is None:
        from shouhu.visits.models import ChildrensHome

        home = ChildrensHome.objects.filter(pk=instance.home_id).first()
    rollups.mark(home.village_id if home else None)


def _of_case_event(sender, instance, **kwargs):
    from shouhu.cases.models import Case

    rollups.mark(Case.objects.filter(pk=instance.case_id).values_list("region_code", flat=True).first())


def children_changed(ids, *, codes=()) -> None:
    """The registry's after-change step (``children.after``): the children's places, and those of
    their work, which is closed or cancelled in sets (``update``) when a file changes or a visit is
    recorded; work made before a child moved carries the old village, which is recomputed too."""
    from shouhu.escalation.models import WorkItem

    ids = list(ids)
    marked = set(codes)
    for i in range(0, len(ids), 5000):
        kept = WorkItem.objects.filter(child_id__in=ids[i : i + 5000]).values_list("region_code", flat=True)
        marked.update(kept.distinct())
    rollups.mark(*marked)


def _places_changed(sender, codes=(), **kwargs):
    rollups.mark(*codes)


def connect() -> None:
    from shouhu.cases.models import Alert, Case, CaseEvent, Report
    from shouhu.children.models import CategoryEvent, Child, ChildCategory
    from shouhu.escalation.models import WorkItem
    from shouhu.regions.signals import places_changed
    from shouhu.visits.models import ActivitySession, Visit

    for model in (Child, WorkItem, Alert, Case, Report, Visit):
        post_init.connect(_note, sender=model, dispatch_uid=f"rollups-note-{model.__name__}")
        post_save.connect(_changed, sender=model, dispatch_uid=f"rollups-save-{model.__name__}")
    # Deleting a child marks its place; the records deleted with it need no signal of their own (a
    # receiver would stop Django deleting them in one statement).
    for model in (Child, Alert, Case, Report):
        post_delete.connect(_changed, sender=model, dispatch_uid=f"rollups-delete-{model.__name__}")
    for model in (ChildCategory, CategoryEvent):
        post_save.connect(_of_child, sender=model, dispatch_uid=f"rollups-save-{model.__name__}")
    post_save.connect(_of_session, sender=ActivitySession, dispatch_uid="rollups-save-session")
    post_delete.connect(_of_session, sender=ActivitySession, dispatch_uid="rollups-delete-session")
    post_save.connect(_of_case_event, sender=CaseEvent, dispatch_uid="rollups-case-event")
    places_changed.connect(_places_changed, dispatch_uid="rollups-places-changed")
