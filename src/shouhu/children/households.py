"""Households (家庭): which children live together, and the writes that link them. The one home of the
matching rules.

Bijie (DOMAIN.md): four siblings were four unrelated files, so nothing read their home as one. Children
are linked when they are registered, updated or imported (``link``, set-based: a fixed number of queries
for any number of children), by the adults the registry already holds:

* Certain, linked at once: in the same village, the same carer's ID number; or the same father's and
  mother's ID numbers; or the same father's and mother's names (unless their ID numbers, recorded on
  both files, differ).
* Uncertain, suggested: in the same village, the same carer's name where one file or both have no ID
  number for the carer. A person who knows the family confirms or rejects it (``suggestion_decide``:
  whoever may edit both children: their village's director, the township's supervisor, the county);
  a rejected pair is never suggested again.

Choices:

* A household lies in one village, its children's household village (``Child.village``): its alerts,
  visits and work go to that village's director. Where the adults live does not matter (a father
  working in another province, a grandmother in the next village): the adults are the carer and
  parents of its children's files. Children registered in two villages are never linked, even with
  the same carer's ID number, and are not suggested: their files belong to two directors; move the
  registration first (the village is a fact of the file, corrected there).
* A child moves out (``household_leave``) with a date and a reason; the membership is kept, ended.
  A child whose village changes leaves its household on that day. A visit naming a child who moved
  out is refused (``visits.services.visit_record_household``).
* A new match never moves a child from one household to another, and two households are never merged
  automatically; a child matching two households joins the oldest.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shouhu.accounts import access

from .models import (
    Carer,
    Child,
    Household,
    HouseholdMember,
    HouseholdSuggestion,
    Parent,
    SuggestionStatus,
)

CARER_ID, PARENTS_ID, PARENTS_NAME, CARER_NAME = "carer_id", "parents_id", "parents_name", "carer_name"
# Stored as written here and translated where they are shown ({% translate m.reason %}).
REASONS = {
    CARER_ID: gettext_noop("同村，受委托照料人身份证号码相同"),
    PARENTS_ID: gettext_noop("同村，父母身份证号码相同"),
    PARENTS_NAME: gettext_noop("同村，父母姓名相同"),
    CARER_NAME: "同村，受委托照料人同名（{name}），未登记身份证号码，待核实",
}


def _find(parent: dict, x):
    while parent.setdefault(x, x) != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def link(*, child_ids, on: dt.date | None = None) -> dict[str, int]:
    """Link the children ``child_ids`` (just registered, updated or imported) to the households of the
    children of their villages they certainly share a home with, and suggest the uncertain matches.
    Seven queries and three inserts whatever the number of children. Returns counts."""
    on = on or timezone.localdate()
    counts = {"households": 0, "joined": 0, "suggested": 0}
    seen = _Villages.read(list(child_ids))
    if seen is None:
        return counts
    groups = seen.groups()
    root, why = seen.join_certain(groups)
    uncertain = seen.uncertain(groups, root)
    new_homes, new_members = seen.homes_of(root, why, on)
    if uncertain:
        counts["suggested"] = _suggest(uncertain)
    with transaction.atomic():
        Household.objects.bulk_create(new_homes)
        HouseholdMember.objects.bulk_create(new_members)
    counts["households"], counts["joined"] = len(new_homes), len(new_members)
    return counts


@dataclass
class _Villages:
    """What ``link`` reads of the villages of the children it links, in five queries."""

    subjects: dict[Any, Any]  # the children to link: their village
    village_of: dict[Any, Any]  # every child of those villages: their village
    carers: dict[Any, dict]
    parents: dict[Any, dict[str, dict]]
    homes: dict[Any, tuple[Any, dt.datetime]]  # a child's current household, and when it was made

    @classmethod
    def read(cls, ids: list) -> _Villages | None:
        if not ids:
            return None
        subjects = dict(
            Child.objects.filter(pk__in=ids, exited_on__isnull=True, village__isnull=False).values_list(
                "pk", "village_id"
            )
        )
        villages = set(subjects.values())
        if not villages:
            return None
        near = {"child__region_code__in": villages, "child__exited_on__isnull": True}
        village_of = dict(
            Child.objects.filter(
                region_code__in=villages, exited_on__isnull=True, village__isnull=False
            ).values_list("pk", "village_id")
        )
        carers = {
            row["child_id"]: row
            for row in Carer.objects.filter(**near).values("child_id", "name", "id_number_hash")
        }
        parents: dict[Any, dict[str, dict]] = defaultdict(dict)
        for row in Parent.objects.filter(**near).values("child_id", "role", "name", "id_number_hash"):
            parents[row["child_id"]][row["role"]] = row
        homes = {
            child: (home, created)
            for child, home, created in HouseholdMember.objects.filter(
                left_on__isnull=True, household__region_code__in=villages
            ).values_list("child_id", "household_id", "household__created_at")
        }
        return cls(subjects, village_of, carers, parents, homes)

    def groups(self) -> dict[tuple, list]:
        """The children of the villages by each key that may make them one home."""
        groups: dict[tuple, list] = defaultdict(list)
        for pk, village in self.village_of.items():
            carer, father, mother = (
                self.carers.get(pk),
                self.parents[pk].get("father"),
                self.parents[pk].get("mother"),
            )
            if carer and carer["id_number_hash"]:
                groups[(CARER_ID, village, carer["id_number_hash"])].append(pk)
            if father and mother and father["id_number_hash"] and mother["id_number_hash"]:
                groups[(PARENTS_ID, village, father["id_number_hash"], mother["id_number_hash"])].append(pk)
            if father and mother and father["name"] and mother["name"]:
                groups[(PARENTS_NAME, village, father["name"], mother["name"])].append(pk)
            if carer and carer["name"]:
                groups[(CARER_NAME, village, carer["name"])].append(pk)
        return groups

    def _differ(self, a, b, role) -> bool:
        x = self.parents[a].get(role, {}).get("id_number_hash")
        y = self.parents[b].get(role, {}).get("id_number_hash")
        return bool(x and y and x != y)

    def join_certain(self, groups: dict[tuple, list]) -> tuple[dict, dict]:
        """Certain matches: children sharing a key are one home (union-find over the villages' children).
        Returns the union-find's parents and the key that joined each child."""
        root: dict = {}
        why: dict = {}
        for key, members in groups.items():
            if len(members) < 2 or not any(m in self.subjects for m in members) or key[0] == CARER_NAME:
                continue
            first = members[0]
            for other in members[1:]:
                if key[0] == PARENTS_NAME and (
                    self._differ(first, other, "father") or self._differ(first, other, "mother")
                ):
                    continue
                a, b = _find(root, first), _find(root, other)
                if a != b:
                    root[b] = a
                    why.setdefault(other, key[0])
                    why.setdefault(first, key[0])
        return root, why

    def uncertain(self, groups: dict[tuple, list], root: dict) -> list[tuple[Any, Any, str]]:
        """Carers of one name with no ID number on both sides: a match a person confirms."""
        found: list[tuple[Any, Any, str]] = []
        for key, members in groups.items():
            if key[0] != CARER_NAME or len(members) < 2:
                continue
            for s in (m for m in members if m in self.subjects):
                for other in members:
                    if other == s or _find(root, other) == _find(root, s):
                        continue
                    same_home = s in self.homes and self.homes.get(other, (None,))[0] == self.homes[s][0]
                    a, b = self.carers[s]["id_number_hash"], self.carers[other]["id_number_hash"]
                    # Both numbers recorded: equal was certain, different is not a match.
                    if same_home or (a and b):
                        continue
                    found.append((s, other, REASONS[CARER_NAME].format(name=key[2])))
        return found

    def homes_of(self, root: dict, why: dict, on: dt.date) -> tuple[list, list]:
        """The households to make and the members to add: each group joins its oldest home, or a new one."""
        components: dict[Any, list] = defaultdict(list)
        for pk in list(root):
            components[_find(root, pk)].append(pk)
        new_homes, new_members = [], []
        for members in components.values():
            if len(members) < 2 or not any(m in self.subjects for m in members):
                continue
            held = sorted({self.homes[m] for m in members if m in self.homes}, key=lambda h: h[1])
            if held:
                home_id = held[0][0]
            else:
                village = self.village_of[members[0]]
                home = Household(village_id=village, region_code=village)
                new_homes.append(home)
                home_id = home.pk
            for m in members:
                if m not in self.homes:
                    new_members.append(
                        HouseholdMember(
                            household_id=home_id,
                            child_id=m,
                            joined_on=on,
                            reason=REASONS[why.get(m, CARER_ID)],
                        )
                    )
                    self.homes[m] = (home_id, timezone.now())
        return new_homes, new_members


def _suggest(uncertain: list[tuple[Any, Any, str]]) -> int:
    """Store the uncertain matches not suggested before (either way round); returns how many."""
    known = set(
        HouseholdSuggestion.objects.filter(child_id__in=[u[0] for u in uncertain]).values_list(
            "child_id", "other_id"
        )
    ) | set(
        HouseholdSuggestion.objects.filter(other_id__in=[u[0] for u in uncertain]).values_list(
            "other_id", "child_id"
        )
    )
    fresh, seen = [], set()
    for s, other, reason in uncertain:
        pair = frozenset((s, other))
        if (s, other) in known or (other, s) in known or pair in seen:
            continue
        seen.add(pair)
        fresh.append(HouseholdSuggestion(child_id=s, other_id=other, reason=reason))
    HouseholdSuggestion.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


def household_of(child: Child) -> Household | None:
    member = (
        HouseholdMember.objects.filter(child=child, left_on__isnull=True).select_related("household").first()
    )
    return member.household if member else None


def _changed(child: Child, actor) -> None:
    """The home's rules read the new membership at once (the registry's after-change step)."""
    from .signals import child_changed

    child_changed.send(sender=Child, child=child, actor=actor)


def suggestion_decide(*, actor, suggestion: HouseholdSuggestion, confirm: bool) -> HouseholdSuggestion:
    """Confirm (link the two children's homes) or reject an uncertain match. Only someone who may edit
    both children's files decides: the village's director, the township's supervisor, the county."""
    child, other = suggestion.child, suggestion.other
    if not (access.can_edit(actor, child) and access.can_edit(actor, other)):
        raise PermissionDenied(_("只有两名儿童所在村的儿童主任或乡镇督导员可以确认家庭关联。"))
    if suggestion.status != SuggestionStatus.PENDING:
        raise ValidationError({"status": [_("该建议已处理。")]})
    if confirm and child.village_id != other.village_id:
        raise ValidationError(
            {"other": [_("两名儿童户籍不在同一村，不能合为一个家庭；请先核实户籍所在村。")]}
        )
    with transaction.atomic():
        suggestion.status = SuggestionStatus.CONFIRMED if confirm else SuggestionStatus.REJECTED
        suggestion.decided_by, suggestion.decided_at = actor, timezone.now()
        suggestion.save(update_fields=["status", "decided_by", "decided_at"])
        if confirm:
            mine, theirs = household_of(child), household_of(other)
            if mine and theirs and mine.pk != theirs.pk:
                raise ValidationError(
                    {"other": [_("两名儿童已分属两个家庭；请先将其中一名儿童迁出原家庭。")]}
                )
            home = mine or theirs
            if home is None:
                home = Household.objects.create(village_id=child.village_id)
            for c in (child, other):
                if not HouseholdMember.objects.filter(child=c, left_on__isnull=True).exists():
                    HouseholdMember.objects.create(
                        household=home, child=c, joined_on=timezone.localdate(), reason=suggestion.reason
                    )
            Household.objects.filter(pk=home.pk).update(version=home.version + 1)
            _changed(child, actor)
    return suggestion


def household_leave(*, actor, child: Child, on: dt.date | None = None, reason: str = "") -> None:
    """The child moved out of its household on ``on``: the membership ends (kept, with the reason),
    the household's alerts no longer cover the child, and the child's rules are read on their own."""
    if not access.can_edit(actor, child):
        raise PermissionDenied(_("您没有修改该儿童信息的权限。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("请说明迁出原因。")]})
    with transaction.atomic():
        _leave([child.pk], on=on or timezone.localdate(), reason=reason)
        _changed(child, actor)


def _leave(child_ids, *, on: dt.date, reason: str) -> list:
    """End the memberships of ``child_ids``; modules that hold work for the household (its alerts)
    hear of it through ``signals.household_left``."""
    from .signals import household_left

    ids = list(child_ids)
    ended = list(HouseholdMember.objects.filter(child_id__in=ids, left_on__isnull=True))
    if not ended:
        return []
    HouseholdMember.objects.filter(pk__in=[m.pk for m in ended]).update(left_on=on, reason=reason[:200])
    for m in ended:
        Household.objects.filter(pk=m.household_id).update(version=F("version") + 1)
        household_left.send(sender=Household, household_id=m.household_id, child_id=m.child_id)
    return ended


def leave_moved(*, child_ids, on: dt.date | None = None) -> int:
    """The children of ``child_ids`` whose household village is no longer their household's village
    leave their household that day (one query when nobody moved)."""
    moved = list(
        HouseholdMember.objects.filter(child_id__in=list(child_ids), left_on__isnull=True)
        .exclude(household__village_id=F("child__village_id"))
        .values_list("child_id", flat=True)
    )
    if moved:
        _leave(moved, on=on or timezone.localdate(), reason=gettext_noop("户籍所在村变更"))
    return len(moved)
