"""On PostgreSQL the database itself refuses to change or delete access-log rows: the application's role
has no right to (tests/security/test_db_roles.py), and a trigger refuses even the owner."""

import datetime as dt

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from shouhu.audit import retention
from shouhu.audit.models import AccessLog

from .conftest import log

pytestmark = pytest.mark.postgres
REFUSED = "permission denied|append-only"


def test_an_update_of_a_log_row_is_refused(personas):
    row = log(personas.dir_a, child=personas.child_a)

    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).update(query="rewritten")

    row.refresh_from_db()
    assert row.query == ""


def test_a_delete_of_a_log_row_is_refused(personas):
    row = log(personas.dir_a, child=personas.child_a)

    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).delete()

    assert AccessLog.objects.filter(pk=row.pk).exists()


def test_the_purge_deletes_old_rows_and_leaves_recent_ones(personas):
    old = log(personas.dir_a, child=personas.child_a, at=timezone.now() - dt.timedelta(days=4000))
    recent = log(personas.dir_a, child=personas.child_a, at=timezone.now() - dt.timedelta(days=30))

    assert retention.purge()["count"] == 1
    assert not AccessLog.objects.filter(pk=old.pk).exists()
    assert AccessLog.objects.filter(pk=recent.pk).exists()


def test_deleting_a_user_keeps_their_rows_with_the_name(personas):
    row = log(personas.social_worker)

    personas.social_worker.delete()

    row.refresh_from_db()
    assert (row.user_id, row.username) == (None, "social")
