"""Each key figure of the dashboard and each area's overdue, alert and case column links to a list of
exactly that many rows; the last eight quarters of the key figures, each quarter a link."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from shouhu.cases.models import Alert, Case
from shouhu.cases.services import case_open
from shouhu.children import services as child_services
from shouhu.insight import selectors
from shouhu.visits import services as visit_services
from tests import clock
from tests import factories as f
from tests.visits.web.conftest import late_item

from .test_dashboard import counts_on

TODAY = clock.TODAY
DASHBOARD = "insight:region"


def listed(client, href: str) -> int:
    """How many rows the list at ``href`` holds, as the list itself counts them."""
    context = client.get(href).context
    if "total" in context:  # the alert list: alerts, grouped by home
        return context["total"]
    return context["page"].paginator.count


def busy_county(personas):
    visit_services.schedules_refresh()
    late_item(personas.child_a, personas.dir_a, days=5)
    late_item(personas.child_a, personas.dir_a, days=40)
    late_item(personas.child_c, personas.dir_c, days=3)
    child_services.child_update(
        actor=personas.dir_b, child=personas.child_b, fields={"living_arrangement": "alone"}
    )
    alert = Alert.objects.get(child=personas.child_b, rule="alone_under_16")
    if not Case.objects.filter(child=personas.child_b).exists():
        case_open(
            actor=personas.supervisor, child=personas.child_b, alert=alert, source="rule", risk_level="urgent"
        )


def test_the_key_figures_and_the_area_columns_link_to_lists_of_that_many(personas, client):
    busy_county(personas)
    client.force_login(personas.county)

    counts = counts_on(client.get(reverse(DASHBOARD, kwargs={"code": f.COUNTY})).content.decode())

    keys = ["overdue", "cases"] + [
        f"{column}-{code}"
        for column in ("overdue", "alerts", "cases")
        for code in (f.TOWNSHIP, f.OTHER_TOWNSHIP)
    ]
    assert counts[f"overdue-{f.TOWNSHIP}"][1] >= 2 and counts[f"alerts-{f.TOWNSHIP}"][1] >= 1
    for key in keys:
        href, shown = counts[key]
        assert listed(client, href) == shown, key


def test_a_supervisors_village_columns_link_to_that_villages_lists(personas, client):
    busy_county(personas)
    client.force_login(personas.supervisor)

    counts = counts_on(client.get(reverse(DASHBOARD, kwargs={"code": f.TOWNSHIP})).content.decode())

    for key in (f"overdue-{f.VILLAGE_A}", f"alerts-{f.VILLAGE_B}", f"cases-{f.VILLAGE_B}", "overdue"):
        href, shown = counts[key]
        assert listed(client, href) == shown, key
    assert counts[f"overdue-{f.VILLAGE_A}"][1] == 2


def test_the_trend_holds_the_last_eight_quarters_this_one_last(personas):
    points = selectors.trend(region=personas.county.region)

    assert [p.label for p in points] == [
        *("2025Q1", "2025Q2", "2025Q3", "2025Q4"),
        *("2026Q1", "2026Q2", "2026Q3", "2026Q4"),
    ]
    assert points[-1].start == dt.date(2026, 10, 1) and points[-1].end == dt.date(2026, 12, 31)


def test_each_quarter_of_the_trend_counts_what_that_quarters_dashboard_counts(personas):
    busy_county(personas)
    region = personas.county.region

    points = selectors.trend(region=region)

    for point in points[-3:]:
        board = selectors.dashboard(user=personas.county, region=region, start=point.start, end=point.end)
        assert (point.due, point.on_time, point.late, point.overdue, point.recorded) == (
            board.visits["due"],
            board.visits["on_time"],
            board.visits["late"],
            board.visits["overdue"],
            board.visits["recorded"],
        ), point.label
    assert points[-1].overdue >= 1


def test_each_quarter_links_to_its_dashboard_and_its_overdue_list(personas, client):
    busy_county(personas)
    client.force_login(personas.county)

    response = client.get(reverse(DASHBOARD, kwargs={"code": f.COUNTY}))

    html = response.content.decode()
    assert 'id="chart-trend"' in html
    q3 = reverse(DASHBOARD, kwargs={"code": f.COUNTY}) + "?quarter=2026-Q3"
    assert f'<a href="{q3}">2026Q3</a>' in html
    assert client.get(q3).context["board"].start == dt.date(2026, 7, 1)
    counts = counts_on(html)
    href, shown = counts["trend-overdue-2026Q4"]
    assert listed(client, href) == shown
    assert "due_from=2026-10-01" in href and "due_to=2026-12-31" in href
    assert timezone.localdate() == TODAY
