"""Today first: a role's home page is its work with one tap to act, the phone's menu is short and
role-shaped, a child's file opens on its risk and its primary action, phone numbers dial."""

import datetime as dt

from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from shouhu.escalation import services as escalation
from shouhu.escalation.models import WorkItem
from shouhu.web.templatetags.shouhu import phone_menu
from tests.visits.web.conftest import late_item


def home(client) -> str:
    return client.get(reverse("home")).content.decode()


def item_due_in(child, responsible, *, hours: int, kind: str, title: str) -> WorkItem:
    due = timezone.now() + dt.timedelta(hours=hours)
    escalation.items_ensure(
        [
            escalation.ItemSpec(
                key=f"test:{kind}:{child.pk}:{hours}",
                kind=kind,
                title=title,
                region_code=child.region_code,
                child_id=child.pk,
                responsible_id=responsible.pk,
                due_at=due,
                township_after=dt.timedelta(days=1),
                county_after=dt.timedelta(days=2),
            )
        ]
    )
    return WorkItem.objects.get(key=f"test:{kind}:{child.pk}:{hours}")


# --- the home page ---------------------------------------------------------------------------------


def test_a_directors_home_lists_an_overdue_visit_with_the_button_that_records_it(signed_in, personas):
    late_item(personas.child_a, personas.dir_a, days=3)

    html = home(signed_in(personas.dir_a))

    today = html[html.index('id="today"') :]
    assert "已逾期（1）" in today and "走访 梦巧" in today and "逾期 3 天" in today
    assert reverse("visits:visit_new", kwargs={"pk": personas.child_a.pk}) in today


def test_urgent_work_comes_first_with_a_way_to_act_on_it(signed_in, personas):
    from shouhu.escalation.actions import item_action

    late_item(personas.child_a, personas.dir_a, days=3)
    urgent = item_due_in(
        personas.child_a, personas.dir_a, hours=2, kind="alert_task.police", title="向公安机关报告：梦巧"
    )

    html = home(signed_in(personas.dir_a))

    today = html[html.index('id="today"') :]
    assert today.index("紧急（1）") < today.index("向公安机关报告：梦巧") < today.index("已逾期（1）")
    act = item_action(urgent)  # the one place that says where an item leads and what clears it
    assert act.url and f'href="{act.url}"' in today and str(act.clears) in today


def test_work_due_later_is_counted_not_listed(signed_in, personas):
    from shouhu.visits.selectors import today_work

    before = today_work(user=personas.dir_a)
    item_due_in(
        personas.child_a, personas.dir_a, hours=24 * 30, kind="visit.director", title="走访 梦巧（下月）"
    )

    html = home(signed_in(personas.dir_a))

    assert "走访 梦巧（下月）" not in html
    assert f"另有 {before.this_week + before.later + 1} 项以后到期" in html


def test_a_directors_home_is_her_work_not_category_counts(signed_in, personas):
    html = home(signed_in(personas.dir_a))

    assert "今天要做的" in html
    assert "?category=" not in html


def test_the_county_keeps_its_figures_below_the_work_without_zeros(signed_in, personas):
    html = home(signed_in(personas.county))

    assert html.index("今天要做的") < html.index("?category=left_behind")
    assert "<strong>0</strong>" not in html


def test_the_teachers_home_has_no_wall_of_zeros_and_a_button_to_report(signed_in, personas):
    from shouhu.accounts.models import Role
    from tests import factories as f

    teacher = f.make_user("teacher", Role.TEACHER, f.TOWNSHIP, full_name="李老师")

    html = home(signed_in(teacher))

    assert "<strong>0</strong>" not in html and "?category=" not in html
    assert f'href="{reverse("cases:report_new")}" role="button"' in html
    assert "提交强制报告" in html


def test_the_report_form_makes_110_a_number_to_dial(signed_in, personas):
    html = signed_in(personas.dir_a).get(reverse("cases:report_new")).content.decode()

    assert '<a href="tel:110" class="tel">110</a>' in html


# --- the menu on a phone ----------------------------------------------------------------------------


def test_a_directors_phone_menu_is_her_five_daily_things(personas):
    labels = [entry["label"] for entry in phone_menu(personas.dir_a)]

    assert labels == ["我的工作", "预警", "儿童名册", "登记儿童", "强制报告"]


def test_desk_work_stays_off_the_phone_menu(personas):
    for user in (
        personas.dir_a,
        personas.supervisor,
        personas.county,
        personas.social_worker,
        personas.mentor,
    ):
        labels = [entry["label"] for entry in phone_menu(user)]
        assert len(labels) <= 5
        assert "导入名册" not in labels and "名单比对" not in labels and "访问日志" not in labels


def test_a_social_workers_phone_menu_leads_to_the_referrals(personas):
    assert "转介" in [entry["label"] for entry in phone_menu(personas.social_worker)]


def test_desk_items_of_the_full_menu_are_marked_to_hide_on_phones(signed_in, personas):
    html = home(signed_in(personas.county))

    assert f'<li class="desk"><a href="{reverse("imports:upload")}"' in html
    assert f'<li class="desk"><a href="{reverse("crosschecks:index")}"' in html
    assert 'class="phonebar"' in html and 'href="#menu"' in html


# --- the child's file -------------------------------------------------------------------------------


def test_the_childs_file_opens_on_the_visit_button_and_the_risk(signed_in, personas):
    html = (
        signed_in(personas.dir_a)
        .get(reverse("children:detail", kwargs={"pk": personas.child_a.pk}))
        .content.decode()
    )

    record = reverse("visits:visit_new", kwargs={"pk": personas.child_a.pk})
    assert html.count(f'href="{record}"') == 1
    assert html.index(f'href="{record}"') < html.index('id="risk"') < html.index("基本情况")


def test_phone_numbers_on_the_childs_file_dial(signed_in, personas):
    from shouhu.children.models import Carer

    Carer.objects.filter(child=personas.child_a).update(phone="139 1234 5678")

    html = (
        signed_in(personas.dir_a)
        .get(reverse("children:detail", kwargs={"pk": personas.child_a.pk}))
        .content.decode()
    )

    assert '<a href="tel:13912345678" class="tel">139 1234 5678</a>' in html


def test_the_tel_filter_shows_a_dash_for_no_number_and_escapes_the_text():
    template = Template("{% load shouhu %}{{ a|tel }} {{ b|tel }}")

    assert template.render(Context({"a": "", "b": "<b>110</b>"})) == (
        '— <a href="tel:110" class="tel">&lt;b&gt;110&lt;/b&gt;</a>'
    )
