"""Field sensitivity tiers: which fields each way of reaching a child shows, in the API and the pages."""

import datetime as dt

import pytest
from django.utils import timezone

from shouhu.accounts import access
from shouhu.accounts.models import Grant, GrantReason
from shouhu.children import tiers

ALL = tiers.ALL_TIERS
PERSONAL = frozenset({tiers.PERSONAL})


def url(child) -> str:
    return f"/api/v1/children/{child.pk}/"


# --- the one function --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "wanted", "via"),
    [
        ("dir_a", ALL, "territory"),
        ("supervisor", ALL, "territory"),
        ("county", ALL, "territory"),
        ("admin", ALL, "territory"),
        ("civil", ALL, "read_only"),
        ("mentor", PERSONAL, "pairing"),
        ("dir_b", frozenset(), "none"),
        ("dir_c", frozenset(), "none"),
        ("social_worker", frozenset(), "none"),
    ],
)
def test_tiers_by_how_the_user_reaches_the_child(personas, persona, wanted, via):
    seen = access.tiers_for(getattr(personas, persona), personas.child_a)

    assert (seen.tiers, seen.via) == (wanted, via)


def test_a_referral_sees_the_personal_tier_narrowed_to_what_it_needs(personas, referred, family):
    seen = access.tiers_for(referred, family)

    assert (seen.tiers, seen.via) == (PERSONAL, "referral")
    assert {f for f in tiers.FIELDS["child"] if seen.sees("child", f)} >= {"name", "village", "carer"}
    assert not seen.sees("child", "id_number")
    assert not seen.sees("child", "school")
    assert seen.sees("carer", "phone") and not seen.sees("carer", "id_number")
    assert seen.sees("parent", "phone") and not seen.sees("parent", "situation")


def test_an_assignment_sees_the_whole_personal_tier_and_nothing_sensitive(personas):
    Grant.objects.create(user=personas.dir_c, child=personas.child_a, reason=GrantReason.ASSIGNMENT)
    seen = access.tiers_for(personas.dir_c, personas.child_a)

    assert seen.sees("child", "school") and seen.sees("child", "address") and seen.sees("parent", "phone")
    assert not seen.sensitive and not seen.sees("child", "id_number")


def test_the_widest_way_in_counts(personas):
    Grant.objects.create(user=personas.dir_a, child=personas.child_a, reason=GrantReason.PAIRING)

    assert access.tiers_for(personas.dir_a, personas.child_a).everything


def test_an_ended_grant_shows_nothing(personas):
    Grant.objects.filter(user=personas.mentor).update(ends_at=timezone.now() - dt.timedelta(minutes=1))

    assert not access.tiers_for(personas.mentor, personas.child_a).anything


def test_sees_sensitive_fields_is_the_sensitive_tier(personas):
    assert access.sees_sensitive_fields(personas.dir_a, personas.child_a)
    assert not access.sees_sensitive_fields(personas.mentor, personas.child_a)


def test_every_field_of_the_models_has_a_tier():
    """A new field must be placed: an unplaced one would be sensitive by default, silently hidden."""
    from shouhu.children.models import Carer, Child, Parent, RescueContact

    internal = {"id_number_hash", "region_code", "name_pinyin", "name_initials", "created_at", "updated_at"}
    for part, model in (("child", Child), ("parent", Parent), ("carer", Carer), ("contact", RescueContact)):
        names = {f.name for f in model._meta.concrete_fields} - internal - {"child", "id"}
        assert names - set(tiers.FIELDS[part]) == set(), part


# --- the API: fields dropped, not blanked ---------------------------------------------------------------


def test_territorial_staff_get_every_field(personas, family, api):
    body = api(personas.dir_a).get(url(family)).json()

    assert body["id_number"] == family.id_number
    assert body["illness"] == "哮喘"
    assert {p["phone"] for p in body["parents"]} >= {"13800000011"}
    assert body["categories"]


def test_civil_affairs_reads_every_field(personas, family, api):
    body = api(personas.civil).get(url(family)).json()

    assert body["id_number"] == family.id_number
    assert body["carer"]["phone"] == "13800000022"


def test_a_mentor_gets_name_village_and_school_only(personas, family, api):
    body = api(personas.mentor).get(url(family)).json()

    assert body["name"] == "梦巧"
    assert "village" in body and "school" in body and "grade" in body
    hidden = {"id_number", "health", "illness", "categories", "parents", "carer", "contacts", "address"}
    assert hidden & set(body) == set()
    assert family.id_number not in str(body)


def test_an_organisation_gets_what_the_referral_needs(personas, referred, family, api):
    body = api(referred).get(url(family)).json()

    assert body["name"] == "梦巧"
    assert body["carer"] == {
        "name": "梦奶奶",
        "relation": "grandparent",
        "phone": "13800000022",
        "address": "前潘村12号",
    }
    assert {p["phone"] for p in body["parents"]} >= {"13800000011"}
    assert all(set(p) <= {"role", "name", "phone"} for p in body["parents"])
    assert body["contacts"][0]["phone"] == "13800000033"
    assert {"id_number", "school", "health", "illness", "categories"} & set(body) == set()
    assert family.id_number not in str(body)


def test_a_mentor_list_row_has_no_categories(personas, family, api):
    rows = api(personas.mentor).get("/api/v1/children/").json()["results"]

    assert [r["name"] for r in rows] == ["梦巧"]
    assert "categories" not in rows[0]
    director_rows = api(personas.dir_a).get("/api/v1/children/").json()["results"]
    assert "categories" in director_rows[0]


def test_the_schema_requires_only_what_every_viewer_receives(personas, api):
    schema = api(personas.county).get("/api/schema/?format=json").json()
    child = schema["components"]["schemas"]["Child"]

    assert "name" in child["required"]
    assert "id_number" not in child["required"] and "id_number" in child["properties"]
    assert "categories" not in child["required"]
    assert "id_number" not in schema["components"]["schemas"]["Carer"].get("required", [])


# --- the pages ----------------------------------------------------------------------------------------


def test_the_file_page_shows_a_mentor_no_id_number_nor_categories(personas, family, web):
    html = web(personas.mentor).get(f"/children/{family.pk}/").content.decode()

    assert "梦巧" in html
    assert family.id_number not in html
    assert "哮喘" not in html and "13800000022" not in html
    assert "cat-left_behind" not in html


def test_the_file_page_shows_an_organisation_the_guardian_contact_not_the_id(personas, referred, family, web):
    html = web(referred).get(f"/children/{family.pk}/").content.decode()

    assert "13800000022" in html and "13800000011" in html and "13800000033" in html
    assert family.id_number not in html
    assert "哮喘" not in html
    assert "cat-left_behind" not in html


def test_the_file_page_shows_civil_affairs_everything_but_no_edit_button(personas, family, web):
    html = web(personas.civil).get(f"/children/{family.pk}/").content.decode()

    assert family.id_number in html and "哮喘" in html
    assert f"/children/{family.pk}/edit/" not in html


def test_the_list_shows_categories_to_the_territory_only(personas, family, web):
    assert "cat-left_behind" not in web(personas.mentor).get("/children/").content.decode()
    assert "cat-left_behind" in web(personas.dir_a).get("/children/").content.decode()
