"""儿童之家: the homes of my territory with their last session, flagged ones highlighted, and recording a
session with the village's children."""

import datetime as dt

from django.urls import reverse

from shouhu.escalation.models import Status, WorkItem
from shouhu.visits import homes
from shouhu.visits.models import ActivitySession, ChildrensHome
from tests import clock
from tests import factories as f
from tests.web.conftest import error_next_to

HOMES = reverse("visits:homes")
TODAY = clock.TODAY


def home_in(village: str, name: str) -> ChildrensHome:
    return ChildrensHome.objects.create(village_id=village, name=name)


def session_url(home) -> str:
    return reverse("visits:session_new", kwargs={"home_id": home.pk})


def test_the_list_shows_my_territory_s_homes_with_their_last_session(personas, signed_in):
    a = home_in(f.VILLAGE_A, "前潘村儿童之家")
    home_in(f.VILLAGE_C, "程杨村儿童之家")
    ActivitySession.objects.create(
        home=a, held_on=TODAY - dt.timedelta(days=2), topic="阅读", leader="刘云", recorded_by=personas.dir_a
    )

    response = signed_in(personas.supervisor).get(HOMES)

    (listed,) = response.context["page"]
    assert listed == a and listed.last_session == TODAY - dt.timedelta(days=2)
    assert "程杨村儿童之家" not in response.content.decode()


def test_a_home_without_a_session_last_week_is_highlighted(personas, signed_in):
    home_in(f.VILLAGE_A, "前潘村儿童之家")
    homes.homes_check(on=TODAY)

    html = signed_in(personas.dir_a).get(HOMES).content.decode()

    assert '<tr class="overdue">' in html and "上周无活动" in html


def test_a_session_is_recorded_with_the_village_s_children(personas, signed_in):
    home = home_in(f.VILLAGE_A, "前潘村儿童之家")
    homes.homes_check(on=TODAY)
    client = signed_in(personas.dir_a)
    form = client.get(session_url(home)).context["form"]
    assert list(form.fields["attendees"].queryset) == [personas.child_a]
    data = {
        "idempotency_key": form["idempotency_key"].value(),
        "held_on": (TODAY - dt.timedelta(days=7)).isoformat(),
        "topic": "防溺水安全教育",
        "leader": "刘云",
        "attendees": [personas.child_a.pk],
        "attendee_count": "5",
    }

    client.post(session_url(home), data)
    client.post(session_url(home), data)  # a double tap

    session = ActivitySession.objects.get()
    assert (session.topic, session.attendee_count, list(session.attendees.all())) == (
        "防溺水安全教育",
        5,
        [personas.child_a],
    )
    assert WorkItem.objects.get(kind=homes.HOME_SESSION).status == Status.DONE


def test_a_session_in_the_future_is_refused_next_to_the_date(personas, signed_in):
    home = home_in(f.VILLAGE_A, "前潘村儿童之家")

    response = signed_in(personas.dir_a).post(
        session_url(home),
        {
            "held_on": (TODAY + dt.timedelta(days=1)).isoformat(),
            "topic": "阅读",
            "leader": "刘云",
            "attendee_count": "3",
        },
    )

    assert error_next_to(response, "id_held_on") == "活动日期不能晚于今天。"
    assert not ActivitySession.objects.exists()


def test_a_child_of_another_village_cannot_be_an_attendee(personas, signed_in):
    home = home_in(f.VILLAGE_A, "前潘村儿童之家")

    response = signed_in(personas.supervisor).post(
        session_url(home),
        {
            "held_on": TODAY.isoformat(),
            "topic": "阅读",
            "leader": "王丽",
            "attendee_count": "1",
            "attendees": [personas.child_b.pk],
        },
    )

    assert "参加儿童须为本村登记儿童" in response.content.decode()
    assert not ActivitySession.objects.exists()


def test_a_home_of_another_township_is_not_found(personas, signed_in):
    home = home_in(f.VILLAGE_A, "前潘村儿童之家")
    client = signed_in(personas.dir_c)

    assert client.get(session_url(home)).status_code == 404
    assert client.post(session_url(home), {"held_on": TODAY, "topic": "x", "leader": "y"}).status_code == 404
    assert not ActivitySession.objects.exists()
