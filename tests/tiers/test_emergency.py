"""Break the glass: a worker opens a file outside their jurisdiction for a limited time, with a reason;
the child's supervisor and county are told, and the access log shows it."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shouhu.accounts import access, emergency
from shouhu.accounts.models import Grant, GrantReason
from shouhu.audit.models import AccessLog, Action
from shouhu.escalation.models import Notification, Tier, WorkItem

REASON = "儿童随母亲从王市镇迁入本村，需要核实原监护情况"


def open_file(personas, family, *, actor=None, now=None, reason=REASON):
    return emergency.glass_break(
        actor=actor or personas.dir_c, id_number=family.id_number, reason=reason, now=now
    )


def test_a_director_of_another_township_opens_the_file_for_three_hours(personas, family):
    before = timezone.now()
    child, grant = open_file(personas, family)

    assert child == family
    assert grant.reason == GrantReason.BREAK_GLASS and grant.note == REASON
    assert dt.timedelta(hours=3) <= grant.ends_at - before < dt.timedelta(hours=3, minutes=1)
    seen = access.tiers_for(personas.dir_c, family)
    assert seen.everything and seen.emergency
    assert access.can_view(personas.dir_c, family)
    assert not access.can_edit(personas.dir_c, family)


def test_the_duration_is_a_setting(personas, family, settings):
    settings.BREAK_GLASS_HOURS = 1
    now = timezone.now()

    _child, grant = open_file(personas, family, now=now)

    assert grant.ends_at == now + dt.timedelta(hours=1)


def test_the_supervisor_and_the_county_of_the_child_are_notified(personas, family):
    _child, grant = open_file(personas, family)

    item = WorkItem.objects.get(key=f"break_glass:{grant.pk}")
    assert item.kind == emergency.REVIEW_KIND and item.child == family
    assert item.region_code == family.region_code
    told = {(n.user.username, n.tier) for n in Notification.objects.filter(item=item)}
    assert told == {("supervisor", Tier.TOWNSHIP), ("county", Tier.COUNTY)}
    message = Notification.objects.filter(item=item).first().message
    assert "程丽" in message and "梦巧" in message and REASON in message


def test_after_the_time_the_file_is_not_found_again(personas, family, web):
    three_hours_ago = timezone.now() - dt.timedelta(hours=3, seconds=1)
    open_file(personas, family, now=three_hours_ago)

    assert not access.tiers_for(personas.dir_c, family).anything
    assert web(personas.dir_c).get(f"/children/{family.pk}/").status_code == 404


def test_while_it_lasts_and_after_with_the_clock_moved(personas, family):
    now = timezone.now()
    open_file(personas, family, now=now)

    assert access.tiers_for(personas.dir_c, family, at=now + dt.timedelta(hours=2, minutes=59)).everything
    assert not access.tiers_for(personas.dir_c, family, at=now + dt.timedelta(hours=3)).anything


@pytest.mark.parametrize("persona", ["mentor", "social_worker"])
def test_grant_only_roles_may_not_break_the_glass(personas, family, persona):
    with pytest.raises(PermissionDenied):
        open_file(personas, family, actor=getattr(personas, persona))
    assert not Grant.objects.filter(reason=GrantReason.BREAK_GLASS).exists()


@pytest.mark.parametrize("reason", ["", "   ", "看看", "x" * 201])
def test_a_reason_is_required(personas, family, reason):
    with pytest.raises(ValidationError) as exc:
        open_file(personas, family, reason=reason)

    assert "reason" in exc.value.message_dict
    assert not Grant.objects.filter(reason=GrantReason.BREAK_GLASS).exists()


def test_only_a_whole_registered_id_number_opens_a_file(personas, family):
    for number in (family.id_number[:14], "341623201401011234"):
        with pytest.raises(ValidationError) as exc:
            emergency.glass_break(actor=personas.dir_c, id_number=number, reason=REASON)
        assert "id_number" in exc.value.message_dict
    assert not Grant.objects.filter(reason=GrantReason.BREAK_GLASS).exists()


def test_a_child_in_one_s_own_territory_needs_no_glass_broken(personas, family):
    child, grant = open_file(personas, family, actor=personas.dir_a)

    assert child == family and grant is None
    assert not WorkItem.objects.filter(kind=emergency.REVIEW_KIND).exists()


# --- the page and the access log ------------------------------------------------------------------------


def test_the_page_opens_the_file_and_the_log_shows_it(personas, family, web):
    client = web(personas.dir_c)
    assert client.get("/children/emergency/").status_code == 200

    response = client.post("/children/emergency/", {"id_number": family.id_number, "reason": REASON})

    assert response.status_code == 302 and response["Location"] == f"/children/{family.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert family.id_number in page and "紧急调阅" in page
    log = AccessLog.objects.filter(user=personas.dir_c, child_id=family.pk).order_by("at")
    assert [row.action for row in log] == [Action.BREAK_GLASS, Action.BREAK_GLASS]
    assert REASON in log[0].query


def test_the_api_logs_an_emergency_opening_as_such(personas, family, api):
    open_file(personas, family)

    assert api(personas.dir_c).get(f"/api/v1/children/{family.pk}/").json()["id_number"] == family.id_number
    assert AccessLog.objects.get(user=personas.dir_c, child_id=family.pk).action == Action.BREAK_GLASS


def test_the_page_says_what_is_wrong(personas, family, web):
    response = web(personas.dir_c).post(
        "/children/emergency/", {"id_number": family.id_number, "reason": "急"}
    )

    assert response.status_code == 200
    assert "至少" in response.content.decode()
    assert not Grant.objects.filter(reason=GrantReason.BREAK_GLASS).exists()


@pytest.mark.parametrize("persona", ["mentor", "social_worker"])
def test_the_page_is_not_there_for_grant_only_roles(personas, family, web, persona):
    client = web(getattr(personas, persona))

    assert client.get("/children/emergency/").status_code == 404
    assert (
        client.post("/children/emergency/", {"id_number": family.id_number, "reason": REASON}).status_code
        == 404
    )
