"""Retention: the log is kept at least three years; only the purge command removes what is older."""

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone

from shouhu.audit import retention
from shouhu.audit.models import AccessLog, Action

from .conftest import log

DAY = dt.timedelta(days=1)


def test_the_default_keeps_the_log_more_than_three_years():
    assert retention.retention_days() >= 3 * 365


def test_a_period_under_three_years_is_refused(settings):
    settings.AUDIT_RETENTION_DAYS = 3 * 365 - 1

    with pytest.raises(ImproperlyConfigured, match="at least 1095"):
        retention.retention_days()


def test_the_settings_refuse_a_period_under_three_years_at_start_up():
    env = {**os.environ, "AUDIT_RETENTION_DAYS": "365", "SHOUHU_INSECURE_DEV_KEY": "true"}
    env.pop("DJANGO_SETTINGS_MODULE", None)

    done = subprocess.run(
        [sys.executable, "-c", "import shouhu.settings"], env=env, capture_output=True, text=True, check=False
    )

    assert done.returncode != 0
    assert "AUDIT_RETENTION_DAYS must be at least 1095" in done.stderr


def test_the_purge_deletes_only_rows_past_the_period_and_logs_it(personas, settings):
    settings.AUDIT_RETENTION_DAYS = 1100
    now = timezone.now()
    old = log(personas.dir_a, child=personas.child_a, at=now - 1100 * DAY - DAY)
    kept = log(personas.dir_a, child=personas.child_a, at=now - 1100 * DAY + DAY)

    result = retention.purge(now=now)

    assert result["count"] == 1
    assert not AccessLog.objects.filter(pk=old.pk).exists()
    assert AccessLog.objects.filter(pk=kept.pk).exists()
    purge = AccessLog.objects.get(action=Action.PURGE)
    assert (purge.channel, purge.path) == ("job", "purge-audit")
    assert "rows=1" in purge.query


def test_the_purge_with_the_clock_moved_on_removes_what_has_aged(personas, settings, time_machine):
    """Rows are logged in the past and purged now: the database's own clock is the one its purge
    function believes (a purge dated in the future is refused on PostgreSQL)."""
    settings.AUDIT_RETENTION_DAYS = 1100
    now = timezone.now()
    time_machine.move_to(now - 1099 * DAY, tick=True)
    young = log(personas.dir_a, child=personas.child_a)
    time_machine.move_to(now - 1101 * DAY, tick=True)
    aged = log(personas.dir_a, child=personas.child_a)
    time_machine.move_to(now, tick=True)

    assert retention.purge()["count"] == 1
    assert AccessLog.objects.filter(pk=young.pk).exists()
    assert not AccessLog.objects.filter(pk=aged.pk).exists()


def test_a_dry_run_counts_and_changes_nothing(personas):
    log(personas.dir_a, child=personas.child_a, at=timezone.now() - 4000 * DAY)

    result = retention.purge(dry_run=True)

    assert result["count"] == 1
    assert AccessLog.objects.count() == 1


def test_the_command_purges_and_says_how_many(personas, capsys):
    log(personas.dir_a, child=personas.child_a, at=timezone.now() - 4000 * DAY)

    call_command("purge_audit")

    assert "deleted 1 access-log rows" in capsys.readouterr().out
    assert list(AccessLog.objects.values_list("action", flat=True)) == [Action.PURGE]
