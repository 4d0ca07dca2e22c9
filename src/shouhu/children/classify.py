"""Child categories by the national definitions, evaluated for a date. The one home of these rules.

Sources (see DOMAIN.md):

* Left-behind child (农村留守儿童), 国发〔2016〕13号: under 16; both parents migrant, or one migrant and
  the other without capacity to guard; rural household registration (the national survey's condition).
* Child in difficulty (困境儿童), 国发〔2016〕36号, three sub-types: family poverty, the child's own
  disability or serious illness, missing or improper guardianship.
* De-facto unsupported child (事实无人抚养儿童), 民发〔2019〕62号 and 〔2020〕125号.
* Orphan (孤儿), 国办发〔2010〕54号: under 18, both parents dead or cannot be found.
* Child with no adult at home (独居或无成年人照料), Minor Protection Law 2020 Art. 21.
* Drop-out in compulsory education (义务教育阶段辍学).

Choices where the texts leave room, made here once:

1. Ages are completed years; the birthday itself counts. A left-behind child exits on the 16th
   birthday (the day before, the child is 15 and still counts).
2. "6 months or more" (6个月以上) includes six months, as Civil Code Art. 1259 reads 以上. Six months
   are counted from the start date to the same day six months later (31 Aug → 28/29 Feb). For
   imprisonment, drug rehabilitation and other detention the term counts when its known end
   (``until``) is ≥ 6 months after the start, or once 6 months have passed; for lost contact, from the
   police report date only (no report, no clock).
3. Severe disability: grade 1 or 2 of any type, or grade 3 or 4 of a mental or intellectual disability.
4. A parent "without capacity to guard" for the left-behind definition: any de-facto-unsupported
   situation regardless of its duration, and also deceased or missing (a single migrant parent whose
   other parent died leaves the child as alone as two migrant parents do).
5. Orphan: both parents deceased or missing (declared 失踪 or cannot be found). An orphan is not also
   counted de-facto unsupported (the 2019 text excludes children already supported as orphans).
6. Children in difficulty (guardianship): orphans, de-facto unsupported children, children with no
   adult at home, and children for whom staff recorded abuse, abandonment, neglect or other harm.
   Poverty: the family holds 低保, 特困 or 建档立卡 status. Own condition: the child's health is
   disabled or seriously ill.
7. Drop-out: schooling recorded as 辍学 and aged 6 to 15 (compulsory-education age); a child of 16+
   who left school is not a compulsory-education drop-out.
8. Rural registration: household registration type must be rural (农村居民户口); it is recorded per
   child and never inferred from the village code. Unregistered children (no hukou yet) count as rural
   when their household village is a villagers' committee (the family's registration decides later).
9. Every category needs the child under 18 and not exited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .options import (
    DEPRIVED_OF_LIBERTY,
    FAMILY_POVERTY,
    GONE,
    NO_ADULT,
    UNTIMED_INCAPACITY,
    Assistance,
    DisabilityType,
    GuardianshipConcern,
    Health,
    HukouType,
    LivingArrangement,
    ParentSituation,
    Schooling,
)
from .validators import add_months, add_years, age_on

LEFT_BEHIND = "left_behind"
DIFFICULTY_POVERTY = "difficulty_poverty"
DIFFICULTY_DISABILITY = "difficulty_disability"
DIFFICULTY_GUARDIANSHIP = "difficulty_guardianship"
DE_FACTO_UNSUPPORTED = "de_facto_unsupported"
ORPHAN = "orphan"
LIVING_ALONE = "living_alone"
DROPOUT = "dropout"

# (code, Chinese name, English name) in display order; loaded into ``Category`` by a migration.
NATIONAL_CATEGORIES = [
    (LEFT_BEHIND, "农村留守儿童", "Left-behind child"),
    (DIFFICULTY_POVERTY, "困境儿童（家庭贫困）", "In difficulty: family poverty"),
    (DIFFICULTY_DISABILITY, "困境儿童（自身残疾或重病）", "In difficulty: own disability or illness"),
    (
        DIFFICULTY_GUARDIANSHIP,
        "困境儿童（监护缺失或不当）",
        "In difficulty: missing or improper guardianship",
    ),
    (DE_FACTO_UNSUPPORTED, "事实无人抚养儿童", "De-facto unsupported child"),
    (ORPHAN, "孤儿", "Orphan"),
    (LIVING_ALONE, "独居或无成年人照料儿童", "Child with no adult at home"),
    (DROPOUT, "义务教育阶段辍学儿童", "Drop-out in compulsory education"),
]
DIFFICULTY = {DIFFICULTY_POVERTY, DIFFICULTY_DISABILITY, DIFFICULTY_GUARDIANSHIP}

LEFT_BEHIND_AGE_LIMIT = 16
CHILD_AGE_LIMIT = 18
COMPULSORY_SCHOOL_AGES = range(6, 16)
TERM_MONTHS = 6

MENTAL = {DisabilityType.MENTAL, DisabilityType.INTELLECTUAL}


@dataclass(frozen=True)
class ParentFacts:
    situation: str = ParentSituation.UNKNOWN
    since: dt.date | None = None
    until: dt.date | None = None
    police_report_date: dt.date | None = None
    disability_type: str = ""
    disability_grade: int | None = None


@dataclass(frozen=True)
class ChildFacts:
    birth_date: dt.date
    hukou_type: str = HukouType.RURAL
    household_registered: bool = True
    village_is_community: bool = False
    father: ParentFacts | None = None
    mother: ParentFacts | None = None
    living_arrangement: str = LivingArrangement.PARENTS
    guardianship_concern: str = ""
    health: str = Health.HEALTHY
    schooling: str = ""
    assistance: tuple[str, ...] = field(default_factory=tuple)
    exited_on: dt.date | None = None


def _months_reached(start: dt.date | None, on: dt.date, months: int = TERM_MONTHS) -> bool:
    return start is not None and on >= add_months(start, months)


def severely_disabled(grade: int | None, kind: str) -> bool:
    """Grade 1–2 of any type, or grade 3–4 of a mental or intellectual disability (民发〔2019〕62号)."""
    if not grade:
        return False
    return grade <= 2 or (grade <= 4 and kind in MENTAL)


def unable_to_support(p: ParentFacts, on: dt.date) -> str | None:
    """Why this parent counts for the de-facto-unsupported definition on ``on``, or None."""
    s = p.situation
    if s in UNTIMED_INCAPACITY:
        return s
    if s == ParentSituation.DISABLED and severely_disabled(p.disability_grade, p.disability_type):
        return s
    if s in DEPRIVED_OF_LIBERTY and p.since and p.since <= on:
        if _months_reached(p.since, on) or (p.until and p.until >= add_months(p.since, TERM_MONTHS)):
            return s
    if s == ParentSituation.OUT_OF_CONTACT and _months_reached(p.police_report_date, on):
        return s
    return None


def without_capacity(p: ParentFacts, on: dt.date) -> bool:
    """Cannot guard the child, for the left-behind definition (choice 4 above)."""
    return ParentSituation.unable_to_guard(
        p.situation, severely_disabled=severely_disabled(p.disability_grade, p.disability_type)
    )


def _label(situation: str) -> str:
    return str(ParentSituation(situation).label) if situation in ParentSituation.values else situation


def classify(facts: ChildFacts, on: dt.date) -> dict[str, str]:
    """The categories the child holds on ``on``, each with the reason (in the registry's language,
    whoever's page asked: ``reasons.in_words`` puts it into the reader's)."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return _classify(facts, on)


def _classify(facts: ChildFacts, on: dt.date) -> dict[str, str]:
    age = age_on(facts.birth_date, on)
    if facts.birth_date > on or age >= CHILD_AGE_LIMIT or (facts.exited_on and facts.exited_on <= on):
        return {}
    result: dict[str, str] = {}
    for code, rule in RULES:
        reason = rule(facts, age, on, result)
        if reason:
            result[code] = reason
    return result


# One function per category, each given the child's facts, age, the date and the categories found so
# far (the guardianship sub-type reads them), returning the reason or None.
Rule = Callable[[ChildFacts, int, dt.date, dict[str, str]], str | None]


def _parents(facts: ChildFacts) -> tuple[tuple[ParentFacts, str], tuple[ParentFacts, str]]:
    return (facts.father or ParentFacts(), "父亲"), (facts.mother or ParentFacts(), "母亲")


def _orphan(facts: ChildFacts, age: int, on: dt.date, found: dict[str, str]) -> str | None:
    (father, _f), (mother, _m) = _parents(facts)
    if father.situation in GONE and mother.situation in GONE:
        return f"父亲{_label(father.situation)}，母亲{_label(mother.situation)}"
    return None


def _de_facto_unsupported(facts: ChildFacts, age: int, on: dt.date, found: dict[str, str]) -> str | None:
    if ORPHAN in found:  # choice 5: an orphan is not also de-facto unsupported
        return None
    both = _parents(facts)
    reasons = {who: unable_to_support(p, on) for p, who in both}
    if all(reasons.values()):
        return "；".join(f"{who}{_label(r)}" for who, r in reasons.items() if r)
    gone = {who: p.situation for p, who in both if p.situation in GONE}
    if len(gone) != 1:
        return None
    ((dead_who, dead),) = gone.items()
    other_who = "母亲" if dead_who == "父亲" else "父亲"
    other = reasons[other_who]
    return f"{dead_who}{_label(dead)}；{other_who}{_label(other)}" if other else None


def _left_behind(facts: ChildFacts, age: int, on: dt.date, found: dict[str, str]) -> str | None:
    rural = facts.hukou_type == HukouType.RURAL or (
        not facts.household_registered and not facts.village_is_community
    )
    if age >= LEFT_BEHIND_AGE_LIMIT or not rural:
        return None
    both = _parents(facts)
    migrants = [who for p, who in both if p.situation == ParentSituation.MIGRANT]
    if len(migrants) == 2:
        return "父母双方外出务工"
    if len(migrants) != 1:
        return None
    ((other, other_who),) = [(p, who) for p, who in both if who != migrants[0]]
    if not without_capacity(other, on):
        return None
    return f"{migrants[0]}外出务工，{other_who}{_label(other.situation)}，无监护能力"


def _living_alone(facts: ChildFacts, age: int, on: dt.date, found: dict[str, str]) -> str | None:
    if facts.living_arrangement in NO_ADULT:
        return str(LivingArrangement(facts.living_arrangement).label)
    return None


def _difficulty_poverty(facts: ChildFacts, age: int, on: dt.date, found: dict[str, str]) -> str | None:
    poverty = [a for a in facts.assistance if a in FAMILY_POVERTY]
    if poverty:
        return "家庭享受" + "、".join(str(Assistance(a).label) for a in poverty)
    return None


def _difficulty_disability(facts: ChildFacts, age: int, on: dt.date, found: dict[str, str]) -> str | None:
    if facts.health in (Health.DISABLED, Health.SERIOUS_ILLNESS):
        return f"儿童本人{Health(facts.health).label}"
    return None


def _difficulty_guardianship(facts: ChildFacts, age: int, on: dt.date, found: dict[str, str]) -> str | None:
    guardianship = [k for k in (ORPHAN, DE_FACTO_UNSUPPORTED, LIVING_ALONE) if k in found]
    if not guardianship and not facts.guardianship_concern:
        return None
    names = dict((c, n) for c, n, _ in NATIONAL_CATEGORIES)
    parts = [names[k] for k in guardianship]
    if facts.guardianship_concern:
        parts.append(str(GuardianshipConcern(facts.guardianship_concern).label))
    return "、".join(parts)


def _dropout(facts: ChildFacts, age: int, on: dt.date, found: dict[str, str]) -> str | None:
    if facts.schooling == Schooling.DROPPED_OUT and age in COMPULSORY_SCHOOL_AGES:
        return f"义务教育阶段（{age}周岁）辍学"
    return None


# In the order the reasons are listed; the guardianship sub-type comes after the categories it reads.
RULES: tuple[tuple[str, Rule], ...] = (
    (ORPHAN, _orphan),
    (DE_FACTO_UNSUPPORTED, _de_facto_unsupported),
    (LEFT_BEHIND, _left_behind),
    (LIVING_ALONE, _living_alone),
    (DIFFICULTY_POVERTY, _difficulty_poverty),
    (DIFFICULTY_DISABILITY, _difficulty_disability),
    (DIFFICULTY_GUARDIANSHIP, _difficulty_guardianship),
    (DROPOUT, _dropout),
)


def next_time_change(facts: ChildFacts, after: dt.date) -> dt.date | None:
    """The first day after ``after`` on which time alone may change the categories (birthdays, terms).

    The daily job does not need it; it lets callers (and tests) say when a child will change.
    """
    candidates: list[dt.date] = [add_years(facts.birth_date, n) for n in (6, 16, 18)]
    for p in (facts.father, facts.mother):
        if p and p.since:
            candidates.append(add_months(p.since, TERM_MONTHS))
        if p and p.police_report_date:
            candidates.append(add_months(p.police_report_date, TERM_MONTHS))
    later = [d for d in candidates if d > after]
    return min(later) if later else None


def describe(codes: Iterable[str]) -> list[str]:
    names = {c: n for c, n, _ in NATIONAL_CATEGORIES}
    return [names.get(c, c) for c in codes]
