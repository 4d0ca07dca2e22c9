import datetime as dt

from django.urls import reverse
from django.utils import timezone

from shouhu.audit.models import AccessLog, Action
from shouhu.audit.selectors import access_log_visible_to
from tests import factories as f

LOG = reverse("audit:log")


def rows(client, **params):
    response = client.get(LOG, params)
    assert response.status_code == 200
    return list(response.context["page"])


def log(user, action=Action.VIEW, child=None, region_code=None, at=None):
    return AccessLog.objects.create(
        user=user,
        username=user.username,
        action=action,
        child_id=getattr(child, "pk", None),
        region_code=region_code if region_code is not None else getattr(child, "region_code", ""),
        channel="web",
        path="/",
        at=at or timezone.now(),
    )


def test_a_village_director_cannot_read_the_log(signed_in, personas):
    assert signed_in(personas.dir_a).get(LOG).status_code == 404


def test_a_township_supervisor_cannot_read_the_log(signed_in, personas):
    assert signed_in(personas.supervisor).get(LOG).status_code == 404


def test_the_county_reads_who_opened_which_file(signed_in, personas):
    signed_in(personas.dir_a).get(reverse("children:detail", kwargs={"pk": personas.child_a.pk}))
    client = signed_in(personas.county)
    found = rows(client, action=Action.VIEW)
    assert [(r.username, r.child_id) for r in found] == [("dir_a", personas.child_a.pk)]
    assert "梦巧" in client.get(LOG).content.decode()


def test_the_log_link_shows_only_to_those_who_may_read_it(signed_in, personas):
    assert LOG in signed_in(personas.county).get(reverse("home")).content.decode()
    assert LOG not in signed_in(personas.dir_a).get(reverse("home")).content.decode()


def test_rows_outside_the_readers_territory_are_not_shown(signed_in, personas):
    log(personas.county, region_code="341621100001")  # a village of another county
    log(personas.dir_a, child=personas.child_a)
    assert [r.region_code for r in rows(signed_in(personas.county))] == [f.VILLAGE_A]


def test_searches_by_my_own_staff_are_shown(signed_in, personas):
    signed_in(personas.dir_a).get(reverse("children:list"), {"q": "梦巧"})
    found = rows(signed_in(personas.county), action=Action.SEARCH)
    assert [r.username for r in found] == ["dir_a"]
    assert "搜索：梦巧" in signed_in(personas.county).get(LOG).content.decode()  # the query in words


def test_the_log_is_filtered_by_user_name(signed_in, personas):
    log(personas.dir_a, child=personas.child_a)
    log(personas.dir_b, child=personas.child_b)
    assert [r.username for r in rows(signed_in(personas.county), username="dir_b")] == ["dir_b"]


def test_the_log_is_filtered_by_child(signed_in, personas):
    log(personas.dir_a, child=personas.child_a)
    log(personas.dir_b, child=personas.child_b)
    found = rows(signed_in(personas.county), child=str(personas.child_b.pk))
    assert [r.child_id for r in found] == [personas.child_b.pk]


def test_the_log_is_filtered_by_date_range(signed_in, personas):
    now = timezone.now()
    log(personas.dir_a, child=personas.child_a, at=now - dt.timedelta(days=10))
    log(personas.dir_a, child=personas.child_a, at=now)
    day = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    found = rows(signed_in(personas.county), date_from=day, date_to=day)
    assert len(found) == 1


def test_the_log_is_paginated(signed_in, personas):
    for _ in range(51):
        log(personas.dir_a, child=personas.child_a)
    client = signed_in(personas.county)
    assert len(rows(client)) == 50
    assert len(rows(client, page=2)) == 1


def test_only_audit_readers_get_rows_from_the_selector(personas):
    log(personas.dir_a, child=personas.child_a)
    assert not access_log_visible_to(user=personas.dir_a).exists()
    assert access_log_visible_to(user=personas.civil).count() == 1
