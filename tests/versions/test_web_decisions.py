"""Decision forms carry the version they were opened at: a decision someone else took meanwhile is
refused with a clear message, nothing written, never an error page; a report made a case twice leads
to the case already opened."""

import datetime as dt

from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shouhu.accounts.models import Role
from shouhu.cases import reports
from shouhu.cases.models import Alert, AlertStatus, Case
from shouhu.children.services import child_update
from tests import factories as f


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_closing_an_alert_someone_closed_meanwhile_says_who_closed_it(personas):
    child_update(actor=personas.dir_b, child=personas.child_b, fields={"living_arrangement": "alone"})
    alert = Alert.objects.get(child=personas.child_b, rule="alone_under_16", status=AlertStatus.OPEN)
    opened_at = alert.version  # the supervisor's page
    browser(personas.county).post(
        reverse("cases:alert_close", kwargs={"alert_id": alert.pk}),
        {"reason": "已安排亲属照料", "version": opened_at},
    )

    response = browser(personas.supervisor).post(
        reverse("cases:alert_close", kwargs={"alert_id": alert.pk}),
        {"reason": "奶奶已回家", "version": opened_at},
    )

    assert response.status_code == 302
    assert any("已由闫林解除" in m for m in said(response))
    alert.refresh_from_db()
    assert (alert.close_reason, alert.closed_by) == ("已安排亲属照料", personas.county)


def test_a_second_click_on_make_a_case_leads_to_the_case_already_opened(personas):
    teacher = f.make_user("teacher", Role.TEACHER, None)
    report = reports.report_file(
        actor=teacher,
        harm_type="abandoned",
        description="孩子一个人在家，好几天没人做饭",
        seen_at=timezone.now() - dt.timedelta(hours=2),
        urgency="soon",
        township=f.TOWNSHIP,
        village=f.VILLAGE_B,
    )
    reports.report_link(actor=personas.supervisor, report=report, child=personas.child_b)
    url = reverse("cases:report_case", kwargs={"report_id": report.pk})
    client = browser(personas.supervisor)
    client.post(url, {"risk_level": "high"})

    response = client.post(url, {"risk_level": "high"})

    case = Case.objects.get(report=report)
    assert response["Location"] == reverse("cases:case", kwargs={"case_id": case.pk})
    assert any("未重复立案" in m for m in said(response))
