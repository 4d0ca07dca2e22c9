"""The audit in words: people by their names, filters by a person's, a child's and a place's name,
and each logged query and the filter itself as a person reads them."""

import re

from django.urls import reverse

from shouhu.audit.models import Action
from shouhu.children import services as child_services
from tests import factories as f

from .conftest import log

LOG = reverse("audit:log")
CHANGES = reverse("audit:changes")


def rows(client, url=LOG, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def cells(response, kind: str) -> list[str]:
    found = re.findall(rf'<td class="[^"]*\b{kind}\b[^"]*">(.*?)</td>', response.content.decode(), re.S)
    return [c.strip() for c in found]


def test_the_log_names_people_by_their_names_not_their_login_names(signed_in, personas):
    log(personas.supervisor, child=personas.child_a)

    response = signed_in(personas.county).get(LOG)

    assert cells(response, "user") == [personas.supervisor.full_name]


def test_the_log_is_filtered_by_a_persons_name(signed_in, personas):
    log(personas.supervisor, child=personas.child_a)
    log(personas.dir_a, child=personas.child_a)

    found = rows(signed_in(personas.county), username=personas.supervisor.full_name)

    assert [r.username for r in found] == ["supervisor"]


def test_the_log_is_filtered_by_a_childs_name(signed_in, personas):
    log(personas.dir_a, child=personas.child_a)
    log(personas.dir_b, child=personas.child_b)

    found = rows(signed_in(personas.county), child=personas.child_b.name)

    assert [r.child_id for r in found] == [personas.child_b.pk]


def test_the_log_is_filtered_by_a_townships_name(signed_in, personas):
    log(personas.dir_a, child=personas.child_a)
    log(personas.dir_c, child=personas.child_c)

    found = rows(signed_in(personas.county), region="王市镇")

    assert [r.child_id for r in found] == [personas.child_a.pk]


def test_a_place_that_does_not_exist_is_an_error_not_an_empty_list(signed_in, personas):
    log(personas.dir_a, child=personas.child_a)

    response = signed_in(personas.county).get(LOG, {"region": "无此地"})

    assert "没有找到这个地点" in response.content.decode()
    assert len(response.context["page"].object_list) == 1


def test_a_logged_query_is_shown_in_words(signed_in, personas):
    log(personas.dir_a, action=Action.LIST, query=f"region={f.TOWNSHIP}&category=left_behind&page=2")

    response = signed_in(personas.county).get(LOG)

    (shown,) = cells(response, "query")
    assert shown == "地点：王市镇；类别：农村留守儿童；页码：2"


def test_the_filter_is_shown_in_words(signed_in, personas):
    log(personas.dir_a, child=personas.child_a)

    response = signed_in(personas.county).get(LOG, {"region": f.TOWNSHIP, "child": str(personas.child_a.pk)})

    filtered = re.search(r'<p class="filtered">(.*?)</p>', response.content.decode(), re.S)[1]
    assert f"儿童：{personas.child_a.name}" in filtered and "地点：王市镇" in filtered
    assert f.TOWNSHIP not in filtered and str(personas.child_a.pk) not in filtered


def test_the_change_history_names_who_changed_a_file_and_finds_the_child_by_name(signed_in, personas):
    child_services.child_update(actor=personas.dir_a, child=personas.child_a, fields={"grade": "五年级"})

    response = signed_in(personas.county).get(CHANGES, {"child": personas.child_a.name, "username": "刘云"})

    found = list(response.context["page"].object_list)
    assert found and {c.child_id for c in found} == {personas.child_a.pk}
    assert set(cells(response, "user")) == {personas.dir_a.full_name}
