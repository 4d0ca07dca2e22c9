"""The privacy page of a child's file: read by the territory's workers, changed by the file's editors."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from shouhu.audit.models import AccessLog, Action
from shouhu.privacy.models import DataBasis, GuardianRequest, RequestStatus


def page_of(child):
    return reverse("privacy:child", kwargs={"pk": child.pk})


def new_request_of(child):
    return reverse("privacy:request_new", kwargs={"pk": child.pk})


def test_the_director_reads_the_page_and_the_opening_is_logged(signed_in, personas):
    response = signed_in(personas.dir_a).get(page_of(personas.child_a))

    assert response.status_code == 200
    assert "尚未记录处理依据" in response.content.decode()
    assert AccessLog.objects.filter(action=Action.VIEW, child_id=personas.child_a.pk).count() == 1


def test_a_mentor_with_a_pairing_does_not_get_the_page(signed_in, personas):
    assert signed_in(personas.mentor).get(page_of(personas.child_a)).status_code == 404


def test_a_director_elsewhere_does_not_get_the_page(signed_in, personas):
    assert signed_in(personas.dir_b).get(page_of(personas.child_a)).status_code == 404


def test_consent_is_recorded_from_the_page(signed_in, personas):
    response = signed_in(personas.dir_a).post(
        page_of(personas.child_a),
        {
            "form": "basis",
            "basis": "consent",
            "consent_on": timezone.localdate().isoformat(),
            "consent_by": "梦奶奶",
            "consent_relation": "祖母",
            "scope": "登记与走访",
        },
    )

    assert response.status_code == 302
    assert DataBasis.objects.get(child=personas.child_a).consent_by == "梦奶奶"


def test_consent_without_its_date_is_shown_as_an_error_and_not_saved(signed_in, personas):
    response = signed_in(personas.dir_a).post(
        page_of(personas.child_a), {"form": "basis", "basis": "consent", "consent_by": "梦奶奶", "scope": "x"}
    )

    assert response.status_code == 200
    assert "监护人同意须填写同意日期" in response.content.decode()
    assert not DataBasis.objects.exists()


def test_civil_affairs_reads_but_may_not_record(signed_in, personas):
    client = signed_in(personas.civil)

    assert client.get(page_of(personas.child_a)).status_code == 200
    assert client.post(page_of(personas.child_a), {"form": "basis", "basis": "statutory"}).status_code == 404
    assert not DataBasis.objects.exists()


def test_a_request_is_recorded_and_answered_from_the_pages(signed_in, personas):
    client = signed_in(personas.dir_a)
    received = timezone.localdate() - dt.timedelta(days=1)

    response = client.post(
        new_request_of(personas.child_a),
        {"kind": "see", "requester": "梦奶奶", "relation": "祖母", "received_on": received.isoformat()},
    )
    assert response.status_code == 302
    req = GuardianRequest.objects.get(child=personas.child_a)
    assert req.due_on == received + dt.timedelta(days=15)

    response = client.post(
        page_of(personas.child_a), {"form": "answer", "request": str(req.pk), "answer": "已提供"}
    )

    assert response.status_code == 302
    req.refresh_from_db()
    assert (req.status, req.answer) == (RequestStatus.ANSWERED, "已提供")


def test_a_request_of_another_child_cannot_be_answered_through_this_page(signed_in, personas):
    from shouhu.privacy import services

    other = services.request_record(
        actor=personas.dir_b,
        child=personas.child_b,
        kind="see",
        requester="高爸爸",
        relation="父亲",
        received_on=timezone.localdate(),
    )

    response = signed_in(personas.supervisor).post(
        page_of(personas.child_a), {"form": "answer", "request": str(other.pk), "answer": "x"}
    )

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == RequestStatus.OPEN


def test_the_form_starts_from_the_consent_given_at_upload_so_saving_keeps_the_photo(
    signed_in, personas, child_with_photo
):
    response = signed_in(personas.dir_a).get(page_of(child_with_photo))

    assert response.context["basis_form"].initial["photo_consent"] is True
