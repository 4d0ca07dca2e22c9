"""The basis for holding a child's data, photo consent and guardians' requests."""

import datetime as dt
import os

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from shouhu.children.models import Child
from shouhu.escalation.models import Status, WorkItem
from shouhu.privacy import services
from shouhu.privacy.models import Basis, RequestKind, RequestStatus


def photo_of(child):
    return reverse("children:photo", kwargs={"pk": child.pk})


# --- basis ------------------------------------------------------------------------------------------


def test_guardian_consent_needs_its_date_who_consented_and_scope(personas):
    with pytest.raises(ValidationError) as caught:
        services.basis_record(actor=personas.dir_a, child=personas.child_a, basis=Basis.CONSENT)

    assert set(caught.value.message_dict) == {"consent_on", "consent_by", "scope"}


def test_guardian_consent_is_recorded_with_who_and_when(personas):
    record = services.basis_record(
        actor=personas.dir_a,
        child=personas.child_a,
        basis=Basis.CONSENT,
        consent_on=timezone.localdate(),
        consent_by="梦奶奶",
        consent_relation="祖母",
        scope="儿童信息登记、走访和救助",
    )

    assert (record.basis, record.consent_by, record.recorded_by) == (Basis.CONSENT, "梦奶奶", personas.dir_a)
    assert record.history.count() == 1


def test_a_statutory_basis_needs_no_consent(personas):
    record = services.basis_record(actor=personas.dir_a, child=personas.child_a, basis=Basis.STATUTORY)

    assert record.consent_on is None


def test_a_director_of_another_village_may_not_record_the_basis(personas):
    with pytest.raises(PermissionDenied):
        services.basis_record(actor=personas.dir_b, child=personas.child_a, basis=Basis.STATUTORY)


# --- photo consent ----------------------------------------------------------------------------------


def test_the_photo_is_shown_while_consent_stands(signed_in, personas, child_with_photo):
    assert signed_in(personas.dir_a).get(photo_of(child_with_photo)).status_code == 200


def test_a_photo_without_consent_is_not_shown(signed_in, personas, child_with_photo):
    Child.objects.filter(pk=child_with_photo.pk).update(photo_consent=False)

    assert signed_in(personas.dir_a).get(photo_of(child_with_photo)).status_code == 404


def test_withdrawing_photo_consent_removes_the_photo(signed_in, personas, child_with_photo):
    stored = child_with_photo.photo.path

    services.basis_record(
        actor=personas.dir_a, child=child_with_photo, basis=Basis.STATUTORY, photo_consent=False
    )

    child = Child.objects.get(pk=child_with_photo.pk)
    assert (bool(child.photo), child.photo_consent) == (False, False)
    assert not os.path.exists(stored)
    assert signed_in(personas.dir_a).get(photo_of(child)).status_code == 404


def test_a_basis_recorded_without_photo_consent_hides_a_photo_left_on_file(personas, child_with_photo):
    services.basis_record(
        actor=personas.dir_a, child=child_with_photo, basis=Basis.STATUTORY, photo_consent=True
    )
    services.DataBasis.objects.filter(child=child_with_photo).update(photo_consent=False)

    assert not services.photo_permitted(Child.objects.get(pk=child_with_photo.pk))


def test_photo_consent_is_recorded_with_its_date(personas, child_with_photo):
    record = services.basis_record(
        actor=personas.dir_a, child=child_with_photo, basis=Basis.STATUTORY, photo_consent=True
    )

    assert record.photo_consent_on == timezone.localdate()
    assert services.photo_permitted(Child.objects.get(pk=child_with_photo.pk))


# --- guardians' requests ----------------------------------------------------------------------------


def request(personas, received_on=None):
    return services.request_record(
        actor=personas.dir_a,
        child=personas.child_a,
        kind=RequestKind.CORRECT,
        requester="梦奶奶",
        relation="祖母",
        received_on=received_on or timezone.localdate(),
        details="出生日期登记有误",
    )


def test_a_guardian_request_is_due_in_15_days_on_the_escalation_mechanism(personas):
    received = timezone.localdate() - dt.timedelta(days=2)

    req = request(personas, received_on=received)

    assert req.due_on == received + dt.timedelta(days=15)
    item = WorkItem.objects.get(pk=req.work_item_id)
    assert (item.kind, item.child_id, item.status) == ("privacy.request", personas.child_a.pk, Status.OPEN)
    assert timezone.localtime(item.due_at).date() == req.due_on
    assert item.township_at > item.due_at


def test_answering_a_request_records_the_answer_and_closes_the_item(personas):
    req = request(personas)

    services.request_answer(actor=personas.supervisor, request=req, answer="已核对户口簿并更正出生日期。")

    req.refresh_from_db()
    assert (req.status, req.answered_by, req.answered_on) == (
        RequestStatus.ANSWERED,
        personas.supervisor,
        timezone.localdate(),
    )
    assert WorkItem.objects.get(pk=req.work_item_id).status == Status.DONE


def test_an_answer_cannot_be_empty_or_given_twice(personas):
    req = request(personas)
    with pytest.raises(ValidationError):
        services.request_answer(actor=personas.dir_a, request=req, answer="  ")
    services.request_answer(actor=personas.dir_a, request=req, answer="已答复")

    with pytest.raises(ValidationError, match="已经答复"):
        services.request_answer(actor=personas.dir_a, request=req, answer="再答复")


def test_a_request_from_the_future_is_refused(personas):
    with pytest.raises(ValidationError):
        request(personas, received_on=timezone.localdate() + dt.timedelta(days=1))


def test_a_mentor_may_not_record_a_request(personas):
    with pytest.raises(PermissionDenied):
        services.request_record(
            actor=personas.mentor,
            child=personas.child_a,
            kind=RequestKind.SEE,
            requester="梦奶奶",
            relation="祖母",
            received_on=timezone.localdate(),
        )
