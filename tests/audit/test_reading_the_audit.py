"""Audit you can read: the county searches the access log and the change history of its territory."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from shouhu.audit.models import AccessLog, Action
from shouhu.children import services as child_services
from tests import factories as f

from .conftest import OTHER_COUNTY, log

LOG = reverse("audit:log")
LOG_CSV = reverse("audit:log-export")
CHANGES = reverse("audit:changes")
CHANGES_CSV = reverse("audit:changes-export")
API_LOG = reverse("audit-api:access-log")
API_CHANGES = reverse("audit-api:changes")


def rows(client, url=LOG, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def csv_of(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


# --- who may read -------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LOG, LOG_CSV, CHANGES, CHANGES_CSV])
def test_a_township_supervisor_may_not_read_the_county_audit(signed_in, personas, url):
    assert signed_in(personas.supervisor).get(url).status_code == 404


@pytest.mark.parametrize("url", [API_LOG, API_CHANGES])
def test_the_api_refuses_a_township_supervisor(signed_in, personas, url):
    response = signed_in(personas.supervisor).get(url)

    assert response.status_code == 403
    assert "县级" in response.json()["detail"]


def test_county_b_does_not_read_county_a(signed_in, personas, other_county):
    log(personas.dir_a, child=personas.child_a)
    log(other_county, region_code=OTHER_COUNTY + "100001")

    found = rows(signed_in(other_county))

    assert [r.region_code for r in found] == [OTHER_COUNTY + "100001"]


def test_county_b_does_not_read_county_a_through_the_api_even_when_filtering_for_it(
    signed_in, personas, other_county
):
    log(personas.dir_a, child=personas.child_a)

    response = signed_in(other_county).get(API_LOG, {"region": f.COUNTY, "child": str(personas.child_a.pk)})

    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_county_b_sees_no_change_to_county_a_files(signed_in, personas, other_county):
    assert rows(signed_in(other_county), CHANGES) == []
    assert rows(signed_in(personas.county), CHANGES) != []


# --- searching ----------------------------------------------------------------------------------------


def test_the_log_is_filtered_by_region(signed_in, personas):
    log(personas.dir_a, child=personas.child_a)
    log(personas.dir_c, child=personas.child_c)

    found = rows(signed_in(personas.county), region=f.OTHER_TOWNSHIP)

    assert [r.child_id for r in found] == [personas.child_c.pk]


def test_the_log_is_filtered_by_channel(signed_in, personas):
    log(personas.dir_a, child=personas.child_a, channel="api")
    log(personas.dir_a, child=personas.child_a, channel="web")

    found = rows(signed_in(personas.county), channel="api")

    assert [r.channel for r in found] == ["api"]


def test_a_malformed_region_is_shown_as_an_error_and_left_out(signed_in, personas):
    log(personas.dir_a, child=personas.child_a)

    response = signed_in(personas.county).get(LOG, {"region": "abc"})

    assert "区划代码为2至12位数字" in response.content.decode()
    assert len(response.context["page"].object_list) == 1


def test_the_api_searches_the_log_with_the_same_filters(signed_in, personas):
    log(personas.dir_a, child=personas.child_a, action=Action.VIEW)
    log(personas.dir_b, child=personas.child_b, action=Action.LIST)

    body = signed_in(personas.county).get(API_LOG, {"action": "view", "username": "dir_a"}).json()

    assert body["count"] == 1
    assert body["results"][0]["child_id"] == str(personas.child_a.pk)


def test_the_api_answers_400_for_a_date_range_backwards(signed_in, personas):
    response = signed_in(personas.county).get(API_LOG, {"date_from": "2026-02-01", "date_to": "2026-01-01"})

    assert response.status_code == 400
    assert "date_to" in response.json()


def test_the_api_pages_the_log(signed_in, personas):
    for _ in range(51):
        log(personas.dir_a, child=personas.child_a)

    body = signed_in(personas.county).get(API_LOG, {"page": 2}).json()

    assert body["count"] == 51
    assert len(body["results"]) == 1


# --- the change history -------------------------------------------------------------------------------


def test_the_change_history_says_who_changed_which_fields_of_which_child(signed_in, personas):
    child_services.child_update(actor=personas.dir_a, child=personas.child_a, fields={"grade": "五年级"})

    found = rows(signed_in(personas.county), CHANGES, child=str(personas.child_a.pk), kind="~")

    assert [(c.username, c.child_id, c.part) for c in found][:1] == [("dir_a", personas.child_a.pk, "child")]
    assert "年级" in found[0].fields


def test_the_change_history_never_shows_values(signed_in, personas):
    child_services.child_update(actor=personas.dir_a, child=personas.child_a, fields={"grade": "五年级"})

    body = signed_in(personas.county).get(CHANGES, {"child": str(personas.child_a.pk)}).content.decode()

    assert "五年级" not in body


def test_the_change_history_combines_child_parents_and_carer(signed_in, personas):
    found = rows(signed_in(personas.county), CHANGES, child=str(personas.child_a.pk))

    assert {c.part for c in found} >= {"child", "parent", "carer"}


def test_the_change_history_is_filtered_by_user_and_date(signed_in, personas):
    child_services.child_update(actor=personas.dir_b, child=personas.child_b, fields={"grade": "三年级"})
    client = signed_in(personas.county)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()

    assert {c.username for c in rows(client, CHANGES, username="dir_b")} == {"dir_b"}
    assert rows(client, CHANGES, date_from=tomorrow) == []


def test_the_change_history_api_lists_changed_fields(signed_in, personas):
    child_services.child_update(actor=personas.dir_a, child=personas.child_a, fields={"grade": "五年级"})

    body = (
        signed_in(personas.county).get(API_CHANGES, {"child": str(personas.child_a.pk), "kind": "~"}).json()
    )

    assert body["results"][0]["username"] == "dir_a"
    assert "年级" in body["results"][0]["changed_fields"]


def test_the_change_history_pages_in_a_bounded_number_of_queries(
    signed_in, personas, django_assert_max_num_queries
):
    for grade in ("一年级", "二年级", "三年级", "四年级", "五年级"):
        child_services.child_update(actor=personas.dir_a, child=personas.child_a, fields={"grade": grade})
    client = signed_in(personas.county)

    with django_assert_max_num_queries(25):
        client.get(CHANGES)


# --- exports ------------------------------------------------------------------------------------------


def test_the_log_export_is_itself_logged(signed_in, personas):
    client = signed_in(personas.county)

    response = client.get(LOG_CSV, {"action": "view"})
    csv_of(response)

    export = AccessLog.objects.get(action=Action.EXPORT)
    assert (export.username, export.path, export.query) == ("county", LOG_CSV, "action=view")


def test_the_log_export_neutralises_formulas(signed_in, personas):
    log(personas.dir_a, child=personas.child_a, query='=HYPERLINK("http://evil.example","x")')
    log(personas.dir_a, child=personas.child_a, path="@SUM(1+1)")

    lines = csv_of(signed_in(personas.county).get(LOG_CSV, {"username": "dir_a"}))

    cells = [cell for line in lines[1:] for cell in line]
    assert '\'=HYPERLINK("http://evil.example","x")' in cells
    assert "'@SUM(1+1)" in cells
    assert not any(cell.startswith(("=", "+", "@", "-")) for cell in cells)


def test_the_log_export_holds_only_the_readers_territory(signed_in, personas, other_county):
    log(personas.dir_a, child=personas.child_a)

    lines = csv_of(signed_in(other_county).get(LOG_CSV))

    assert str(personas.child_a.pk) not in "".join(",".join(line) for line in lines)


def test_the_change_history_export_is_logged_and_lists_changes(signed_in, personas):
    child_services.child_update(actor=personas.dir_a, child=personas.child_a, fields={"grade": "五年级"})

    lines = csv_of(signed_in(personas.county).get(CHANGES_CSV, {"child": str(personas.child_a.pk)}))

    assert any(line[1:3] == ["刘云", "dir_a"] and "年级" in line[6] for line in lines[1:])
    assert AccessLog.objects.filter(action=Action.EXPORT, path=CHANGES_CSV).count() == 1
