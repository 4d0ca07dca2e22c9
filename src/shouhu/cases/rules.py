"""Find and intervene: the risk rules, as fixed kinds of rule with parameters a county edits as data.

Sources: 国发〔2016〕13号 (find and intervene: report, respond, assess, intervene); Minor Protection Law
2020 Art. 21–23 (no child under 16 without a guardian; parents entrust a capable adult); Shaoxing's
standard (seed 003); the Bijie deaths of 2015 (DOMAIN.md), where signals that were each known — out of
school, parents unreachable, locked doors — were never combined.

Each rule is a plain function of ``Facts`` and its parameters; nothing is ever evaluated from text.
A firing returns the facts that fired it, shown with the alert. Choices:

* "Without a capable carer": no adult at home (alone, minor siblings only), no entrusted carer
  (recorded as such, or "with parents" while neither parent is at home), or an entrusted carer
  recorded as unable to care.
* "Leaving the child without effective guardianship": neither parent at home to guard — each parent
  is dead, missing, out of contact, deprived of liberty, seriously ill, severely disabled, stripped of
  guardianship, deported, or away at work — and at least one of them is in one of the first states.
* Out of school: the registry says dropped out or not in school, or the latest visit found the child not
  attending; only at compulsory-education ages (parameters ``min_age``/``max_age``).
* Parents out of contact "for a month": a parent recorded as out of contact since ``contact_days`` or
  more (from the police report if there is one, else from the date of last contact), or the latest
  visit found no contact with the migrant parents for over a month.
* Failed visits are a signal (Bijie: three locked-door visits in 17 days counted for nothing):
  ``failed_visits`` attempts within ``window_days`` (default two in 14 days), or one attempt when the
  home shows any other signal. Attempts on the same day count once (a household visit records one
  attempt per child).
* Combined signals: ``min_signals`` (default three) of the five field signals of a home — parents out
  of contact, repeated failed visits, a child out of school, an open mandatory report on a child, no
  adult at home — make an urgent alert.

Households (``children.households``): the rules whose cause is the home's (``scope=HOUSEHOLD``: no adult
at home, parents unable or unreachable, failed visits, combined signals) read every child of the
household together and fire once for it, listing the children; the school rule and reports on one
child stay the child's. Every no-adult rule holds from birth: only the school rules have a lower age.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.translation import gettext_lazy as _

from shouhu.children.classify import COMPULSORY_SCHOOL_AGES
from shouhu.children.options import (
    NO_ADULT,
    OUT_OF_SCHOOL,
    LivingArrangement,
    ParentSituation,
)

URGENT, HIGH, MEDIUM, LOW = "urgent", "high", "medium", "low"
CHILD, HOUSEHOLD = "child", "household"
SEVERITIES = [(URGENT, _("紧急")), (HIGH, _("高")), (MEDIUM, _("中")), (LOW, _("低"))]
SELF_CLOSING = {MEDIUM, LOW}  # urgent and high close only by a visit or a supervisor

# The defaults of the ages a county sets on the school and alone rules, which the home's signals read too.
SCHOOL_AGES = {"min_age": COMPULSORY_SCHOOL_AGES[0], "max_age": COMPULSORY_SCHOOL_AGES[-1]}
ALONE_MAX_AGE = 16  # Minor Protection Law 2020 Art. 21: no child under 16 without a guardian


@dataclass(frozen=True)
class ParentState:
    role: str
    situation: str
    since: dt.date | None = None
    severe_disability: bool = False


@dataclass(frozen=True)
class Facts:
    age: int
    living_arrangement: str
    has_carer: bool
    carer_capable: bool
    parents: tuple[ParentState, ...]
    schooling: str
    visit_in_school: str = ""  # the latest completed visit's finding: yes / no / unknown / ""
    visit_parent_contact: str = ""  # week / month / longer / none / ""
    failed_attempts: int = 0  # within the rule's window, filled by the caller per window
    failed_attempt_dates: tuple[dt.date, ...] = ()
    reported_harms: tuple[str, ...] = ()  # harm types of open reports linked to the child
    # The household's children, the child included, when the rules read a home together (``merged``).
    members: tuple[Facts, ...] = ()


@dataclass(frozen=True)
class Member:
    """One child of a household as the rules see it."""

    child_id: Any
    name: str
    facts: Facts


@dataclass(frozen=True)
class Param:
    name: str
    label: Any
    minimum: int
    maximum: int


@dataclass(frozen=True)
class Task:
    """A response the law or the standard asks for, as its own deadline on the escalation mechanism,
    done when the alert is marked with ``mark`` (police informed, notice sent, school notified …)."""

    mark: str
    label: Any
    hours: int


MARKS = ("police_informed", "notice_sent", "school_notified", "guardian_urged")


@dataclass(frozen=True)
class RuleKind:
    code: str
    name: Any
    reads: Any
    response: Any
    severity: str
    deadline_hours: int
    params: dict[str, int]
    bounds: tuple[Param, ...]
    notify: tuple[str, ...]
    opens_case: bool
    check: Callable[[Facts, dict[str, int], dt.date], dict[str, Any] | None] = field(repr=False)
    tasks: tuple[Task, ...] = ()
    scope: str = "child"  # CHILD or HOUSEHOLD
    reads_home: bool = False  # a household rule that reads the home as a whole (``merged``)


def _unable(p: ParentState) -> bool:
    return ParentSituation.unable_to_guard(p.situation, severely_disabled=p.severe_disability)


def _away(p: ParentState) -> bool:
    return ParentSituation.away(p.situation, severely_disabled=p.severe_disability)


def signal_ages(*, school: dict[str, int], alone: dict[str, int]) -> dict[str, int]:
    """The ages the home's signals read, from the county's school and alone rules' parameters."""
    return {
        "school_min_age": school.get("min_age", SCHOOL_AGES["min_age"]),
        "school_max_age": school.get("max_age", SCHOOL_AGES["max_age"]),
        "alone_max_age": alone.get("max_age", ALONE_MAX_AGE),
    }


def alone_under_age(f: Facts, params: dict[str, int], on: dt.date) -> dict[str, Any] | None:
    if f.age >= params["max_age"]:
        return None
    why = None
    if f.living_arrangement in NO_ADULT:
        why = {
            LivingArrangement.ALONE: "独自居住",
            LivingArrangement.MINOR_SIBLINGS: "仅与未成年兄弟姐妹共同生活",
        }[f.living_arrangement]
    elif f.has_carer and not f.carer_capable:
        why = "受委托照料人无照料能力"
    elif f.living_arrangement == LivingArrangement.NO_CARER or (
        f.living_arrangement == LivingArrangement.PARENTS and f.parents and all(_away(p) for p in f.parents)
    ):
        why = "父母均不在身边且无受委托照料人"
    return {"年龄": f.age, "情形": why} if why else None


def parents_unable(f: Facts, params: dict[str, int], on: dt.date) -> dict[str, Any] | None:
    if not f.parents or not all(_away(p) for p in f.parents) or not any(_unable(p) for p in f.parents):
        return None
    if len(f.parents) < 2 and not _unable(f.parents[0]):
        return None
    return {
        "父母状况": "；".join(
            f"{p.role}：{p.situation}" + (f"（自 {p.since}）" if p.since else "") for p in f.parents
        )
    }


def out_of_school(f: Facts, params: dict[str, int], on: dt.date) -> dict[str, Any] | None:
    if not (params["min_age"] <= f.age <= params["max_age"]):
        return None
    if f.schooling in OUT_OF_SCHOOL:
        return {"年龄": f.age, "就学情况": f.schooling, "来源": "登记信息"}
    if f.visit_in_school == "no":
        return {"年龄": f.age, "就学情况": "走访发现未上学", "来源": "走访"}
    return None


def lured_into_crime(f: Facts, params: dict[str, int], on: dt.date) -> dict[str, Any] | None:
    return {"报告": "被引诱参与违法犯罪或逃学"} if "lured" in f.reported_harms else None


def signals(f: Facts, params: dict[str, int], on: dt.date) -> dict[str, str]:
    """The field signals of a home (of one child when ``f.members`` is empty), each with what shows it:
    the one place that says what a signal is. ``params``: ``contact_days``, ``failed_visits``,
    ``window_days``, the county's school ages (``school_min_age``/``school_max_age``) and the age under
    which a child may not be left without an adult (``alone_max_age``, the alone rule's setting)."""
    members = f.members or (f,)
    found: dict[str, str] = {}
    cutoff = on - dt.timedelta(days=params["contact_days"])
    lost = [
        p
        for m in members
        for p in m.parents
        if p.situation == ParentSituation.OUT_OF_CONTACT and p.since and p.since <= cutoff
    ]
    if lost:
        found["父母失联"] = f"{lost[0].role}自 {lost[0].since} 起失联"
    elif any(m.visit_parent_contact == "longer" for m in members):
        found["父母失联"] = "走访发现与外出父母超过一个月未联系"
    recent = _recent_attempts(f, params["window_days"], on)
    if len(recent) >= params["failed_visits"]:
        found["走访未遇"] = f"{params['window_days']}天内{len(recent)}次"
    ages = {**signal_ages(school={}, alone={}), **params}
    school = {"min_age": ages["school_min_age"], "max_age": ages["school_max_age"]}
    for m in members:
        why = out_of_school(m, school, on)
        if why:
            found["未上学"] = f"{why['就学情况']}（{m.age}周岁）"
            break
    if any(m.reported_harms for m in members):
        found["强制报告"] = "有未办结的强制报告"
    for m in members:
        why = alone_under_age(m, {"max_age": ages["alone_max_age"]}, on)
        if why:
            found["无成年人照料"] = why["情形"]
            break
    return found


def _recent_attempts(f: Facts, window_days: int, on: dt.date) -> list[dt.date]:
    since = on - dt.timedelta(days=window_days)
    members = f.members or (f,)
    return sorted({d for m in members for d in m.failed_attempt_dates if since <= d <= on}, reverse=True)


def failed_visits(f: Facts, params: dict[str, int], on: dt.date) -> dict[str, Any] | None:
    recent = _recent_attempts(f, params["window_days"], on)
    if not recent:
        return None
    others = {k: v for k, v in signals(f, params, on).items() if k != "走访未遇"}
    if len(recent) < params["failed_visits"] and not others:
        return None
    return {
        "走访未遇次数": len(recent),
        "统计天数": params["window_days"],
        "最近未遇": str(recent[0]),
        **({"其他信号": "；".join(f"{k}：{v}" for k, v in others.items())} if others else {}),
    }


def combined_signals(f: Facts, params: dict[str, int], on: dt.date) -> dict[str, Any] | None:
    found = signals(f, params, on)
    if len(found) < params["min_signals"]:
        return None
    recent = _recent_attempts(f, params["window_days"], on)
    return {**found, "信号数": len(found), "走访未遇次数": len(recent), "统计天数": params["window_days"]}


def merged(members: list[Member]) -> Facts:
    """A home as one set of facts for the rules that read it whole: the eldest child's own facts,
    with every child's in ``members``."""
    eldest = max(members, key=lambda m: m.facts.age).facts
    return replace(eldest, members=tuple(m.facts for m in members))


def check_household(
    kind: RuleKind, members: list[Member], params: dict[str, int], on: dt.date
) -> tuple[dict[str, Any], list[Member]] | None:
    """A household rule for a home: fires once, with the children it covers listed first. A rule
    that reads the home whole covers every child; the others cover the children for whom it fires."""
    if kind.reads_home:
        fired = kind.check(merged(members), params, on)
        covered = list(members) if fired else []
    else:
        hits = [(m, kind.check(m.facts, params, on)) for m in members]
        hits = [(m, why) for m, why in hits if why]
        fired = {k: v for k, v in hits[0][1].items() if k != "年龄"} if hits else None
        covered = [m for m, _why in hits]
    if not fired:
        return None
    covered.sort(key=lambda m: -m.facts.age)
    listed = "、".join(f"{m.name}（{m.facts.age}周岁）" for m in covered)
    return {"儿童": listed, "儿童人数": len(covered), **fired}, covered


KINDS: dict[str, RuleKind] = {
    k.code: k
    for k in [
        RuleKind(
            "alone_under_16",
            _("16周岁以下儿童独居或无人照料"),
            _("年龄、实际监护、受委托照料人、父母状况"),
            _("24小时内入户走访；通知乡镇督导员；记录已向公安机关报告；向父母发出督促监护告知书"),
            URGENT,
            24,
            {"max_age": ALONE_MAX_AGE},
            (Param("max_age", _("年龄上限（周岁）"), 8, 18),),
            ("township_supervisor",),
            False,
            alone_under_age,
            (
                Task("police_informed", _("向公安机关报告16周岁以下儿童独居或无人照料"), 24),
                Task("notice_sent", _("向父母发出督促监护告知书"), 72),
            ),
            scope=HOUSEHOLD,
        ),
        RuleKind(
            "parents_unable",
            _("父母无法履行监护职责"),
            _("父母状况及开始日期"),
            _("开立个案；评估并申请相应救助帮扶和政策保障"),
            HIGH,
            72,
            {},
            (),
            ("township_supervisor",),
            True,
            parents_unable,
            scope=HOUSEHOLD,
        ),
        RuleKind(
            "out_of_school",
            _("义务教育阶段儿童失学辍学"),
            _("年龄、就学情况、最近走访"),
            _("通知学校和教育部门；期限内未返校上报县级；记录对监护人的督促（直至移送检察机关）"),
            MEDIUM,
            24 * 14,
            dict(SCHOOL_AGES),
            (Param("min_age", _("起始年龄"), 5, 8), Param("max_age", _("截止年龄"), 14, 17)),
            ("township_supervisor",),
            False,
            out_of_school,
            (
                Task("school_notified", _("通知学校和教育部门"), 48),
                Task("guardian_urged", _("书面督促监护人送子女返校"), 24 * 7),
            ),
        ),
        RuleKind(
            "lured_into_crime",
            _("被引诱参与违法犯罪或逃学"),
            _("强制报告"),
            _("开立个案，公安机关和学校为参与方"),
            HIGH,
            48,
            {},
            (),
            ("township_supervisor", "county_staff"),
            True,
            lured_into_crime,
            (Task("police_informed", _("向公安机关报告"), 24),),
        ),
        RuleKind(
            "failed_visits",
            _("入户走访多次未遇"),
            _("走访未遇记录、父母联系、就学情况、强制报告、实际监护"),
            _("乡镇督导员组织联合走访，联系父母和受委托照料人，核实儿童安全"),
            HIGH,
            48,
            {"failed_visits": 2, "window_days": 14, "contact_days": 30},
            (
                Param("failed_visits", _("走访未遇次数"), 1, 10),
                Param("window_days", _("统计未遇的天数"), 3, 90),
                Param("contact_days", _("父母失联天数"), 7, 180),
            ),
            ("township_supervisor",),
            False,
            failed_visits,
            scope=HOUSEHOLD,
            reads_home=True,
        ),
        RuleKind(
            "combined_signals",
            _("多重风险信号叠加"),
            _("父母联系、走访未遇记录、就学情况、强制报告、实际监护"),
            _("紧急：督导员24小时内组织联合走访，核实每名儿童安全；向公安机关报告"),
            URGENT,
            24,
            {"contact_days": 30, "failed_visits": 2, "window_days": 60, "min_signals": 3},
            (
                Param("contact_days", _("父母失联天数"), 7, 180),
                Param("failed_visits", _("走访未遇次数"), 1, 10),
                Param("window_days", _("统计未遇的天数"), 7, 180),
                Param("min_signals", _("叠加信号数"), 2, 5),
            ),
            ("township_supervisor",),
            False,
            combined_signals,
            (Task("police_informed", _("向公安机关报告多重风险信号叠加的家庭"), 24),),
            scope=HOUSEHOLD,
            reads_home=True,
        ),
    ]
}
