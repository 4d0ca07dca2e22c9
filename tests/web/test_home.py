import datetime as dt

from django.urls import reverse

from shouhu.accounts.models import WelfareWorker


def home(client):
    return client.get(reverse("home")).content.decode()


def test_home_says_who_i_am_my_role_and_jurisdiction(signed_in, personas):
    html = home(signed_in(personas.dir_a))
    assert "刘云" in html
    assert "儿童主任" in html
    assert "王市镇 前潘村" in html


def test_home_counts_my_children_by_category_with_a_link_to_the_list(signed_in, personas):
    html = home(signed_in(personas.supervisor))
    link = reverse("children:list") + "?category=left_behind"
    assert link in html
    fragment = html[html.index(link) :]
    assert "农村留守儿童" in fragment[:300]
    assert "<strong>1</strong>" in fragment[:300]


def test_home_counts_only_children_in_my_jurisdiction(signed_in, personas):
    assert "共 1 名在册儿童" in home(signed_in(personas.dir_a))
    assert "共 3 名在册儿童" in home(signed_in(personas.county))


def test_a_village_with_no_child_director_shows_as_a_gap_on_the_supervisors_home(signed_in, personas):
    WelfareWorker.objects.filter(user=personas.dir_b).delete()
    html = home(signed_in(personas.supervisor))
    assert "没有儿童主任的村" in html
    assert "高寨村" in html  # village B has no director registered
    assert "前潘村" not in html.split("没有儿童主任的村", 1)[1]


def test_a_director_who_left_leaves_a_gap(signed_in, personas):
    WelfareWorker.objects.filter(user=personas.dir_a).update(ended_on=dt.date(2024, 1, 1))
    html = home(signed_in(personas.supervisor))
    assert "前潘村" in html.split("没有儿童主任的村", 1)[1]


def test_a_village_director_is_not_shown_gaps(signed_in, personas):
    assert "没有儿童主任的村" not in home(signed_in(personas.dir_a))


def test_gaps_stay_within_my_jurisdiction(signed_in, personas):
    html = home(signed_in(personas.supervisor))
    assert "程杨村" not in html  # a village of another township


def test_a_mentor_is_told_they_see_only_granted_children(signed_in, personas):
    html = home(signed_in(personas.mentor))
    assert "仅可查看授权给您的儿童" in html
    assert "共 1 名在册儿童" in html
