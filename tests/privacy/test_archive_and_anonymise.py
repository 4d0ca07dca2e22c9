"""Archiving at 18 or on leaving, and anonymisation after the retention period, statistics kept."""

import datetime as dt
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from shouhu.audit.models import AccessLog, Action
from shouhu.children import selectors
from shouhu.children import services as child_services
from shouhu.children.after import after_facts_changed
from shouhu.children.models import Carer, CategoryEvent, Child, Parent, RescueContact
from shouhu.children.validators import add_years
from shouhu.privacy import services
from shouhu.privacy.models import Archive, ArchiveReason, Basis
from shouhu.visits import services as visit_services
from tests import factories as f

from ..audit.conftest import log

# --- archiving --------------------------------------------------------------------------------------


@pytest.fixture
def nearly_adult(personas):
    """A child who turns 18 tomorrow."""
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    return f.make_child(name="将满", village=f.VILLAGE_A, birth_date=add_years(tomorrow, -18), schooling="")


def test_a_child_is_not_archived_the_day_before_turning_18(nearly_adult):
    services.archive_due(on=nearly_adult.turns_adult_on - dt.timedelta(days=1))

    assert not services.is_archived(nearly_adult)
    assert Child.objects.get(pk=nearly_adult.pk).exited_on is None


def test_a_child_is_archived_on_the_18th_birthday(nearly_adult):
    services.archive_due(on=nearly_adult.turns_adult_on)

    archive = Archive.objects.get(child=nearly_adult)
    assert archive.reason == ArchiveReason.AGED_OUT
    assert Child.objects.get(pk=nearly_adult.pk).exited_on == nearly_adult.turns_adult_on
    assert AccessLog.objects.filter(action=Action.ARCHIVE, child_id=nearly_adult.pk).count() == 1


def test_a_child_who_leaves_is_archived_at_once_and_drops_out_of_the_work_lists(personas):
    child_services.child_update(
        actor=personas.dir_a,
        child=personas.child_a,
        fields={"exited_on": timezone.localdate(), "exit_reason": "moved"},
    )

    assert Archive.objects.get(child=personas.child_a).reason == ArchiveReason.EXITED
    assert personas.child_a not in selectors.children_list(user=personas.dir_a)


def test_archiving_twice_keeps_one_record(personas):
    Child.objects.filter(pk=personas.child_b.pk).update(exited_on=timezone.localdate(), exit_reason="moved")
    services.archive_due()
    services.archive_due()

    assert Archive.objects.filter(child=personas.child_b).count() == 1


# --- anonymisation ----------------------------------------------------------------------------------


@pytest.fixture
def archived_long_ago(personas, settings, tmp_path):
    """Child A with a full file, a history, visits and log rows; archived 11 years ago."""
    settings.MEDIA_ROOT = tmp_path
    child = personas.child_a
    child_services.child_update(
        actor=personas.dir_a,
        child=child,
        fields={"address": "前潘村东头3号", "id_number": f.id_number_for(child.birth_date)},
        parents={"father": {**f.migrant(), "name": "梦大山", "phone": "13800001111"}},
        carer={"name": "梦奶奶", "relation": "grandparent", "phone": "13900002222"},
        contacts=[{"name": "李邻居", "phone": "13700003333", "relation": "邻居"}],
    )
    services.basis_record(
        actor=personas.dir_a,
        child=child,
        basis=Basis.CONSENT,
        consent_on=timezone.localdate(),
        consent_by="梦奶奶",
        scope="登记与走访",
    )
    visit_services.visit_record(
        actor=personas.dir_a,
        child=child,
        data={"visited_on": timezone.localdate(), "notes": "梦大山在宁波打工"},
    )
    child = Child.objects.get(pk=child.pk)
    log(personas.county, child=child, path=f"/children/{child.pk}/", query="q=梦巧")
    log(personas.county, query=f"q={child.id_number}")
    child_services.child_update(
        actor=personas.dir_a, child=child, fields={"exited_on": timezone.localdate(), "exit_reason": "moved"}
    )
    Archive.objects.filter(child=child).update(archived_at=timezone.now() - dt.timedelta(days=11 * 366))
    return Child.objects.get(pk=child.pk)


PERSONAL = (
    "梦巧",
    "梦大山",
    "梦奶奶",
    "李邻居",
    "13800001111",
    "13900002222",
    "13700003333",
    "前潘村东头3号",
)


def everything_about(child) -> str:
    """The text of every live and history row of the file, to look for personal values in."""
    from shouhu.privacy.models import DataBasis
    from shouhu.visits.models import Visit

    rows = []
    for model, key in (
        (Child, "id"),
        (Parent, "child_id"),
        (Carer, "child_id"),
        (RescueContact, "child_id"),
        (Visit, "child_id"),
        (DataBasis, "child_id"),
    ):
        rows += list(model.objects.filter(**{key: child.pk}).values())
        rows += list(model.history.model.objects.filter(**{key: child.pk}).values())
    return repr(rows)


def statistics() -> tuple:
    return (
        Counter(CategoryEvent.objects.values_list("category_id", "gained")),
        Counter(Child.objects.values_list("gender", "region_code", "exit_reason")),
        Counter((c.birth_date.year, c.birth_date.month) for c in Child.objects.all()),
        Child.objects.count(),
    )


def test_anonymisation_blanks_live_history_and_log_rows_and_keeps_the_statistics(archived_long_ago):
    child = archived_long_ago
    id_number = child.id_number
    before = everything_about(child)
    assert all(value in before for value in PERSONAL)
    counted = statistics()

    due = services.anonymise_due()

    assert [c.pk for c in due] == [child.pk]
    after = everything_about(child)
    assert [value for value in (*PERSONAL, id_number) if value in after] == []
    assert (
        not AccessLog.objects.filter(child_id=child.pk)
        .exclude(path="", query="")
        .exclude(channel="job")
        .exists()
    )
    assert AccessLog.objects.filter(child_id=child.pk, channel="web", path="", query="").exists()
    assert not AccessLog.objects.filter(query__contains=id_number).exists()
    assert statistics() == counted
    assert Archive.objects.get(child=child).anonymised_at is not None
    assert AccessLog.objects.filter(action=Action.ANONYMISE, child_id=child.pk).count() == 1
    assert AccessLog.objects.filter(action=Action.ARCHIVE, child_id=child.pk).count() == 1


def test_an_anonymised_child_keeps_category_region_and_dates(archived_long_ago):
    before = Child.objects.get(pk=archived_long_ago.pk)

    services.anonymise_due()

    after = Child.objects.get(pk=archived_long_ago.pk)
    assert (after.name, after.id_number, after.address) == ("匿名", None, "")
    assert (after.gender, after.region_code, after.exited_on, after.created_at) == (
        before.gender,
        before.region_code,
        before.exited_on,
        before.created_at,
    )
    assert (after.birth_date.year, after.birth_date.month) == (
        before.birth_date.year,
        before.birth_date.month,
    )


def test_a_file_archived_less_than_the_period_ago_is_kept(archived_long_ago, settings):
    settings.CHILD_RETENTION_YEARS = 12

    assert services.anonymise_due() == []
    assert Child.objects.get(pk=archived_long_ago.pk).name == "梦巧"


def test_the_dry_run_lists_and_changes_nothing(archived_long_ago, capsys):
    call_command("anonymise_archived", "--dry-run")

    assert "would anonymise 1" in capsys.readouterr().out
    assert Child.objects.get(pk=archived_long_ago.pk).name == "梦巧"


def test_the_command_anonymises_once(archived_long_ago, capsys):
    call_command("anonymise_archived")
    call_command("anonymise_archived")

    assert "anonymised 0" in capsys.readouterr().out.splitlines()[-1]
    assert AccessLog.objects.filter(action=Action.ANONYMISE).count() == 1


@pytest.mark.postgres
def test_anonymisation_blanks_log_rows_through_the_append_only_trigger(archived_long_ago):
    services.anonymise_due()

    assert not AccessLog.objects.filter(path__contains=str(archived_long_ago.pk)).exists()


def test_a_child_who_came_back_is_not_anonymised(archived_long_ago):
    Child.objects.filter(pk=archived_long_ago.pk).update(exited_on=None, exit_reason="")

    assert services.anonymise_due() == []


def test_leaving_again_restarts_the_retention_period(archived_long_ago):
    child = Child.objects.get(pk=archived_long_ago.pk)
    child.exited_on = timezone.localdate() + dt.timedelta(days=1)
    child.save()
    after_facts_changed(children=[child])

    assert timezone.localtime(Archive.objects.get(child=child).archived_at).date() == timezone.localdate()
    assert services.anonymise_due() == []


def test_anonymisation_empties_the_case_report_and_grant_texts_about_the_child(archived_long_ago, personas):
    from shouhu.accounts.models import Grant
    from shouhu.cases import reports
    from shouhu.cases import services as case_services
    from shouhu.cases.models import CaseEvent, Report

    child = archived_long_ago
    case = case_services.case_open(
        actor=personas.county,
        child=child,
        source="manual",
        risk_level="high",
        note="梦大山多次失联",
        check=False,
    )
    case.plan = "由梦奶奶照料"
    case.save(update_fields=["plan"])
    report = reports.report_file(
        actor=personas.dir_a,
        harm_type="abandoned",
        description="梦巧独自在家",
        seen_at=timezone.now(),
        urgency="soon",
        township=f.TOWNSHIP,
        village=f.VILLAGE_A,
        child_name="梦巧",
    )
    Report.objects.filter(pk=report.pk).update(child=child)
    Grant.objects.filter(child=child).update(note="梦巧的结对")

    services.anonymise_due()

    case.refresh_from_db()
    report.refresh_from_db()
    assert (case.plan, report.description, report.child_name) == ("", "", "")
    assert not CaseEvent.objects.filter(case=case).exclude(text="").exists()
    assert not Grant.objects.filter(child=child).exclude(note="").exists()


def test_the_archive_command_archives_as_of_a_day(nearly_adult, capsys):
    call_command("archive_files", "--as-of", nearly_adult.turns_adult_on.isoformat())

    assert "archived 1 files" in capsys.readouterr().out
    assert services.is_archived(nearly_adult)


def test_the_archive_command_refuses_a_malformed_day():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("archive_files", "--as-of", "26/11/2026")
