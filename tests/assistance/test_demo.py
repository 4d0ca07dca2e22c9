"""The demo's application: village → township → county, returned once, approved, two months paid."""

from django.utils import timezone

from shouhu.assistance.models import Application, ApplicationStatus, StepAction
from shouhu.demo.assistance import seed_assistance
from tests import factories as f


def test_the_demo_application_went_through_every_level(personas):
    result = seed_assistance(today=timezone.localdate(), county=f.COUNTY, village=f.VILLAGE_A)

    assert result == {"assistance_applications": 1, "assistance_payments": 2}
    application = Application.objects.get()
    assert application.status == ApplicationStatus.APPROVED
    assert [s.action for s in application.steps.all()] == [
        StepAction.SUBMIT,
        StepAction.RETURN,
        StepAction.RESUBMIT,
        StepAction.APPROVE,
        StepAction.APPROVE,
    ]
    assert application.payments.count() == 2
    # Run again: nothing is added.
    assert seed_assistance(today=timezone.localdate(), county=f.COUNTY, village=f.VILLAGE_A) == {}


def test_seed_demo_shows_the_application_in_qianpan(db):
    import io

    from django.core.management import call_command

    from shouhu.demo import population as pop

    call_command("seed_demo", children=200, stdout=io.StringIO())

    application = Application.objects.get(region_code=pop.QIANPAN)
    assert application.status == ApplicationStatus.APPROVED
    assert application.applicant.username == "director-qianpan"
    assert [s.by.username for s in application.steps.all()] == [
        "director-qianpan",
        "supervisor-wangshi",
        "director-qianpan",
        "supervisor-wangshi",
        "civil-affairs",
    ]
    assert application.payments.count() == 2
