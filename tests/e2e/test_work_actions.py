"""我的工作 on a 390×844 phone and a 1366×768 desk: a director clears an overdue visit from her list, and
the late visit closes it (counted late)."""

import datetime as dt
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from shouhu.escalation import services as escalation
from shouhu.escalation.models import Status, WorkItem
from shouhu.regions.codes import county_of
from shouhu.visits import rules
from shouhu.visits import selectors as visit_selectors
from shouhu.visits import services as visit_services

from .conftest import on_screen, sign_in

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(browser_context_args, screen):
    return on_screen(browser_context_args, screen)


def overdue_visit(child, director) -> WorkItem:
    """Last month's visit to ``child``, never made."""
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    policy = visit_selectors.policy_of(county_of(child.region_code))
    (req, *_rest) = rules.requirements({"left_behind"}, policy=policy, on=last_month)
    escalation.items_ensure(
        [
            escalation.ItemSpec(
                key=req.key(child.pk),
                kind=visit_services.DIRECTOR_VISIT,
                title=f"走访 {child.name}",
                region_code=child.region_code,
                child_id=child.pk,
                responsible_id=director.pk,
                period_start=req.period_start,
                period_end=timezone.localdate(req.due_at),
                due_at=req.due_at,
                township_after=dt.timedelta(days=7),
                county_after=dt.timedelta(days=14),
            )
        ]
    )
    return WorkItem.objects.get(key=req.key(child.pk))


def test_a_director_clears_an_overdue_visit_from_her_work(page, live_server, registry, screen):
    item = overdue_visit(registry.child_a, registry.dir_a)
    sign_in(page, live_server, "dir_a")
    taps = 0

    page.get_by_role("link", name="我的工作").click()
    taps += 1
    late = page.locator(f"#item-{item.pk}")
    expect(late).to_contain_text("逾期")
    expect(late).to_contain_text("逾期后补做的走访也算")
    late.get_by_role("button", name="登记走访").click()
    taps += 1
    page.get_by_role("button", name="保存").click()
    taps += 1

    page.wait_for_url(f"{live_server.url}/work/")
    expect(page.locator(f"#item-{item.pk}.overdue")).to_have_count(0)
    expect(page.locator("h3.late")).to_have_count(0)
    item.refresh_from_db()
    assert item.status == Status.DONE and item.done_at > item.due_at  # done, and late
    print(f"\nclearing an overdue visit from 我的工作 ({screen}): {taps} taps after signing in")
    assert taps <= 5
