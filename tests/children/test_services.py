"""Registering and changing children: validation, atomicity, history, classification over time."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shouhu.children import services
from shouhu.children.models import CategoryEvent, Child, Parent
from shouhu.children.validators import add_years
from tests import clock
from tests import factories as f

TODAY = clock.TODAY


def errors_of(exc: pytest.ExceptionInfo) -> dict:
    return exc.value.message_dict


def test_it_refuses_an_invalid_id_number_and_saves_nothing(personas):
    before = Child.objects.count()
    with pytest.raises(ValidationError) as exc:
        f.make_child(actor=personas.dir_a, id_number="110105194912310021")
    assert "id_number" in errors_of(exc)
    assert Child.objects.count() == before


def test_it_refuses_an_id_number_whose_birth_date_differs(personas):
    number = f.id_number_for(dt.date(2015, 1, 2))
    with pytest.raises(ValidationError) as exc:
        f.make_child(actor=personas.dir_a, id_number=number, birth_date=dt.date(2015, 1, 3))
    assert "出生日期" in errors_of(exc)["id_number"][0]


def test_it_refuses_a_future_birth_date_and_an_adult(personas):
    with pytest.raises(ValidationError) as exc:
        f.make_child(actor=personas.dir_a, birth_date=TODAY + dt.timedelta(days=1))
    assert "birth_date" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        f.make_child(actor=personas.dir_a, birth_date=add_years(TODAY, -18))
    assert "18" in errors_of(exc)["birth_date"][0]


def test_it_refuses_a_duplicate_id_number(personas):
    number = f.id_number_for(dt.date(2014, 5, 6))
    f.make_child(actor=personas.dir_a, id_number=number, birth_date=dt.date(2014, 5, 6))
    with pytest.raises(ValidationError) as exc:
        f.make_child(actor=personas.dir_a, id_number=number, birth_date=dt.date(2014, 5, 6), name="另一个")
    assert "id_number" in errors_of(exc)


def test_it_refuses_a_village_that_does_not_exist_or_is_not_mine(personas):
    with pytest.raises(ValidationError) as exc:
        f.make_child(actor=personas.dir_a, village="341623110999")
    assert "village" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        f.make_child(actor=personas.dir_a, village=f.VILLAGE_C)
    assert "管辖范围" in errors_of(exc)["village"][0]


def test_a_minor_carer_is_refused_but_minor_siblings_living_alone_are_recorded(personas):
    minor = {"name": "大姐", "relation": "sibling", "birth_date": add_years(TODAY, -16)}
    before = Child.objects.count()
    with pytest.raises(ValidationError) as exc:
        f.make_child(actor=personas.dir_a, carer=minor)
    assert "carer.birth_date" in errors_of(exc)
    assert Child.objects.count() == before
    child = f.make_child(actor=personas.dir_a, living_arrangement="minor_siblings")
    assert "living_alone" in set(child.categories.values_list("category_id", flat=True))


@pytest.mark.parametrize("name", ["<script>alert(1)</script>", "张" * 2000])
def test_it_refuses_script_tags_and_overlong_names(personas, name):
    with pytest.raises(ValidationError) as exc:
        f.make_child(actor=personas.dir_a, name=name)
    assert "name" in errors_of(exc)


@pytest.mark.parametrize("name", ["𠮷堃", "阿依古丽·买买提", "单丽"])
def test_rare_characters_and_dotted_names_are_stored(personas, name):
    child = f.make_child(actor=personas.dir_a, name=name)
    child.refresh_from_db()
    assert child.name == name


def test_an_error_in_a_nested_parent_saves_nothing_at_all(personas):
    before = (Child.objects.count(), Parent.objects.count())
    with pytest.raises(ValidationError) as exc:
        f.make_child(
            actor=personas.dir_a,
            parents={
                "father": f.migrant(),
                "mother": {"situation": "out_of_contact"},
            },  # neither the date of last contact nor a police report date
        )
    assert "parents.mother.situation_since" in errors_of(exc)
    assert (Child.objects.count(), Parent.objects.count()) == before


def test_a_mentor_cannot_register_or_change_children(personas):
    with pytest.raises(PermissionDenied):
        f.make_child(actor=personas.mentor)
    with pytest.raises(PermissionDenied):
        services.child_update(actor=personas.mentor, child=personas.child_a, fields={"address": "x"})


def test_a_parent_coming_home_removes_left_behind_with_the_reason_and_keeps_history(personas):
    child = personas.child_a
    services.child_update(actor=personas.dir_a, child=child, parents={"father": {"situation": "at_home"}})
    assert not child.categories.filter(category_id="left_behind").exists()
    lost = CategoryEvent.objects.get(child=child, category_id="left_behind", gained=False)
    assert lost.recorded_by == personas.dir_a
    father = child.parents.get(role="father")
    assert father.history.count() == 2
    assert father.history.first().history_user == personas.dir_a


def test_a_changed_field_is_in_the_childs_history_with_who_changed_it(personas):
    child = personas.child_b
    services.child_update(actor=personas.dir_b, child=child, fields={"address": "高寨村3组"})
    latest = child.history.first()
    assert latest.history_user == personas.dir_b
    assert [c.field for c in latest.diff_against(latest.prev_record).changes] == ["address"]


def test_time_alone_exits_left_behind_on_the_16th_birthday(personas):
    birth = add_years(TODAY, -16) + dt.timedelta(days=10)
    child = f.make_child(
        actor=personas.dir_a, birth_date=birth, parents={"father": f.migrant(), "mother": f.migrant()}
    )
    assert child.categories.filter(category_id="left_behind").exists()
    birthday = add_years(birth, 16)
    services.reclassify_all(on=birthday - dt.timedelta(days=1))
    assert child.categories.filter(category_id="left_behind").exists()
    services.reclassify_all(on=birthday)
    assert not child.categories.filter(category_id="left_behind").exists()
    assert CategoryEvent.objects.get(child=child, gained=False).reason == "年满16周岁"


def test_a_child_exits_the_registry_on_the_18th_birthday(personas):
    birth = add_years(TODAY, -18) + dt.timedelta(days=3)
    child = f.make_child(actor=personas.dir_a, birth_date=birth, assistance=["dibao"])
    services.reclassify_all(on=add_years(birth, 18))
    child.refresh_from_db()
    assert child.exited_on == add_years(birth, 18) and child.exit_reason == "aged_out"
    assert not child.categories.exists()


def test_reclassifying_twice_records_nothing_new(personas):
    services.reclassify_all()
    events = CategoryEvent.objects.count()
    services.reclassify_all()
    assert CategoryEvent.objects.count() == events


def test_a_homeless_minor_is_registered_where_found_without_a_village(personas):
    child = f.make_child(
        actor=personas.supervisor,
        village=None,
        is_homeless=True,
        found_region_id=f.TOWNSHIP,
        found_place="王市镇汽车站",
        placement="县未成年人救助保护中心",
    )
    assert child.region_code == f.TOWNSHIP
    with pytest.raises(ValidationError) as exc:
        f.make_child(actor=personas.supervisor, village=None, is_homeless=True)
    assert "found_region" in errors_of(exc)


def test_a_local_category_is_assigned_by_hand_and_survives_reclassification(personas):
    from shouhu.children.models import Category

    Category.objects.create(code="edge_of_difficulty", name="困境边缘儿童", derived=False)
    child = personas.child_b
    services.child_set_local_categories(
        actor=personas.dir_b, child=child, codes=["edge_of_difficulty"], reason="家庭突发变故，县民政局认定"
    )
    services.reclassify_all()
    assert child.categories.filter(category_id="edge_of_difficulty").exists()


def test_a_national_category_cannot_be_set_by_hand(personas):
    with pytest.raises(ValidationError) as exc:
        services.child_set_local_categories(
            actor=personas.dir_b, child=personas.child_b, codes=["left_behind"], reason="手工"
        )
    assert "categories" in errors_of(exc)


def test_reasons_are_stored_in_the_registrys_language_whatever_the_actors_interface(personas):
    from django.utils import translation

    with translation.override("en"):
        child = f.make_child(
            actor=personas.dir_a, parents={"father": f.migrant(), "mother": {"situation": "deceased"}}
        )
    reason = child.categories.get(category_id="left_behind").reason
    assert reason == "父亲外出务工，母亲死亡，无监护能力"


def test_an_id_number_of_the_other_sex_is_refused_saying_what_the_number_says(personas):
    number = f.id_number_for(dt.date(2016, 5, 6), gender="female")
    with pytest.raises(ValidationError) as caught:
        f.make_child(name="李小军", gender="male", birth_date=dt.date(2016, 5, 6), id_number=number)

    assert "身份证号码显示性别为女" in " ".join(caught.value.message_dict["gender"])
