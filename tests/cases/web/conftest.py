"""Helpers for the find-and-intervene pages' tests: signing in, a teacher who reports, and a child
recorded as living alone (which raises an urgent alert)."""

import pytest
from django.utils import timezone

from shouhu.accounts.models import Role
from shouhu.cases import reports
from shouhu.cases.models import Alert
from shouhu.children import services as child_services
from tests import factories as f


@pytest.fixture
def signed_in(client):
    """``signed_in(user)`` returns the test client signed in as ``user``."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def teacher(personas):
    """A teacher with no jurisdiction: she may report, and sees nothing of the children."""
    return f.make_user("teacher", Role.TEACHER, None, full_name="王老师")


def record_alone(director, child) -> Alert:
    """A director records the child as living alone; the rules raise the urgent alert at once."""
    child_services.child_update(actor=director, child=child, fields={"living_arrangement": "alone"})
    return Alert.objects.get(child=child, rule="alone_under_16")


def file_report(actor, **overrides):
    data = dict(
        harm_type="abandoned",
        description="孩子一个人在家，三天没见到大人。",
        seen_at=timezone.now(),
        urgency="immediate",
        township=f.TOWNSHIP,
        village=f.VILLAGE_B,
    )
    data.update(overrides)
    return reports.report_file(actor=actor, **data)
