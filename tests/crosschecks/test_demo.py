"""The demo shows a cross-check: 王市镇中心小学's list lacks one pupil of 前潘村."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction

from shouhu.accounts import access
from shouhu.accounts.models import User
from shouhu.crosschecks.models import CrossCheck, Difference, DifferenceKind
from shouhu.demo import population as pop


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", children=200, stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo_db(seeded, db):
    return seeded


def test_the_qianpan_director_has_one_possible_drop_out_from_the_school_list(demo_db):
    director = User.objects.get(username="director-qianpan")

    found = list(access.visible(director, Difference).select_related("work_item", "child"))

    assert [d.kind for d in found] == [DifferenceKind.DROPOUT]
    assert found[0].child.region_code == pop.QIANPAN
    assert found[0].work_item.responsible == director
    run = CrossCheck.objects.get()
    assert run.school.name == "王市镇中心小学" and run.uploaded_by.username == "supervisor-wangshi"
    assert run.differences.count() == 1
