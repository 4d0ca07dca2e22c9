"""Closing the account of someone who left their post: nothing deleted, the work and children handed
over, the credentials dead."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from shouhu.accounts import access, services
from shouhu.accounts.models import AccountDeactivation, ApiToken, Grant, GrantReason, User, WelfareWorker
from shouhu.escalation.models import Status, WorkItem


def open_items(user):
    return WorkItem.objects.filter(responsible=user, status=Status.OPEN)


def test_a_director_s_work_goes_to_the_successor_and_her_post_ends(personas):
    items = set(open_items(personas.dir_a).values_list("pk", flat=True))
    assert items

    record = services.account_deactivate(
        actor=personas.county, user=personas.dir_a, successor=personas.dir_b, reason="调离岗位"
    )

    assert set(open_items(personas.dir_b).values_list("pk", flat=True)) >= items
    assert not open_items(personas.dir_a).exists()
    assert WelfareWorker.objects.get(user=personas.dir_a).ended_on == timezone.localdate()
    assert record.items_moved == len(items)
    assert (record.actor, record.successor, record.reason) == (personas.county, personas.dir_b, "调离岗位")


def test_a_successor_from_another_village_may_see_the_children_of_the_handed_over_visits(personas):
    services.account_deactivate(
        actor=personas.county, user=personas.dir_a, successor=personas.dir_b, reason="调离岗位"
    )

    assert access.can_view(personas.dir_b, personas.child_a)


def test_the_account_is_kept_but_can_no_longer_sign_in(personas, api):
    session = Client()
    session.force_login(personas.dir_a)
    token_client = api(personas.dir_a)

    services.account_deactivate(
        actor=personas.county, user=personas.dir_a, successor=personas.dir_b, reason="退休"
    )

    user = User.objects.get(pk=personas.dir_a.pk)
    assert not user.is_active
    assert session.get("/children/").status_code == 302
    assert token_client.get("/api/v1/children/").status_code == 401
    assert not ApiToken.objects.filter(user=user).exists()
    assert AccountDeactivation.objects.filter(user=user).count() == 1


def test_a_mentor_s_children_are_handed_over_by_new_grants(personas):
    old = Grant.objects.get(user=personas.mentor)

    record = services.account_deactivate(
        actor=personas.county, user=personas.mentor, successor=personas.social_worker, reason="志愿服务期满"
    )

    old.refresh_from_db()
    new = Grant.objects.active().get(user=personas.social_worker)
    assert old.ends_at is not None and old.ends_at <= timezone.now()
    assert (new.child_id, new.reason, new.granted_by) == (old.child_id, GrantReason.PAIRING, personas.county)
    assert "交接自" in new.note
    assert access.can_view(personas.social_worker, personas.child_a)
    assert not access.can_view(personas.mentor, personas.child_a)
    assert record.grants_moved == 1


def test_a_successor_is_needed_when_there_is_work_to_hand_over(personas):
    with pytest.raises(ValidationError) as error:
        services.account_deactivate(actor=personas.county, user=personas.dir_a, successor=None, reason="调离")

    assert "successor" in error.value.message_dict
    assert User.objects.get(pk=personas.dir_a.pk).is_active


def test_a_reason_is_needed(personas):
    with pytest.raises(ValidationError) as error:
        services.account_deactivate(
            actor=personas.county, user=personas.dir_a, successor=personas.dir_b, reason=" "
        )

    assert "reason" in error.value.message_dict


@pytest.mark.parametrize("actor", ["dir_b", "supervisor", "civil", "mentor"])
def test_only_an_administrator_or_county_staff_may_deactivate(personas, actor):
    with pytest.raises(PermissionDenied):
        services.account_deactivate(
            actor=getattr(personas, actor), user=personas.dir_a, successor=personas.dir_b, reason="调离"
        )

    assert User.objects.get(pk=personas.dir_a.pk).is_active


def test_county_staff_may_not_deactivate_an_account_of_another_county(personas):
    from shouhu.regions.models import Region
    from tests import factories as f

    Region.objects.create(code="341602", name="谯城区", level=3, parent_id="3416")
    elsewhere = f.make_user("elsewhere", "village_director", "341602")

    assert not services.can_deactivate(personas.county, elsewhere)
    assert services.can_deactivate(personas.admin, personas.dir_a)


def test_the_command_deactivates_and_hands_over(personas, capsys):
    call_command("deactivate_account", "dir_a", successor="dir_b", reason="调离岗位", actor="county")

    assert not User.objects.get(pk=personas.dir_a.pk).is_active
    assert "dir_a deactivated" in capsys.readouterr().out
