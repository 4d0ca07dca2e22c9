"""Households: siblings linked by the adults who care for them, when registered or imported; uncertain
matches confirmed by a person; a home in one village; a child who moves out; one visit for the home."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shouhu.cases.models import Alert, AlertStatus
from shouhu.children import households, idnumber
from shouhu.children import services as child_services
from shouhu.children.households import household_of
from shouhu.children.models import Child, HouseholdMember, HouseholdSuggestion, SuggestionStatus
from shouhu.escalation.models import Status, WorkItem
from shouhu.visits import services as visit_services
from shouhu.visits.models import Visit
from tests import factories as f

TODAY = dt.date(2026, 11, 18)
GRANDMA_ID = idnumber.make("34162319520304123")


def carer(name="毕奶奶", id_number=GRANDMA_ID):
    return {
        "name": name,
        "relation": "grandparent",
        "birth_date": dt.date(1952, 3, 4),
        "id_number": id_number,
        "capacity": "capable",
    }


def sibling(actor, name, *, village=f.VILLAGE_B, age=9, **kw):
    birth = TODAY.replace(year=TODAY.year - age) - dt.timedelta(days=30)
    kw.setdefault("parents", {"father": f.migrant(), "mother": f.migrant()})
    return f.make_child(actor=actor, village=village, name=name, birth_date=birth, **kw)


def test_the_same_carer_s_id_number_in_the_same_village_links_at_once(personas):
    a = sibling(personas.dir_b, "毕大娃", carer=carer())
    b = sibling(personas.dir_b, "毕二娃", carer=carer())
    assert household_of(a) is not None and household_of(a) == household_of(b)
    assert household_of(a).version == 1


def test_the_same_parents_names_in_the_same_village_link_at_once(personas):
    parents = {"father": {**f.migrant(), "name": "高大山"}, "mother": {**f.migrant(), "name": "李小梅"}}
    a = sibling(personas.dir_b, "高一", parents=parents)
    b = sibling(personas.dir_b, "高二", parents=parents)
    assert household_of(a) == household_of(b) is not None


def test_parents_of_the_same_names_with_different_id_numbers_are_not_linked(personas):
    def parents(n):
        birth = dt.date(1985, 1, 1)
        return {
            "father": {**f.migrant(), "name": "高大山", "id_number": f.id_number_for(birth, "male")},
            "mother": {**f.migrant(), "name": "李小梅", "id_number": f.id_number_for(birth)},
        }

    a = sibling(personas.dir_b, "高一", parents=parents(1))
    b = sibling(personas.dir_b, "高二", parents=parents(2))
    assert household_of(a) is None and household_of(b) is None


def test_the_same_carer_s_name_without_an_id_number_is_only_suggested_and_a_director_confirms(personas):
    a = sibling(personas.dir_b, "毕大娃", carer=carer(id_number=""))
    b = sibling(personas.dir_b, "毕二娃", carer=carer(id_number=""))
    assert household_of(a) is None
    suggestion = HouseholdSuggestion.objects.get(child=b, other=a)
    assert "同名" in suggestion.reason

    households.suggestion_decide(actor=personas.dir_b, suggestion=suggestion, confirm=True)

    assert household_of(a) == household_of(b) is not None
    assert HouseholdSuggestion.objects.get(pk=suggestion.pk).status == SuggestionStatus.CONFIRMED


def test_a_rejected_suggestion_is_never_made_again(personas):
    a = sibling(personas.dir_b, "毕大娃", carer=carer(id_number=""))
    b = sibling(personas.dir_b, "毕二娃", carer=carer(id_number=""))
    suggestion = HouseholdSuggestion.objects.get(child=b, other=a)
    households.suggestion_decide(actor=personas.supervisor, suggestion=suggestion, confirm=False)
    child_services.child_update(actor=personas.dir_b, child=b, fields={"address": "高寨村3组"})
    assert HouseholdSuggestion.objects.filter(status=SuggestionStatus.PENDING).count() == 0
    assert household_of(b) is None


def test_a_director_of_another_village_cannot_decide(personas):
    a = sibling(personas.dir_b, "毕大娃", carer=carer(id_number=""))
    sibling(personas.dir_b, "毕二娃", carer=carer(id_number=""))
    suggestion = HouseholdSuggestion.objects.get(other=a)
    with pytest.raises(PermissionDenied):
        households.suggestion_decide(actor=personas.dir_a, suggestion=suggestion, confirm=True)


def test_a_household_lies_in_one_village_the_same_carer_in_two_villages_links_nothing(personas):
    """The adults may live anywhere; the children's household village decides, and children of two
    villages belong to two directors: never linked, never suggested."""
    a = sibling(personas.dir_b, "毕大娃", carer=carer())
    b = sibling(personas.dir_a, "毕二娃", village=f.VILLAGE_A, carer=carer())
    assert household_of(a) is None and household_of(b) is None
    assert not HouseholdSuggestion.objects.exists()


def test_a_child_whose_village_changes_leaves_the_household(personas):
    a = sibling(personas.dir_b, "毕大娃", carer=carer())
    b = sibling(personas.dir_b, "毕二娃", carer=carer())
    child_services.child_update(actor=personas.supervisor, child=b, fields={"village_id": f.VILLAGE_A})
    assert household_of(b) is None
    left = HouseholdMember.objects.get(child=b)
    assert left.left_on == TODAY and left.reason == "户籍所在村变更"
    assert [c.pk for c in household_of(a).children()] == [a.pk]


# One visit for the home --------------------------------------------------------------------------


def test_one_household_visit_records_a_visit_per_child_and_satisfies_each_due_visit(personas):
    kids = [sibling(personas.dir_b, n, age=age, carer=carer()) for n, age in (("毕大娃", 13), ("毕小娃", 5))]
    due = WorkItem.objects.filter(child__in=kids, kind="visit.director", status=Status.OPEN)
    assert due.count() == 2

    visits = visit_services.visit_record_household(
        actor=personas.dir_b,
        child=kids[0],
        data={
            "visited_on": TODAY,
            "kind": "home",
            "outcome": "done",
            "saw_child": True,
            "saw_guardian": True,
        },
    )

    assert {v.child_id for v in visits} == {k.pk for k in kids}
    assert not due.filter(status=Status.OPEN).exists()


def test_a_household_visit_naming_a_child_who_moved_out_is_refused_and_nothing_is_saved(personas):
    a = sibling(personas.dir_b, "毕大娃", carer=carer())
    b = sibling(personas.dir_b, "毕二娃", carer=carer())
    households.household_leave(actor=personas.dir_b, child=b, reason="随母亲迁往宁波")

    with pytest.raises(ValidationError) as exc:
        visit_services.visit_record_household(
            actor=personas.dir_b,
            child=a,
            children=[a.pk, b.pk],
            data={"visited_on": TODAY, "kind": "home", "outcome": "locked"},
        )
    assert "毕二娃已于 2026-11-18 迁出该家庭" in exc.value.message_dict["children"][0]
    assert not Visit.objects.exists()


def test_moving_out_takes_the_child_off_the_household_alert(personas):
    kids = [
        sibling(personas.dir_b, n, carer=carer(), living_arrangement="minor_siblings")
        for n in ("毕大娃", "毕二娃")
    ]
    alert = Alert.objects.get(rule="alone_under_16", status=AlertStatus.OPEN)
    assert alert.household_id and sorted(alert.member_ids) == sorted(str(k.pk) for k in kids)

    households.household_leave(actor=personas.dir_b, child=kids[1], reason="随母亲迁往宁波")

    home_alert = Alert.objects.get(pk=alert.pk)
    assert home_alert.member_ids == [str(kids[0].pk)] and "毕二娃" not in home_alert.facts["儿童"]
    # The child who left is read on its own again: its own alert.
    assert (
        Alert.objects.get(child=kids[1], rule="alone_under_16", status=AlertStatus.OPEN).household_id is None
    )


# Imports --------------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_siblings_in_an_imported_register_become_one_household_without_a_query_per_row(personas):
    from tests.imports.test_import import child_row, run, xlsx

    def sheet(n):
        rows = []
        for i in range(n):
            birth = dt.date(2012 + i % 6, 3, 8)
            rows.append(
                child_row(
                    f"王{'一二三四五六七八九十'[i % 10]}{'甲乙丙丁戊己庚辛'[i // 10]}",
                    id_number=f.id_number_for(birth),
                    出生日期=birth,
                    父亲姓名=f"王大{'山川河'[i % 3]}",
                )
            )
        return xlsx(rows)

    def queries(n):
        with CaptureQueriesContext(connection) as ctx:
            assert run(personas.dir_a, sheet(n), commit=True).committed
        return len([q for q in ctx.captured_queries if "children_household" in q["sql"]])

    small = queries(6)
    homes = {household_of(c) for c in Child.objects.filter(name__startswith="王", village_id=f.VILLAGE_A)}
    assert len(homes - {None}) == 3  # three fathers: three homes
    Child.objects.filter(name__startswith="王").delete()
    assert queries(36) == small


def test_the_household_page_shows_the_children_and_confirms_a_suggestion(personas, client):
    a = sibling(personas.dir_b, "毕大娃", carer=carer(id_number=""))
    b = sibling(personas.dir_b, "毕二娃", carer=carer(id_number=""))
    suggestion = HouseholdSuggestion.objects.get(child=b, other=a)
    client.force_login(personas.dir_b)
    from tests.conftest import second_factor_given

    second_factor_given(client, personas.dir_b)
    url = f"/children/{b.pk}/household/"
    page = client.get(url)
    assert page.status_code == 200 and "毕大娃" in page.content.decode()
    response = client.post(url, {"suggestion": str(suggestion.pk), "decision": "confirm"})
    assert response.status_code == 302
    assert household_of(a) == household_of(b) is not None
    assert timezone.now()
