"""Payments per month, refused after the stop date; the nightly re-check with the clock moved; the loop
with protection both ways."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shouhu.assistance import services
from shouhu.assistance.models import ApplicationStatus, AssistanceType, StepAction
from shouhu.cases.models import Alert, Case
from shouhu.children.validators import add_years
from shouhu.escalation.models import Status, WorkItem

from .conftest import unsupported_child


def approved(personas, child, living):
    application = services.application_submit(
        actor=personas.dir_a, child=child, assistance_type=living, reason="父母服刑"
    )
    services.application_approve(actor=personas.supervisor, application=application)
    services.application_approve(actor=personas.civil, application=application)
    application.refresh_from_db()
    return application


def test_a_month_is_paid_at_the_county_standard(personas, child, living, amount):
    application = approved(personas, child, living)

    payment = services.payment_record(
        actor=personas.civil,
        application=application,
        month=application.starts_on,
        paid_on=timezone.localdate(),
    )

    assert payment.amount == Decimal("1450.00")
    with pytest.raises(ValidationError, match="已登记"):
        services.payment_record(
            actor=personas.civil,
            application=application,
            month=application.starts_on,
            paid_on=timezone.localdate(),
        )


def test_only_the_county_records_payments_and_only_after_approval(personas, child, living, amount):
    application = services.application_submit(
        actor=personas.dir_a, child=child, assistance_type=living, reason="父母服刑"
    )
    with pytest.raises(ValidationError, match="尚未批准"):
        services.payment_record(
            actor=personas.civil,
            application=application,
            month=timezone.localdate(),
            paid_on=timezone.localdate(),
        )
    services.application_approve(actor=personas.supervisor, application=application)
    services.application_approve(actor=personas.civil, application=application)
    for persona in ("dir_a", "supervisor", "county"):
        with pytest.raises(PermissionDenied):
            services.payment_record(
                actor=getattr(personas, persona),
                application=application,
                month=timezone.localdate(),
                paid_on=timezone.localdate(),
            )


def test_a_month_before_approval_or_without_a_standard_is_refused(personas, child, living):
    application = approved(personas, child, living)
    earlier = (application.starts_on - dt.timedelta(days=1)).replace(day=1)

    with pytest.raises(ValidationError) as exc:
        services.payment_record(
            actor=personas.civil, application=application, month=earlier, paid_on=timezone.localdate()
        )

    assert set(exc.value.message_dict) == {"month", "amount"}


def test_a_payment_after_the_stop_date_is_refused(personas, child, living, amount):
    application = approved(personas, child, living)
    stop = application.starts_on + dt.timedelta(days=40)
    services.application_stop(
        actor=personas.civil, application=application, reason="父亲刑满释放回家", stopped_on=stop
    )
    application.refresh_from_db()

    # The month the stop falls in began before it: still payable.
    services.payment_record(
        actor=personas.civil,
        application=application,
        month=stop.replace(day=1),
        paid_on=timezone.localdate(),
    )
    after = (stop.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    with pytest.raises(ValidationError, match="停发"):
        services.payment_record(
            actor=personas.civil, application=application, month=after, paid_on=timezone.localdate()
        )
    assert application.payments.count() == 1


def test_the_nightly_check_stops_at_18_with_the_clock_moved_and_sends_the_director(personas, living, amount):
    today = timezone.localdate()
    birth = add_years(today, -17) + dt.timedelta(days=30)
    child = unsupported_child(name="周小满", birth_date=birth)
    application = approved(personas, child, living)
    birthday = add_years(birth, 18)

    assert services.nightly(on=birthday - dt.timedelta(days=1)) == {"checked": 1, "stopped": 0}
    assert services.nightly(on=birthday) == {"checked": 1, "stopped": 1}

    application.refresh_from_db()
    assert application.status == ApplicationStatus.STOPPED
    assert application.stopped_on == birthday
    assert "已满18周岁" in application.stop_reason
    assert application.steps.last().action == StepAction.STOP
    check = WorkItem.objects.get(kind=services.KIND_CHECK, child=child)
    assert check.title.startswith("核查儿童现状")
    assert check.responsible == personas.dir_a and check.status == Status.OPEN
    assert dt.timedelta(days=6) < check.due_at - timezone.now() <= dt.timedelta(days=7)
    # Re-running the job does nothing twice.
    assert services.nightly(on=birthday) == {"checked": 0, "stopped": 0}
    assert WorkItem.objects.filter(kind=services.KIND_CHECK).count() == 1
    # And the month after the birthday cannot be paid.
    with pytest.raises(ValidationError):
        services.payment_record(
            actor=personas.civil,
            application=application,
            month=(birthday.replace(day=1) + dt.timedelta(days=32)).replace(day=1),
            paid_on=today,
        )


def test_the_nightly_check_stops_when_the_situation_ends(personas, child, living):
    application = approved(personas, child, living)
    # The father is released and back home: the registry records it (the file page would).
    child.parents.filter(role="father").update(situation="at_home", situation_since=timezone.localdate())

    assert services.nightly(on=timezone.localdate())["stopped"] == 1
    application.refresh_from_db()
    assert "儿童类别" in application.stop_reason
    assert WorkItem.objects.filter(kind=services.KIND_CHECK, child=child).exists()


def test_a_parents_unable_case_opens_an_eligibility_review_for_the_director(personas):
    child = unsupported_child(name="钱多多")

    case = Case.objects.get(child=child)
    assert case.alert.rule == "parents_unable"
    review = WorkItem.objects.get(kind=services.KIND_REVIEW, child=child)
    assert review.title == "救助帮扶资格审查：钱多多"
    assert review.responsible == personas.dir_a and review.status == Status.OPEN

    services.application_submit(
        actor=personas.dir_a,
        child=child,
        assistance_type=AssistanceType.objects.get(code="de_facto_living"),
        reason="父母服刑",
    )
    review.refresh_from_db()
    assert review.status == Status.DONE


def test_a_case_from_another_rule_or_by_hand_opens_no_review(personas):
    from shouhu.cases import services as case_services

    case_services.case_open(actor=personas.dir_a, child=personas.child_a, source="manual", risk_level="high")
    alert = Alert.objects.create(
        child=personas.child_b,
        region_code=personas.child_b.region_code,
        rule="lured_into_crime",
        severity="high",
    )
    case_services.case_open(
        actor=None, child=personas.child_b, source="rule", alert=alert, risk_level="high", check=False
    )

    assert not WorkItem.objects.filter(kind=services.KIND_REVIEW).exists()


def test_the_nightly_check_stops_on_the_exit_date(personas, child, living):
    application = approved(personas, child, living)
    left = timezone.localdate() - dt.timedelta(days=3)
    type(child).objects.filter(pk=child.pk).update(exited_on=left, exit_reason="moved")

    assert services.nightly(on=timezone.localdate())["stopped"] == 1
    application.refresh_from_db()
    assert application.stopped_on == left
    assert "退出" in application.stop_reason
