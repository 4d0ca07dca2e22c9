"""Recording a visit on a phone: the defaults are the usual case, errors sit next to their fields, a
double tap stores one visit, failed attempts are kept, observations update the child's file."""

import datetime as dt

import pytest
from django.urls import reverse

from shouhu.accounts.models import Grant, GrantReason
from shouhu.audit.models import AccessLog, Action
from shouhu.escalation import services as escalation
from shouhu.escalation.models import Status, WorkItem
from shouhu.visits import services
from shouhu.visits.models import Visit
from tests import clock
from tests.web.conftest import error_next_to

TODAY = clock.TODAY


def form_url(child) -> str:
    return reverse("visits:visit_new", kwargs={"pk": child.pk})


def usual(response) -> dict:
    """What the browser sends when the user only taps 保存 on the form as it was shown."""
    form = response.context["form"]
    data = {"idempotency_key": form["idempotency_key"].value()}
    for name in ("visited_on", "kind", "outcome"):
        value = form[name].value()
        data[name] = value.isoformat() if hasattr(value, "isoformat") else value
    data.update({"saw_child": "on", "saw_guardian": "on"})
    return data


def director_item(child) -> WorkItem:
    return WorkItem.objects.get(
        child=child, kind=services.DIRECTOR_VISIT, period_start__lte=TODAY, period_end__gte=TODAY
    )


def test_the_form_opens_ready_for_the_usual_visit(work, signed_in):
    response = signed_in(work.dir_a).get(form_url(work.child_a))

    form = response.context["form"]
    assert form["visited_on"].value() == TODAY
    assert form["kind"].value() == "home" and form["outcome"].value() == "done"
    assert len(form["idempotency_key"].value()) == 32
    html = response.content.decode()
    assert "入户走访" in html and "电话联系" in html and "到校走访" in html and "儿童之家见面" in html
    assert "未遇：锁门" in html and "走访 梦巧" in html  # the due visit it answers


def test_opening_the_form_is_logged_as_viewing_the_child(work, signed_in):
    signed_in(work.dir_a).get(form_url(work.child_a))

    assert AccessLog.objects.filter(user=work.dir_a, action=Action.VIEW, child_id=work.child_a.pk).exists()


def test_tapping_save_records_the_visit_and_the_due_visit_is_done(work, signed_in):
    client = signed_in(work.dir_a)
    data = usual(client.get(form_url(work.child_a)))

    response = client.post(form_url(work.child_a), data, follow=True)

    assert response.redirect_chain[-1][0] == reverse("visits:work")
    assert "已保存对 梦巧 的走访。" in response.content.decode()
    visit = Visit.objects.get(child=work.child_a)
    assert (visit.visitor, visit.visited_on, visit.kind, visit.outcome) == (work.dir_a, TODAY, "home", "done")
    assert director_item(work.child_a).status == Status.DONE
    mine = response.context["mine"]
    assert all(i.child_id != work.child_a.pk for i in mine.overdue + mine.this_week + mine.later)


def test_a_double_tap_stores_one_visit_and_answers_like_the_first(work, signed_in):
    client = signed_in(work.dir_a)
    data = usual(client.get(form_url(work.child_a)))

    first = client.post(form_url(work.child_a), data)
    second = client.post(form_url(work.child_a), data)

    assert Visit.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("visits:work")


def test_a_date_in_the_future_is_refused_next_to_the_date_and_nothing_is_stored(work, signed_in):
    client = signed_in(work.dir_a)
    data = usual(client.get(form_url(work.child_a)))
    data["visited_on"] = (TODAY + dt.timedelta(days=1)).isoformat()

    response = client.post(form_url(work.child_a), data)

    assert response.status_code == 200
    assert error_next_to(response, "id_visited_on") == "走访日期不能晚于今天。"
    assert not Visit.objects.exists()
    assert director_item(work.child_a).status == Status.OPEN


def test_a_locked_door_is_recorded_and_the_visit_stays_due(work, signed_in):
    client = signed_in(work.dir_a)
    data = {**usual(client.get(form_url(work.child_a))), "outcome": "locked"}

    response = client.post(form_url(work.child_a), data, follow=True)

    visit = Visit.objects.get(child=work.child_a)
    assert visit.failed and not visit.saw_child
    assert director_item(work.child_a).status == Status.OPEN
    assert "这次走访仍待完成" in response.content.decode()


def test_observations_are_stored_with_the_visit(work, signed_in):
    client = signed_in(work.dir_a)
    data = {
        **usual(client.get(form_url(work.child_a))),
        "guardian_capable": "yes",
        "mood": "poor",
        "in_school": "yes",
        "parent_contact": "month",
        "home_hazards": "on",
        "follow_up": "on",
        "notes": "奶奶腿脚不便，孩子情绪低落",
    }

    client.post(form_url(work.child_a), data)

    visit = Visit.objects.get(child=work.child_a)
    assert (visit.guardian_capable, visit.mood, visit.parent_contact) == ("yes", "poor", "month")
    assert visit.home_hazards and visit.follow_up and visit.notes == "奶奶腿脚不便，孩子情绪低落"


def test_father_and_mother_back_home_update_the_child_s_file(work, signed_in):
    client = signed_in(work.dir_a)
    data = {**usual(client.get(form_url(work.child_a))), "father_returned": "on", "mother_returned": "on"}

    client.post(form_url(work.child_a), data)

    assert set(work.child_a.parents.values_list("situation", flat=True)) == {"at_home"}
    assert not work.child_a.categories.filter(category_id="left_behind").exists()


def test_a_child_found_living_alone_is_flagged_and_needs_an_urgent_visit(work, signed_in):
    client = signed_in(work.dir_b)
    data = {**usual(client.get(form_url(work.child_b))), "alone": "on"}

    client.post(form_url(work.child_b), data)

    work.child_b.refresh_from_db()
    assert work.child_b.living_arrangement == "alone"
    assert WorkItem.objects.filter(child=work.child_b, kind=services.URGENT_VISIT).exists()


def test_only_observations_that_apply_are_offered(work, signed_in):
    form = signed_in(work.dir_b).get(form_url(work.child_b)).context["form"]

    # 高小明 has no parent registered as a migrant worker: nobody can "come home".
    assert {b.name for b in form.fact_fields} == {"dropped_out", "alone"}


def test_a_photo_needs_the_guardian_s_consent(work, signed_in, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = signed_in(work.dir_a)
    data = usual(client.get(form_url(work.child_a)))
    data["photo"] = SimpleUploadedFile("visit.jpg", b"\xff\xd8\xff\xe0 a photo", content_type="image/jpeg")

    response = client.post(form_url(work.child_a), data)

    assert error_next_to(response, "id_photo_consent") == "拍照需要监护人同意。"
    assert not Visit.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_child_of_another_township_is_not_found(work, signed_in, method):
    response = getattr(signed_in(work.dir_c), method)(form_url(work.child_a), {"visited_on": TODAY})

    assert response.status_code == 404
    assert not Visit.objects.exists()


def test_a_mentor_who_sees_the_child_cannot_record_a_visit(work, signed_in):
    assert signed_in(work.mentor).get(form_url(work.child_a)).status_code == 404


def test_a_director_covering_another_village_records_the_visit_but_cannot_change_the_file(work, signed_in):
    item = director_item(work.child_a)
    escalation.item_reassign(actor=work.supervisor, item=item, to=work.dir_b)
    assert Grant.objects.filter(user=work.dir_b, reason=GrantReason.ASSIGNMENT).exists()
    client = signed_in(work.dir_b)

    response = client.get(form_url(work.child_a))
    assert response.context["form"].fact_fields == []
    client.post(form_url(work.child_a), {**usual(response), "father_returned": "on"})

    assert Visit.objects.get(child=work.child_a).visitor == work.dir_b
    assert set(work.child_a.parents.values_list("situation", flat=True)) == {"migrant"}


def test_the_child_s_file_lists_visits_and_due_visits_with_a_button_to_record(work, signed_in):
    services.visit_record(
        actor=work.dir_a, child=work.child_a, data={"visited_on": TODAY, "outcome": "nobody_home"}
    )
    client = signed_in(work.dir_a)

    html = client.get(reverse("children:detail", kwargs={"pk": work.child_a.pk})).content.decode()

    assert "走访记录" in html and "未遇：家中无人" in html and "刘云" in html
    assert "走访 梦巧" in html  # still due
    assert f'href="{form_url(work.child_a)}"' in html


def test_the_file_shows_no_record_button_to_who_may_only_read(work, signed_in):
    html = (
        signed_in(work.civil).get(reverse("children:detail", kwargs={"pk": work.child_a.pk})).content.decode()
    )

    assert "走访记录" in html
    assert form_url(work.child_a) not in html


def test_one_visit_to_a_home_is_recorded_for_each_child_living_there(personas, signed_in):
    from tests import factories as f

    carer = {"name": "毕奶奶", "relation": "grandparent", "id_number": f.id_number_for(dt.date(1952, 3, 4))}
    kids = [
        f.make_child(actor=personas.dir_b, village=f.VILLAGE_B, name=name, carer=carer)
        for name in ("毕大娃", "毕二娃")
    ]
    client = signed_in(personas.dir_b)
    response = client.get(form_url(kids[0]))
    assert response.context["form"]["household"].value() == [str(kids[1].pk)]  # ticked

    data = {**usual(response), "household": [str(kids[1].pk)]}
    client.post(form_url(kids[0]), data)

    assert sorted(Visit.objects.values_list("child__name", flat=True)) == ["毕二娃", "毕大娃"]
    assert AccessLog.objects.filter(user=personas.dir_b, action=Action.CREATE, child_id=kids[1].pk).exists()


# --- each save says what it caused ------------------------------------------------------------------


def test_a_visit_that_finds_a_child_alone_says_the_alert_what_is_due_and_who_was_told(work, signed_in):
    client = signed_in(work.dir_b)
    data = {**usual(client.get(form_url(work.child_b))), "alone": "on"}

    response = client.post(form_url(work.child_b), data, follow=True)

    status = [m.message for m in response.context["messages"]]
    assert len(status) == 1
    said = status[0]
    assert said.startswith("已保存对 高小明 的走访。")
    assert "已发出紧急预警：" in said
    assert "24 小时内须完成：" in said and "截止" in said
    assert "已通知：" in said and "王丽（儿童督导员）" in said


def test_an_ordinary_visit_says_only_that_it_was_saved(work, signed_in):
    client = signed_in(work.dir_a)

    response = client.post(form_url(work.child_a), usual(client.get(form_url(work.child_a))), follow=True)

    assert [m.message for m in response.context["messages"]] == ["已保存对 梦巧 的走访。"]


def test_a_failed_visit_keeps_nothing_of_who_or_what_was_seen(work, signed_in):
    client = signed_in(work.dir_a)
    data = {
        **usual(client.get(form_url(work.child_a))),
        "outcome": "nobody_home",
        "mood": "poor",
        "safe": "no",
        "home_hazards": "on",
        "notes": "敲门无人应答",
    }

    client.post(form_url(work.child_a), data)

    visit = Visit.objects.get(child=work.child_a)
    assert not visit.saw_child and not visit.saw_guardian
    assert (visit.mood, visit.safe, visit.home_hazards) == ("", "", False)
    assert visit.notes == "敲门无人应答"


def test_the_form_tells_the_script_which_outcomes_saw_nobody(work, signed_in):
    html = signed_in(work.dir_a).get(form_url(work.child_a)).content.decode()

    assert 'data-failed-outcomes="locked no_answer nobody_home refused"' in html
    assert html.count("data-needs-seen") == 2
