"""Helpers for the visits pages' tests: signing in, and work items made late by moving their due date."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from shouhu.escalation import services as escalation
from shouhu.escalation.models import WorkItem
from shouhu.visits import services as visit_services

_seq = itertools.count(1)


@pytest.fixture
def signed_in(client):
    """``signed_in(user)`` returns the test client signed in as ``user``."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def late_item(child, responsible, *, days: int, kind: str = visit_services.DIRECTOR_VISIT) -> WorkItem:
    """A visit to ``child`` that fell due ``days`` days ago (an earlier period's visit, never made)."""
    due = timezone.now() - dt.timedelta(days=days)
    key = f"test:{child.pk}:{next(_seq)}"
    escalation.items_ensure(
        [
            escalation.ItemSpec(
                key=key,
                kind=kind,
                title=f"走访 {child.name}",
                region_code=child.region_code,
                child_id=child.pk,
                responsible_id=getattr(responsible, "pk", None),
                due_at=due,
                township_after=dt.timedelta(days=7),
                county_after=dt.timedelta(days=14),
            )
        ]
    )
    return WorkItem.objects.get(key=key)
