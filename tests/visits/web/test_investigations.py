"""定期排查: the county opens and closes the quarter's check; progress per township and village; the
director confirms her children one by one."""

from django.urls import reverse

from shouhu.audit.models import AccessLog, Action
from shouhu.visits import investigations
from shouhu.visits.models import CheckStatus, Investigation
from tests import clock
from tests import factories as f

LIST = reverse("visits:investigations")
TODAY = clock.TODAY
YEAR, QUARTER = TODAY.year, (TODAY.month - 1) // 3 + 1


def opened(p, **kw) -> Investigation:
    return investigations.investigation_open(
        actor=p.county, county_code=f.COUNTY, year=YEAR, quarter=QUARTER, all_children=True, **kw
    )


def page(inv, **query) -> tuple[str, dict]:
    return reverse("visits:investigation", kwargs={"investigation_id": inv.pk}), query


def confirm_url(inv, item) -> str:
    return reverse("visits:check_confirm", kwargs={"investigation_id": inv.pk, "check_id": item.pk})


def test_the_county_opens_this_quarter_s_investigation_for_all_children(personas, signed_in):
    response = signed_in(personas.county).post(
        LIST, {"year": YEAR, "quarter": QUARTER, "all_children": "on"}, follow=True
    )

    inv = Investigation.objects.get()
    assert (inv.year, inv.quarter, inv.all_children, inv.items.count()) == (YEAR, QUARTER, True, 3)
    assert response.redirect_chain[-1][0] == reverse(
        "visits:investigation", kwargs={"investigation_id": inv.pk}
    )


def test_opening_the_same_quarter_again_says_it_was_opened_already(personas, signed_in):
    client = signed_in(personas.county)
    client.post(LIST, {"year": YEAR, "quarter": QUARTER})

    response = client.post(LIST, {"year": YEAR, "quarter": QUARTER})

    assert response.status_code == 200
    assert f"{YEAR}年第{QUARTER}季度的排查已经发起过。" in response.content.decode()
    assert Investigation.objects.count() == 1


def test_only_the_county_may_open_one(personas, signed_in):
    client = signed_in(personas.supervisor)

    assert "发起本季度排查" not in client.get(LIST).content.decode()
    assert client.post(LIST, {"year": YEAR, "quarter": QUARTER}).status_code == 404
    assert not Investigation.objects.exists()


def test_the_list_shows_progress_within_my_territory(personas, signed_in):
    inv = opened(personas)
    investigations.investigation_check(actor=personas.dir_a, item=inv.items.get(child=personas.child_a))

    listed = list(signed_in(personas.supervisor).get(LIST).context["investigations"])

    assert [(i.pk, i.checked, i.total) for i in listed] == [(inv.pk, 1, 2)]


def test_the_county_sees_progress_per_township_and_drills_into_villages(personas, signed_in):
    inv = opened(personas)
    client = signed_in(personas.county)

    by_township = client.get(*page(inv)).context["rows"]
    by_village = client.get(*page(inv, region=f.TOWNSHIP)).context["rows"]

    assert {(r["area"], r["total"]) for r in by_township} == {(f.TOWNSHIP, 2), (f.OTHER_TOWNSHIP, 1)}
    assert {(r["area"], r["total"]) for r in by_village} == {(f.VILLAGE_A, 1), (f.VILLAGE_B, 1)}


def test_a_supervisor_sees_her_township_s_villages_only(personas, signed_in):
    inv = opened(personas)

    rows = signed_in(personas.supervisor).get(*page(inv)).context["rows"]

    assert {r["area"] for r in rows} == {f.VILLAGE_A, f.VILLAGE_B}


def test_the_director_sees_her_children_to_check_and_confirms_no_change(personas, signed_in):
    inv = opened(personas)
    client = signed_in(personas.dir_a)
    response = client.get(*page(inv))
    (check,) = response.context["checks"]
    assert check.child == personas.child_a and check.status == CheckStatus.PENDING
    assert AccessLog.objects.filter(user=personas.dir_a, action=Action.LIST).exists()

    response = client.post(confirm_url(inv, check), {"note": "奶奶照料良好"}, follow=True)

    check.refresh_from_db()
    assert (check.status, check.note, check.checked_by) == (
        CheckStatus.CONFIRMED,
        "奶奶照料良好",
        personas.dir_a,
    )
    assert "已确认 梦巧 的情况。" in response.content.decode()


def test_the_director_is_offered_the_child_s_edit_page_to_update_the_situation(personas, signed_in):
    inv = opened(personas)

    html = signed_in(personas.dir_a).get(*page(inv)).content.decode()

    assert reverse("children:edit", kwargs={"pk": personas.child_a.pk}) in html


def test_a_check_of_another_township_is_not_found(personas, signed_in):
    inv = opened(personas)
    check = inv.items.get(child=personas.child_a)

    response = signed_in(personas.dir_c).post(confirm_url(inv, check), {"note": "x"})

    assert response.status_code == 404
    check.refresh_from_db()
    assert check.status == CheckStatus.PENDING


def test_a_director_cannot_open_another_township_s_progress(personas, signed_in):
    inv = opened(personas)

    assert signed_in(personas.dir_c).get(*page(inv, region=f.VILLAGE_A)).status_code == 404


def test_closing_shows_the_summary_per_township_and_the_rescue_lists(personas, signed_in):
    inv = opened(personas)
    investigations.investigation_check(
        actor=personas.dir_a,
        item=inv.items.get(child=personas.child_a),
        changes={"parents": {"mother": {"situation": "at_home"}}},
    )
    client = signed_in(personas.county)

    response = client.post(
        reverse("visits:investigation_close", kwargs={"investigation_id": inv.pk}), follow=True
    )

    inv.refresh_from_db()
    assert inv.closed_at is not None
    summary = response.context["summary"]
    assert {t["code"] for t in summary["townships"]} == {f.TOWNSHIP, f.OTHER_TOWNSHIP}
    html = response.content.decode()
    assert "王市镇：已排查 1，未排查 1，新发现 0" in html
    assert "农村留守儿童" in html  # 梦巧 left the category during the quarter
    assert "前潘村村民委员会（1）" in html


def test_a_director_sees_her_village_s_rescue_list_but_not_the_township_s_summary(personas, signed_in):
    inv = opened(personas)
    investigations.investigation_close(actor=personas.county, investigation=inv)

    summary = signed_in(personas.dir_a).get(*page(inv)).context["summary"]

    assert summary["townships"] == []
    assert [r["code"] for r in summary["rescue"]] == [f.VILLAGE_A]


def test_only_the_county_closes_an_investigation(personas, signed_in):
    inv = opened(personas)

    response = signed_in(personas.supervisor).post(
        reverse("visits:investigation_close", kwargs={"investigation_id": inv.pk}), follow=True
    )

    inv.refresh_from_db()
    assert inv.closed_at is None
    assert "只有本县的工作人员可以结束定期排查。" in response.content.decode()
