"""What follows a change of the registry's facts, in one explicit step and in one order.

Every write that changes what is known of children calls ``after_facts_changed`` once, for one child
or for a set, inside its transaction: registering and editing (``services``), moving out of a
household and confirming one (``households``), recording a visit (``visits.services``), the import
(``imports.services``) and the nightly re-classification (``services.reclassify_all``). In order:

1. categories: already applied by the caller, which knows how (one child, ``child_reclassify``; a set,
   ``children_write``), and passed here as ``recategorised``;
2. visit schedules: the children whose categories changed have their visits derived again
   (``visits.services.schedules_after``);
3. risk rules: households' alerts stop covering the children who ``left`` them, ``visits`` that saw a
   child safe close its alerts, and the rules are evaluated for the set
   (``cases.services.evaluate_children``); a case the rules open because the parents cannot guard
   opens its eligibility review where the case is opened (``cases.services.case_open``);
4. archiving: children who have left the register (``privacy.services.archive_child``);
5. rollups: the places of the children and of their work are marked for the dashboards
   (``insight.receivers.children_changed``).

The modules named are imported here when the step runs: they depend on the registry, not the reverse.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone

from .models import Child

PART = 5000  # children per query of a set


def after_facts_changed(
    *,
    children: Iterable[Child | Any],
    on: dt.date | None = None,
    actor=None,
    recategorised: Mapping[Any, tuple[set[str], set[str]]] | None = None,
    new: Iterable[Any] = (),
    left: Iterable[Any] = (),
    visits: Iterable[Any] = (),
    evaluate: bool = True,
) -> None:
    """Bring what depends on the facts of ``children`` (children, or their ids) up to date.

    ``recategorised``: {child id: (gained, lost)} of the children whose categories changed; ``new``:
    the ids of children just written in a set (an import), who have no visits to withdraw yet;
    ``left``: the household memberships the change ended; ``visits``: the visits just recorded.
    ``evaluate=False`` when only the passing of days changed the categories (the nightly
    re-classification): the night's own run of the rules reads every child after it."""
    from shouhu.cases import services as cases
    from shouhu.insight import receivers as rollups
    from shouhu.privacy import services as privacy
    from shouhu.visits import services as visits_services

    on = on or timezone.localdate()
    children = list(children)
    ids = [c.pk if isinstance(c, Child) else c for c in children]
    if recategorised:
        visits_services.schedules_after(
            changed={pk: gained | lost for pk, (gained, lost) in recategorised.items()}, on=on, new=set(new)
        )
    for membership in left:
        cases.household_member_left(household_id=membership.household_id, child_id=membership.child_id)
    for visit in visits:
        cases.confirm_by_visit(visit=visit)
    if evaluate:
        cases.evaluate_children(children=ids, actor=actor)
    loaded = [c for c in children if isinstance(c, Child)]
    codes = {c.region_code for c in loaded}
    exited = [c for c in loaded if c.exited_on]
    bare = [c for c in children if not isinstance(c, Child)]
    for part in (bare[i : i + PART] for i in range(0, len(bare), PART)):
        codes.update(Child.objects.filter(pk__in=part).values_list("region_code", flat=True))
        exited += Child.objects.filter(pk__in=part, exited_on__isnull=False)
    for child in exited:
        privacy.archive_child(child=child)
    rollups.children_changed(ids, codes=codes)
