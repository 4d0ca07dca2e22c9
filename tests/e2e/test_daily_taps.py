"""The child director's three daily tasks on a 390×844 phone, each from the home page (我的工作 today)
in at most five taps: record a visit, act on an urgent alert, register a child whose parents work
away. A tap is a click on a link, a button or a folded section; typing is not counted, and choices in
form fields (a radio, a tick, a list) are counted apart and printed beside the taps."""

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from shouhu.children.models import Child
from shouhu.visits.models import Visit
from tests import factories as f
from tests.cases.web.conftest import record_alone
from tests.e2e.conftest import sign_in

# Playwright's sync API runs an event loop in this thread; Django's ORM is still used synchronously.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser

MOST_TAPS = 5


class Taps:
    """Counts what the user touches: taps on links and buttons, and choices made in form fields."""

    def __init__(self, page, task: str):
        self.page, self.task = page, task
        self.taps = 0
        self.choices = 0

    def tap(self, locator) -> None:
        locator.click()
        self.taps += 1

    def check(self, locator) -> None:
        locator.check()
        self.choices += 1

    def select(self, locator, **option) -> None:
        locator.select_option(**option)
        self.choices += 1

    def report(self) -> None:
        print(f"\n{self.task}: {self.taps} taps from the home page ({self.choices} choices in fields)")
        assert self.taps <= MOST_TAPS


def test_a_director_records_a_visit_from_her_home_page_in_three_taps(page, live_server, registry):
    sign_in(page, live_server, "dir_a")
    count = Taps(page, "record a visit")

    count.tap(page.locator("nav.phonebar").get_by_role("link", name="我的工作"))
    count.tap(page.locator("li.item", has_text="走访 梦巧").get_by_role("button", name="登记走访"))
    expect(page.get_by_role("heading", level=1)).to_have_text("走访 梦巧")
    count.check(page.get_by_label("儿童", exact=True))
    count.check(page.get_by_label("监护人/照料人"))
    page.get_by_label("情况记录").fill("奶奶身体还好，孩子按时上学。")
    count.tap(page.get_by_role("button", name="保存"))

    expect(page.get_by_role("status")).to_contain_text("已保存对 梦巧 的走访。")
    visit = Visit.objects.get(child=registry.child_a)
    assert visit.saw_child and visit.saw_guardian and "按时上学" in visit.notes
    count.report()


def test_a_director_acts_on_an_urgent_alert_from_her_home_page_in_two_taps(page, live_server, registry):
    alert = record_alone(registry.dir_a, registry.child_a)
    sign_in(page, live_server, "dir_a")
    count = Taps(page, "act on an urgent alert")

    # the alert itself, among its response tasks (向公安机关报告…, 向父母发出…)
    urgent = page.locator("section.today li.item.urgent", has_text="16周岁以下儿童独居或无人照料：梦巧")
    urgent = urgent.filter(has_not_text="向")
    expect(urgent).to_be_visible()
    box = urgent.bounding_box()
    assert box["y"] + box["height"] <= 844  # the first screen shows it
    count.tap(urgent.get_by_role("button", name="处置预警"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("16周岁以下儿童独居或无人照料")
    count.tap(page.get_by_role("button", name="已报告公安机关", exact=True))

    expect(page.locator("#mark-police_informed")).to_contain_text("✓")
    alert.refresh_from_db()
    assert alert.police_informed_at is not None
    count.report()


def test_a_director_registers_a_child_whose_parents_work_away_in_four_taps(page, live_server, registry):
    sign_in(page, live_server, "dir_a")
    count = Taps(page, "register a child with parents away")

    count.tap(page.locator("nav.phonebar").get_by_role("link", name="登记儿童"))
    expect(page.get_by_role("heading", level=1)).to_have_text("登记儿童")
    page.locator("#id_name").fill("潘小雨")
    page.locator("#id_id_number").fill(f.id_number_for(dt.date(2017, 3, 9), gender="female"))
    for parent in ("父亲", "母亲"):
        part = page.locator("details.part", has=page.locator("summary", has_text=parent))
        count.tap(part.locator("summary"))
        count.select(part.get_by_label("当前状况"), label="外出务工")
        part.get_by_label("务工地点").fill("浙江省宁波市")
    count.tap(page.get_by_role("button", name="保存"))

    expect(page.get_by_role("heading", level=1)).to_have_text("潘小雨")
    expect(page.locator(".filehead .badge").first).to_have_text("农村留守儿童")
    child = Child.objects.get(name="潘小雨")
    assert child.region_code == f.VILLAGE_A
    assert sorted(p.situation for p in child.parents.all()) == ["migrant", "migrant"]
    count.report()
