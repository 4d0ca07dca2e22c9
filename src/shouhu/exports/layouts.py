"""The layouts a list of children is exported in: the columns, their headers and how each cell is read.

Two layouts:

- ``register``: the project's import template (``imports.columns.COLUMNS``, same headers, same order,
  option texts the importer reads back), so that an exported sheet, edited or not, imports unchanged;
- ``national``: the national registration form 农村留守儿童基本情况登记表 (annex 1 of 民发〔2016〕42号)
  as counties flatten the card into a sheet: a title, 填报单位 and 填报日期, two header rows (the group —
  父亲, 母亲, 受委托照料人 … — over the field), the form's option texts (身体情况 健康/残疾/患病,
  是/否, 有/无), and the signatures at the foot. A county sends it up without retyping.

Each column names the tier of the field it shows (``children.tiers``): a cell whose field the user does
not see for that child is left empty. ID and phone numbers are masked unless the record carries
``full`` (see ``accounts.access.can_export_full_numbers``).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation

from shouhu.children import classify, options
from shouhu.imports.columns import COLUMNS as REGISTER_COLUMNS

REGISTER = "register"
NATIONAL = "national"
LAYOUTS = (REGISTER, NATIONAL)
NATIONAL_TITLE = "农村留守儿童基本情况登记表"
DASH = "—"  # the form's mark for a parent who has died


@dataclass
class Record:
    """One child as an export reads it: the child's values, the parents by role, the carer, what the
    reader sees of this child (``tiers.Visibility``) and whether whole numbers are shown."""

    child: dict[str, Any]
    parents: dict[str, dict[str, Any]]
    carer: dict[str, Any] | None
    seen: Any
    full: bool = False
    number: int = 0  # the row's number in the export, for 序号

    def person(self, who: str) -> dict[str, Any] | None:
        return self.carer if who == "carer" else self.parents.get(who)


@dataclass(frozen=True)
class Column:
    header: str
    part: str  # the part of the file in ``children.tiers`` (child / parent / carer)
    field: str  # the field whose tier decides whether the cell is shown
    value: Callable[[Record], Any]
    group: str = ""  # the national form's group over the header (父亲, 母亲 …)
    kind: str = "text"  # text / date / id / phone
    width: int = 12


@dataclass(frozen=True)
class Layout:
    key: str
    columns: list[Column]
    title: str = ""  # a title row and 填报单位/填报日期 above the header (the national form)
    grouped: bool = False  # a row of groups above the header
    footer: tuple[str, ...] = field(default_factory=tuple)
    # Which columns a reader's view of a child shows, worked out once per kind of view, not per row.
    shown: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def columns_shown(self, seen) -> list[tuple[Column, bool]]:
        if seen not in self.shown:
            self.shown[seen] = [(c, seen.sees(c.part, c.field)) for c in self.columns]
        return self.shown[seen]


# --- masking ----------------------------------------------------------------------------------------


def mask_id_number(value: str) -> str:
    """341623********1234: the area (which county) and the last four, as on receipts and notices."""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678: the operator's prefix and the last four; short numbers keep the last two."""
    if len(value) >= 11:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    if len(value) > 4:
        return "*" * (len(value) - 2) + value[-2:]
    return "*" * len(value)


# --- option texts, always as the forms word them (Chinese), whatever the reader's language -----------


class Labels:
    """Option codes to the forms' Chinese texts, computed once per export."""

    def __init__(self) -> None:
        with translation.override("zh-hans"):
            self.tables = {
                choices: {str(code): str(label) for code, label in choices.choices}
                for choices in (
                    options.Gender,
                    options.HukouType,
                    options.Schooling,
                    options.Health,
                    options.DisabilityType,
                    options.DisabilityGrade,
                    options.LivingArrangement,
                    options.GuardianshipQuality,
                    options.IncomeSource,
                    options.Assistance,
                    options.ParentSituation,
                    options.CarerRelation,
                )
            }

    def __call__(self, choices, code) -> str:
        if code in (None, ""):
            return ""
        return self.tables[choices].get(str(code), str(code))


@functools.cache
def _labels() -> Labels:
    return Labels()


def LABELS(choices, code) -> str:  # noqa: N802 - reads as the table it stands for
    return _labels()(choices, code)


def _child(name: str) -> Callable[[Record], Any]:
    return lambda r: r.child.get(name)


def _option(name: str, choices) -> Callable[[Record], Any]:
    return lambda r: LABELS(choices, r.child.get(name))


def _of(who: str, name: str, choices=None) -> Callable[[Record], Any]:
    def value(r: Record) -> Any:
        person = r.person(who)
        if not person:
            return None
        raw = person.get(name)
        return LABELS(choices, raw) if choices is not None else raw

    return value


def _township(r: Record) -> str:
    return r.child.get("village__parent__name") or ""


def _village(r: Record) -> str:
    return r.child.get("village__name") or ""


def _village_code(r: Record) -> str:
    return r.child.get("village_id") or ""


# --- the register layout: the import template, column for column ------------------------------------

_PART = {"father": "parent", "mother": "parent", "carer": "carer"}
_KIND = {"id_number": "id", "phone": "phone", "birth_date": "date"}
_CHILD_OPTIONS = {
    "gender": options.Gender,
    "hukou_type": options.HukouType,
    "health": options.Health,
    "schooling": options.Schooling,
    "living_arrangement": options.LivingArrangement,
}
_PERSON_OPTIONS = {"situation": options.ParentSituation, "relation": options.CarerRelation}
_PLACES = {"township": _township, "village": _village, "village_code": _village_code}


def _register_facts() -> dict[str, Callable[[Record], Any]]:
    """The child's cells written as the import reads them back: yes/no, several options joined by 、,
    the disability as 类别 + 等级 (one cell on the form)."""
    return {
        "household_registered": lambda r: _yes_no(r.child.get("household_registered")),
        "boarding": lambda r: _yes_no(r.child.get("boarding")),
        "disability": _disability,
        "guardianship_quality": _option("guardianship_quality", options.GuardianshipQuality),
        "income_sources": _many("income_sources", options.IncomeSource),
        "assistance": _many("assistance", options.Assistance),
    }


def _register_column(key: str, header: str) -> Column:
    """The column of the import template named ``key`` (``name``, ``father.phone`` …)."""
    if "." in key:
        who, name = key.split(".", 1)
        if who not in _PART:  # a part of the file this export does not read yet: an empty column
            return Column(header, "child", key, _blank)
        part = _PART[who]
        return Column(
            header,
            part,
            name,
            _of(who, name, _PERSON_OPTIONS.get(name)),
            kind=_KIND.get(name, "text"),
            width=20 if name == "id_number" else 12,
        )
    if key in _PLACES:
        return Column(header, "child", "village", _PLACES[key], width=14)
    facts = _register_facts()
    if key in facts:
        getter = facts[key]
    else:
        getter = _option(key, _CHILD_OPTIONS[key]) if key in _CHILD_OPTIONS else _child(key)
    return Column(
        header, "child", key, getter, kind=_KIND.get(key, "text"), width=20 if key == "id_number" else 12
    )


def register_layout() -> Layout:
    """The template's columns, headers as the downloadable template writes them (required ones with *)."""
    columns = [_register_column(c.key, c.header + (" *" if c.required else "")) for c in REGISTER_COLUMNS]
    return Layout(REGISTER, columns)


# --- the national form ------------------------------------------------------------------------------


def _yes_no(value) -> str:
    return "是" if value else "否"


def _health(r: Record) -> str:
    """身体情况 on the 2016 card has three boxes: 健康, 残疾, 患病."""
    health = r.child.get("health") or ""
    if health in ("", options.Health.HEALTHY, options.Health.WEAK):
        return "健康"
    if health == options.Health.DISABLED:
        return "残疾"
    return "患病"


def _disability(r: Record) -> str:
    kind = LABELS(options.DisabilityType, r.child.get("disability_type"))
    grade = LABELS(options.DisabilityGrade, r.child.get("disability_grade"))
    return f"{kind}{grade}"


def _illness(r: Record) -> str:
    health = r.child.get("health")
    if health not in (options.Health.SERIOUS_ILLNESS, options.Health.CHRONIC_ILLNESS, options.Health.OTHER):
        return r.child.get("illness") or ""
    return r.child.get("illness") or LABELS(options.Health, health)


def _household_place(r: Record) -> str:
    parts = (r.child.get("village__parent__parent__name"), _township(r), _village(r))
    if not parts[-1]:
        return r.child.get("found_region__name") or ""
    return "".join(p for p in parts if p)


def _parent_cell(role: str, name: str, kind: str = "text") -> Callable[[Record], Any]:
    """A parent's cell: "—" across the block for a parent who has died, as the form asks."""

    def value(r: Record) -> Any:
        person = r.parents.get(role)
        if not person:
            return None
        if person.get("situation") == options.ParentSituation.DECEASED:
            return DASH
        return person.get(name)

    return value


def _facts(person: dict | None) -> classify.ParentFacts:
    if not person:
        return classify.ParentFacts()
    return classify.ParentFacts(
        situation=person.get("situation") or options.ParentSituation.UNKNOWN,
        disability_type=person.get("disability_type") or "",
        disability_grade=person.get("disability_grade"),
    )


def _both_away(r: Record) -> str:
    return _yes_no(
        all(
            _facts(r.parents.get(role)).situation == options.ParentSituation.MIGRANT
            for role in ("father", "mother")
        )
    )


def _one_away(r: Record) -> str:
    """父母一方外出、另一方无监护能力 — which one went — by the left-behind definition's own test
    (``classify.without_capacity``)."""
    today = dt.date.today()
    father, mother = _facts(r.parents.get("father")), _facts(r.parents.get("mother"))
    migrant = options.ParentSituation.MIGRANT
    if (
        father.situation == migrant
        and mother.situation != migrant
        and classify.without_capacity(mother, today)
    ):
        return "是（父亲外出）"
    if (
        mother.situation == migrant
        and father.situation != migrant
        and classify.without_capacity(father, today)
    ):
        return "是（母亲外出）"
    return "否"


def _entrusted(r: Record) -> str:
    return "有" if r.carer else "无"


def _many(name: str, choices) -> Callable[[Record], str]:
    return lambda r: "、".join(LABELS(choices, code) for code in (r.child.get(name) or []))


# 救助帮扶情况 as the 2016 card words its boxes; other measures fall under 其他救助.
FORM_ASSISTANCE = {
    options.Assistance.DIBAO: "享受低保",
    options.Assistance.TEMPORARY: "临时救助",
    options.Assistance.MEDICAL: "医疗救助",
    options.Assistance.HOUSING: "住房救助",
}
FORM_ASSISTANCE_OTHER = "其他救助"


def _assistance(r: Record) -> str:
    texts: list[str] = []
    for code in r.child.get("assistance") or []:
        text = FORM_ASSISTANCE.get(code, FORM_ASSISTANCE_OTHER)
        if text not in texts:
            texts.append(text)
    texts.sort(key=lambda t: [*FORM_ASSISTANCE.values(), FORM_ASSISTANCE_OTHER].index(t))
    return "、".join(texts)


def _blank(_r: Record) -> None:
    return None


CHILD_GROUP = "儿童基本情况"
GUARDIANSHIP_GROUP = "监护情况"
CARER_GROUP = "受委托照料人"
GRANDPARENTS = ("祖父", "祖母", "外祖父", "外祖母")


def national_layout() -> Layout:
    g = CHILD_GROUP
    columns = [
        Column("序号", "child", "id", lambda r: r.number, group=g, width=6),
        Column("姓名", "child", "name", _child("name"), group=g),
        Column("性别", "child", "gender", _option("gender", options.Gender), group=g, width=6),
        Column("民族", "child", "ethnicity", _child("ethnicity"), group=g, width=8),
        Column("出生日期", "child", "birth_date", _child("birth_date"), group=g, kind="date"),
        Column("公民身份证号码", "child", "id_number", _child("id_number"), group=g, kind="id", width=20),
        Column(
            "是否登记户口",
            "child",
            "household_registered",
            lambda r: _yes_no(r.child.get("household_registered")),
            group=g,
            width=8,
        ),
        Column("户籍所在地", "child", "village", _household_place, group=g, width=24),
        Column("现居住地", "child", "address", _child("address"), group=g, width=24),
        Column("身体情况", "child", "health", _health, group=g, width=8),
        Column("残疾类别及等级", "child", "disability_type", _disability, group=g),
        Column("患病类型", "child", "illness", _illness, group=g),
        Column(
            "是否学校寄宿", "child", "boarding", lambda r: _yes_no(r.child.get("boarding")), group=g, width=8
        ),
        Column("就学情况", "child", "schooling", _option("schooling", options.Schooling), group=g, width=8),
    ]
    for who in GRANDPARENTS:  # the card asks for them; the registry holds the carer, not each grandparent
        columns += [
            Column("姓名", "parent", "name", _blank, group=who),
            Column("出生日期", "parent", "birth_date", _blank, group=who, kind="date"),
        ]
    for role, who in (("father", "父亲"), ("mother", "母亲")):
        columns += [
            Column("姓名", "parent", "name", _parent_cell(role, "name"), group=who),
            Column(
                "出生日期", "parent", "birth_date", _parent_cell(role, "birth_date"), group=who, kind="date"
            ),
            Column(
                "当前务工地点", "parent", "work_place", _parent_cell(role, "work_place"), group=who, width=16
            ),
            Column(
                "联系电话", "parent", "phone", _parent_cell(role, "phone"), group=who, kind="phone", width=14
            ),
            Column(
                "公民身份证号码",
                "parent",
                "id_number",
                _parent_cell(role, "id_number"),
                group=who,
                kind="id",
                width=20,
            ),
        ]
    columns += [
        Column("父母双方同时外出", "child", "guardianship_quality", _both_away, group=GUARDIANSHIP_GROUP),
        Column(
            "父母一方外出、另一方无监护能力",
            "child",
            "guardianship_quality",
            _one_away,
            group=GUARDIANSHIP_GROUP,
            width=16,
        ),
        Column("有无委托其他监护人", "child", "carer", _entrusted, group=GUARDIANSHIP_GROUP),
        Column("姓名", "carer", "name", _of("carer", "name"), group=CARER_GROUP),
        Column(
            "联系电话", "carer", "phone", _of("carer", "phone"), group=CARER_GROUP, kind="phone", width=14
        ),
        Column(
            "公民身份证号码",
            "carer",
            "id_number",
            _of("carer", "id_number"),
            group=CARER_GROUP,
            kind="id",
            width=20,
        ),
        Column(
            "与被监护人关系",
            "carer",
            "relation",
            _of("carer", "relation", options.CarerRelation),
            group=CARER_GROUP,
        ),
        Column("居住地址", "carer", "address", _of("carer", "address"), group=CARER_GROUP, width=24),
        Column(
            "监护类型",
            "child",
            "guardianship_quality",
            _option("guardianship_quality", options.GuardianshipQuality),
            width=16,
        ),
        Column(
            "家庭经济来源", "child", "income_sources", _many("income_sources", options.IncomeSource), width=16
        ),
        Column("救助帮扶情况", "child", "assistance", _assistance, width=16),
    ]
    return Layout(
        NATIONAL,
        columns,
        title=NATIONAL_TITLE,
        grouped=True,
        footer=("单位负责人：", "复核人：", "填表人："),
    )


def layout(key: str) -> Layout:
    return national_layout() if key == NATIONAL else register_layout()


def cells(layout: Layout, record: Record) -> list[Any]:
    """The row of ``record``: empty where the reader does not see the field, numbers masked unless whole
    numbers were asked for and may be shown."""
    out: list[Any] = []
    for column, shown in layout.columns_shown(record.seen):
        if not shown:
            out.append(None)
            continue
        value = column.value(record)
        if value in (None, ""):
            out.append(None)
            continue
        if column.kind == "id" and value != DASH and not record.full:
            value = mask_id_number(str(value))
        elif column.kind == "phone" and value != DASH and not record.full:
            value = mask_phone(str(value))
        out.append(value)
    return out
