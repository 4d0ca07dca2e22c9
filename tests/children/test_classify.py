"""The national definitions, clause by clause, at their boundaries (children/classify.py)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shouhu.children import classify as c
from shouhu.children.classify import ChildFacts, ParentFacts
from shouhu.children.validators import add_months, add_years

ON = dt.date(2026, 6, 15)
BORN_10 = dt.date(2016, 3, 1)
MIGRANT = ParentFacts("migrant", since=dt.date(2024, 1, 1))
AT_HOME = ParentFacts("at_home")
DEAD = ParentFacts("deceased", since=dt.date(2020, 1, 1))


def facts(**kw) -> ChildFacts:
    kw.setdefault("birth_date", BORN_10)
    return ChildFacts(**kw)


def cats(on=ON, **kw) -> set[str]:
    return set(c.classify(facts(**kw), on))


# Left-behind ---------------------------------------------------------------------------------------


def test_both_parents_migrant_is_left_behind():
    assert c.LEFT_BEHIND in cats(father=MIGRANT, mother=MIGRANT)


def test_one_parent_migrant_and_the_other_at_home_is_not_left_behind():
    assert c.LEFT_BEHIND not in cats(father=MIGRANT, mother=AT_HOME)


@pytest.mark.parametrize(
    "other",
    [
        ParentFacts("seriously_ill"),
        ParentFacts("imprisoned", since=dt.date(2026, 6, 1)),  # capacity, not the 6-month term, matters here
        ParentFacts("disabled", disability_type="physical", disability_grade=1),
        ParentFacts("deceased"),
    ],
)
def test_one_parent_migrant_and_the_other_without_capacity_is_left_behind(other):
    assert c.LEFT_BEHIND in cats(father=MIGRANT, mother=other)


def test_one_parent_migrant_and_the_other_mildly_disabled_is_not_left_behind():
    mild = ParentFacts("disabled", disability_type="physical", disability_grade=3)
    assert c.LEFT_BEHIND not in cats(father=MIGRANT, mother=mild)


def test_left_behind_the_day_before_the_16th_birthday_but_not_on_it():
    born = dt.date(2010, 6, 15)
    both = dict(birth_date=born, father=MIGRANT, mother=MIGRANT)
    assert c.LEFT_BEHIND in cats(on=dt.date(2026, 6, 14), **both)
    assert c.LEFT_BEHIND not in cats(on=dt.date(2026, 6, 15), **both)


def test_a_29_february_child_turns_16_on_1_march():
    both = dict(birth_date=dt.date(2008, 2, 29), father=MIGRANT, mother=MIGRANT)
    assert c.LEFT_BEHIND in cats(on=dt.date(2024, 2, 28), **both)
    assert c.LEFT_BEHIND not in cats(on=dt.date(2024, 2, 29), **both)  # a leap year: the birthday itself


def test_urban_household_registration_is_not_left_behind():
    assert c.LEFT_BEHIND not in cats(father=MIGRANT, mother=MIGRANT, hukou_type="urban")


def test_an_unregistered_child_in_a_village_counts_as_rural_but_not_in_a_community():
    both = dict(father=MIGRANT, mother=MIGRANT, hukou_type="other", household_registered=False)
    assert c.LEFT_BEHIND in cats(**both, village_is_community=False)
    assert c.LEFT_BEHIND not in cats(**both, village_is_community=True)


def test_a_parent_coming_home_ends_left_behind():
    assert c.LEFT_BEHIND not in cats(father=AT_HOME, mother=MIGRANT)


# De-facto unsupported --------------------------------------------------------------------------------


def imprisoned(since, until=None):
    return ParentFacts("imprisoned", since=since, until=until)


def test_detention_of_5_months_does_not_count_and_6_months_does():
    since = add_months(ON, -6)
    both = dict(mother=ParentFacts("seriously_ill"))
    assert c.DE_FACTO_UNSUPPORTED not in cats(on=ON - dt.timedelta(days=1), father=imprisoned(since), **both)
    assert c.DE_FACTO_UNSUPPORTED in cats(on=ON, father=imprisoned(since), **both)
    five = add_months(ON, -5)
    assert c.DE_FACTO_UNSUPPORTED not in cats(on=ON, father=imprisoned(five), **both)


def test_a_known_term_of_6_months_counts_from_its_first_day():
    since = ON - dt.timedelta(days=3)
    mother = ParentFacts("seriously_ill")
    assert c.DE_FACTO_UNSUPPORTED in cats(father=imprisoned(since, until=add_months(since, 6)), mother=mother)
    short = imprisoned(since, until=add_months(since, 6) - dt.timedelta(days=1))
    assert c.DE_FACTO_UNSUPPORTED not in cats(father=short, mother=mother)


@pytest.mark.parametrize("situation", ["drug_rehab", "detained"])
def test_other_deprivations_of_liberty_count_after_6_months(situation):
    mother = ParentFacts("seriously_ill")
    assert c.DE_FACTO_UNSUPPORTED in cats(
        father=ParentFacts(situation, since=add_months(ON, -6)), mother=mother
    )
    assert c.DE_FACTO_UNSUPPORTED not in cats(
        father=ParentFacts(situation, since=add_months(ON, -5)), mother=mother
    )


def test_lost_contact_counts_from_the_police_report_5_vs_6_months():
    dead = ParentFacts("deceased")

    def lost(months):
        return ParentFacts(
            "out_of_contact", since=dt.date(2020, 1, 1), police_report_date=add_months(ON, -months)
        )

    assert c.DE_FACTO_UNSUPPORTED not in cats(father=lost(5), mother=dead)
    assert c.DE_FACTO_UNSUPPORTED in cats(father=lost(6), mother=dead)


def test_lost_contact_without_a_police_report_never_counts():
    lost = ParentFacts("out_of_contact", since=dt.date(2015, 1, 1))
    assert c.DE_FACTO_UNSUPPORTED not in cats(father=lost, mother=ParentFacts("deceased"))


@pytest.mark.parametrize(
    ("kind", "grade", "counts"),
    [
        ("physical", 2, True),
        ("physical", 3, False),
        ("intellectual", 3, True),
        ("intellectual", 4, True),
        ("mental", 4, True),
        ("visual", 4, False),
        ("hearing", 1, True),
    ],
)
def test_severe_disability_is_grade_1_2_or_grade_3_4_mental_or_intellectual(kind, grade, counts):
    parent = ParentFacts("disabled", disability_type=kind, disability_grade=grade)
    assert (c.DE_FACTO_UNSUPPORTED in cats(father=parent, mother=ParentFacts("seriously_ill"))) is counts


def test_one_parent_dead_and_the_other_unable_is_de_facto_unsupported():
    assert c.DE_FACTO_UNSUPPORTED in cats(father=DEAD, mother=ParentFacts("guardianship_revoked"))
    assert c.DE_FACTO_UNSUPPORTED in cats(father=ParentFacts("deported"), mother=ParentFacts("missing"))


def test_one_parent_dead_and_the_other_at_home_is_not_de_facto_unsupported():
    assert c.DE_FACTO_UNSUPPORTED not in cats(father=DEAD, mother=AT_HOME)


def test_one_parent_unable_and_the_other_migrant_is_not_de_facto_unsupported():
    assert c.DE_FACTO_UNSUPPORTED not in cats(father=ParentFacts("seriously_ill"), mother=MIGRANT)


def test_the_reason_names_both_parents_situations():
    reason = c.classify(facts(father=DEAD, mother=ParentFacts("seriously_ill")), ON)[c.DE_FACTO_UNSUPPORTED]
    assert "父亲死亡" in reason and "母亲重病" in reason


# Orphan, living alone, difficulty, drop-out ------------------------------------------------------------


def test_both_parents_dead_is_an_orphan_not_de_facto_unsupported():
    got = cats(father=DEAD, mother=ParentFacts("deceased"))
    assert c.ORPHAN in got and c.DE_FACTO_UNSUPPORTED not in got
    assert c.DIFFICULTY_GUARDIANSHIP in got


def test_orphan_until_the_18th_birthday():
    born = dt.date(2008, 6, 15)
    both = dict(birth_date=born, father=DEAD, mother=ParentFacts("missing"))
    assert c.ORPHAN in cats(on=dt.date(2026, 6, 14), **both)
    assert cats(on=dt.date(2026, 6, 15), **both) == set()


@pytest.mark.parametrize("arrangement", ["alone", "minor_siblings"])
def test_a_child_with_no_adult_at_home_is_in_difficulty(arrangement):
    got = cats(living_arrangement=arrangement)
    assert {c.LIVING_ALONE, c.DIFFICULTY_GUARDIANSHIP} <= got


def test_recorded_abuse_is_difficulty_of_guardianship():
    assert c.DIFFICULTY_GUARDIANSHIP in cats(guardianship_concern="abuse")
    assert c.DIFFICULTY_GUARDIANSHIP not in cats()


@pytest.mark.parametrize(
    ("assistance", "poor"),
    [
        (("dibao",), True),
        (("tekun",), True),
        (("registered_poor",), True),
        (("medical",), False),
        ((), False),
    ],
)
def test_family_poverty_is_dibao_tekun_or_registered_poor(assistance, poor):
    assert (c.DIFFICULTY_POVERTY in cats(assistance=assistance)) is poor


@pytest.mark.parametrize(
    ("health", "counts"),
    [("disabled", True), ("serious_illness", True), ("chronic_illness", False), ("healthy", False)],
)
def test_own_disability_or_serious_illness_is_difficulty(health, counts):
    assert (c.DIFFICULTY_DISABILITY in cats(health=health)) is counts


def test_drop_out_counts_from_6_to_15_years():
    def dropout(age_years, on=ON):
        born = add_years(on, -age_years)
        return c.DROPOUT in cats(on=on, birth_date=born, schooling="dropped_out")

    assert not dropout(5)
    assert dropout(6)
    assert dropout(15)
    assert not dropout(16)


def test_a_child_not_in_school_but_not_marked_drop_out_is_not_a_drop_out():
    assert c.DROPOUT not in cats(schooling="not_in_school")


def test_an_exited_child_holds_no_category():
    assert cats(father=MIGRANT, mother=MIGRANT, exited_on=ON) == set()


def test_a_child_not_yet_born_on_the_date_holds_nothing():
    assert cats(on=BORN_10 - dt.timedelta(days=1), father=MIGRANT, mother=MIGRANT) == set()


def test_next_time_change_is_the_16th_birthday_for_a_left_behind_15_year_old():
    born = dt.date(2010, 9, 1)
    assert c.next_time_change(facts(birth_date=born, father=MIGRANT, mother=MIGRANT), ON) == dt.date(
        2026, 9, 1
    )


situations = st.sampled_from(
    [
        "at_home",
        "migrant",
        "deceased",
        "missing",
        "out_of_contact",
        "imprisoned",
        "drug_rehab",
        "detained",
        "seriously_ill",
        "disabled",
        "guardianship_revoked",
        "deported",
        "unknown",
    ]
)
parents = st.builds(
    ParentFacts,
    situation=situations,
    since=st.dates(dt.date(2000, 1, 1), ON),
    police_report_date=st.none() | st.dates(dt.date(2000, 1, 1), ON),
    disability_type=st.sampled_from(["", "physical", "intellectual", "mental"]),
    disability_grade=st.none() | st.integers(1, 4),
)


@given(father=parents, mother=parents, born=st.dates(dt.date(2008, 1, 1), ON))
def test_invariants_hold_for_any_facts(father, mother, born):
    got = c.classify(ChildFacts(birth_date=born, father=father, mother=mother), ON)
    assert not ({c.ORPHAN, c.DE_FACTO_UNSUPPORTED} <= set(got))
    if c.LEFT_BEHIND in got:
        assert (ON.year - born.year) <= 16 and "migrant" in (father.situation, mother.situation)
    if c.ORPHAN in got or c.DE_FACTO_UNSUPPORTED in got:
        assert c.DIFFICULTY_GUARDIANSHIP in got
    assert all(reason for reason in got.values())
