"""The API says what the pages say: each case task and each alert leads to where it is acted on and
says what clears it (``escalation.actions``), the task names its responsible person, and a referral's
service record carries its outcome."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from shouhu.cases import services
from shouhu.cases.models import Alert, AlertStatus
from shouhu.children.services import child_update

CASES = "/api/v1/cases/"
ALERTS = "/api/v1/alerts/"


@pytest.fixture(autouse=True)
def registry_language_after():
    """A request in English leaves English active in the test's thread: put the registry's back."""
    yield
    translation.deactivate()


@pytest.fixture
def case(personas):
    return services.case_open(
        actor=personas.supervisor, child=personas.child_a, source="manual", risk_level="high"
    )


def test_a_case_task_leads_to_its_case_and_says_what_clears_it(case, personas, api):
    client = api(personas.dir_a)
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()

    body = client.post(f"{CASES}{case.pk}/tasks/", {"title": "联系学校", "due_on": due}, format="json").json()

    (task,) = body["tasks"]
    assert task["action"]["url"] == reverse("cases:case", kwargs={"case_id": case.pk})
    assert task["action"]["label"] == "查看个案" and "完成" in task["action"]["clears"]
    assert task["responsible_name"] == "刘云"
    listed = client.get(CASES, HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    (listed_task,) = listed[0]["tasks"]
    assert (
        listed_task["action"]["label"] == "Open the case"
        and listed_task["action"]["url"] == task["action"]["url"]
    )


def test_an_alert_leads_to_its_page_and_says_what_closes_it(personas, api):
    child_update(actor=personas.dir_b, child=personas.child_b, fields={"living_arrangement": "alone"})
    alert = Alert.objects.get(child=personas.child_b, rule="alone_under_16", status=AlertStatus.OPEN)
    client = api(personas.supervisor)

    (row,) = client.get(ALERTS).json()["results"]
    detail = client.get(f"{ALERTS}{alert.pk}/").json()

    page = reverse("cases:alert", kwargs={"alert_id": alert.pk})
    assert row["action"]["url"] == page and detail["action"]["url"] == page
    assert row["action"]["label"] == "处置" and "入户走访" in row["action"]["clears"]


def test_a_self_closing_alert_says_it_closes_itself(personas, api):
    child_update(actor=personas.dir_b, child=personas.child_b, fields={"schooling": "dropped_out"})

    (row,) = api(personas.supervisor).get(ALERTS, {"rule": "out_of_school"}).json()["results"]

    assert "自动解除" in row["action"]["clears"]
