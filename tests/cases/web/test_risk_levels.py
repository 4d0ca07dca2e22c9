"""Risk levels on the pages: a coloured badge with its words next to each child on the lists, and on
the child's file the "风险与个案" section with the open alerts, the facts that fired them, their
deadline and tier, the cases and their timeline."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shouhu.cases import services
from shouhu.visits.services import schedules_refresh
from tests import factories as f

from .conftest import record_alone

LIST = reverse("children:list")


def row_of(html: str, name: str) -> str:
    row = html[html.index(f">{name}</a>") :]
    return row[: row.index("</tr>")]


def test_each_child_on_the_list_has_a_badge_of_its_risk_level(personas, signed_in):
    record_alone(personas.dir_b, personas.child_b)

    html = signed_in(personas.supervisor).get(LIST).content.decode()

    assert 'class="badge risk risk-urgent">紧急（红）' in row_of(html, "高小明")
    assert 'class="badge risk risk-stable">稳定（绿）' in row_of(html, "梦巧")


def test_an_open_high_risk_case_shows_orange(personas, signed_in):
    services.case_open(actor=personas.dir_a, child=personas.child_a, source="manual", risk_level="high")

    html = signed_in(personas.dir_a).get(LIST).content.decode()

    assert "risk-high" in row_of(html, "梦巧")


def test_the_badges_add_no_query_per_row(personas, signed_in, django_assert_max_num_queries):
    client = signed_in(personas.dir_a)
    given = [chr(0x4E00 + i) + chr(0x4E80 + i) for i in range(30)]
    children = [
        f.make_child(name="王" + name, village=f.VILLAGE_A, living_arrangement="alone") for name in given[:4]
    ]
    with CaptureQueriesContext(connection) as five:
        assert len(client.get(LIST).context["page"].object_list) == 5
    children += [
        f.make_child(name="王" + name, village=f.VILLAGE_A, living_arrangement="alone")
        for name in given[4:29]
    ]

    with django_assert_max_num_queries(len(five)):
        html = client.get(LIST).content.decode()

    assert html.count("risk-urgent") == 29


def test_the_childs_file_shows_the_open_alert_with_its_facts_deadline_and_tier(personas, signed_in):
    alert = record_alone(personas.dir_b, personas.child_b)

    html = (
        signed_in(personas.dir_b)
        .get(reverse("children:detail", kwargs={"pk": personas.child_b.pk}))
        .content.decode()
    )

    section = html[html.index('<section class="risk"') :]
    section = section[: section.index("</section>")]
    assert "风险与个案" in section and "紧急（红）" in section
    assert "情形：独自居住" in section
    due = timezone.localtime(alert.work_item.due_at).strftime("%Y-%m-%d %H:%M")
    assert f"须在 {due} 前处置 · 当前督办：乡镇级" in section
    assert reverse("cases:alert", kwargs={"alert_id": alert.pk}) in section


def test_the_childs_file_shows_the_cases_timeline(personas, signed_in):
    case = services.case_open(
        actor=personas.dir_a, child=personas.child_a, source="manual", risk_level="high", note="情绪低落"
    )

    html = (
        signed_in(personas.dir_a)
        .get(reverse("children:detail", kwargs={"pk": personas.child_a.pk}))
        .content.decode()
    )

    section = html[html.index('<section class="risk"') :]
    assert reverse("cases:case", kwargs={"case_id": case.pk}) in section
    assert "已立案 · 刘云 · 情绪低落" in section


def test_the_work_list_marks_a_due_visit_of_a_child_at_risk(personas, signed_in):
    record_alone(personas.dir_b, personas.child_b)
    schedules_refresh()

    html = signed_in(personas.dir_b).get(reverse("visits:work")).content.decode()

    item = html[html.index("走访 高小明") :]
    assert "risk-urgent" in item[: item.index("</li>")]
