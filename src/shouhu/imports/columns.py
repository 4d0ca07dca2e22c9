"""The columns an import reads: the project's template and the national registration form's layout.

Headers are matched after normalising (full-width to half-width, spaces, asterisks and brackets
removed), so "公民身份证号码", "身份证号码 *" and "身份证号" name the same column. A two-row header (a
group such as 父亲 or 受委托照料人 over 姓名, 联系电话 …, as counties flatten the 2016 card) is read as
group + name. Both 受委托照料人 (the national system's wording) and 受委托监护人 (the 2016 form's) are
accepted. Option cells take the option texts of the form (``children.options``) and a few aliases.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from shouhu.children import options


@dataclass(frozen=True)
class Column:
    key: str  # where the value goes: "name", "father.situation", "carer.phone", "township" …
    header: str  # the template's header
    aliases: tuple[str, ...] = ()
    kind: str = "text"  # text / date / id / phone / option
    choices: type | None = None
    required: bool = False


def _person(prefix: str, group: str, aliases: tuple[str, ...] = ()) -> list[Column]:
    groups = (group, *aliases)
    return [
        Column(f"{prefix}.name", f"{group}姓名", tuple(f"{g}姓名" for g in groups)),
        Column(
            f"{prefix}.phone",
            f"{group}联系电话",
            tuple(f"{g}{n}" for g in groups for n in ("联系电话", "电话")),
            kind="phone",
        ),
        Column(
            f"{prefix}.id_number",
            f"{group}身份证号码",
            tuple(f"{g}{n}" for g in groups for n in ("公民身份证号码", "身份证号码", "身份证号")),
            kind="id",
        ),
    ]


COLUMNS: list[Column] = [
    Column("name", "姓名", ("儿童姓名",), required=True),
    Column("gender", "性别", kind="option", choices=options.Gender, required=True),
    Column("ethnicity", "民族"),
    Column("birth_date", "出生日期", kind="date", required=True),
    Column("id_number", "公民身份证号码", ("身份证号码", "身份证号", "儿童身份证号码"), kind="id"),
    Column("township", "乡镇（街道）", ("乡镇", "乡镇街道", "所在乡镇", "所在乡镇（街道）")),
    Column("village", "村（社区）", ("村", "村社区", "村（居）", "所在村（社区）", "村（居）委会")),
    Column("village_code", "村（社区）区划代码", ("区划代码", "村（社区）代码", "统计用区划代码")),
    Column("address", "现居住地址", ("现居住地", "家庭住址", "居住地址")),
    Column("hukou_type", "户籍性质", kind="option", choices=options.HukouType),
    Column("health", "健康状况", ("身体情况",), kind="option", choices=options.Health),
    Column("schooling", "就学情况", ("学业", "就读情况"), kind="option", choices=options.Schooling),
    Column("grade", "年级", ("就读年级",)),
    Column(
        "living_arrangement",
        "实际监护",
        ("实际监护情况", "监护情况"),
        kind="option",
        choices=options.LivingArrangement,
    ),
    *_person("father", "父亲"),
    Column("father.situation", "父亲状况", ("父亲情况",), kind="option", choices=options.ParentSituation),
    Column("father.work_place", "父亲务工地点", ("父亲当前务工地点",)),
    *_person("mother", "母亲"),
    Column("mother.situation", "母亲状况", ("母亲情况",), kind="option", choices=options.ParentSituation),
    Column("mother.work_place", "母亲务工地点", ("母亲当前务工地点",)),
    *_person("carer", "受委托照料人", ("受委托监护人", "委托监护人", "委托照料人")),
    Column(
        "carer.relation",
        "受委托照料人与儿童关系",
        tuple(
            f"{g}{n}"
            for g in ("受委托照料人", "受委托监护人", "委托监护人", "委托照料人")
            for n in ("与儿童关系", "与被监护人关系", "关系")
        ),
        kind="option",
        choices=options.CarerRelation,
    ),
    Column(
        "carer.address",
        "受委托照料人居住地址",
        tuple(
            f"{g}{n}" for g in ("受委托照料人", "受委托监护人", "委托监护人") for n in ("居住地址", "住址")
        ),
    ),
]
GROUPS = ("父亲", "母亲", "受委托照料人", "受委托监护人", "委托监护人", "委托照料人")

# Option texts that real sheets use besides the form's own, by the option list they belong to.
ALIASES: dict[type, dict[str, str]] = {
    options.Schooling: {"学龄前": "not_in_kindergarten", "中专及以上": "vocational", "中专": "vocational"},
    options.LivingArrangement: {
        "父母": "parents",
        "父亲": "parents",
        "母亲": "parents",
        "祖父母": "grandparents",
        "外祖父母": "grandparents",
        "亲戚": "relatives",
        "独居": "alone",
    },
    options.ParentSituation: {"外出": "migrant", "务工": "migrant", "去世": "deceased", "已故": "deceased"},
    options.CarerRelation: {
        "祖父": "grandparent",
        "祖母": "grandparent",
        "外祖父": "maternal_grandparent",
        "外祖母": "maternal_grandparent",
        "亲属": "relative",
    },
}
BLANK = {"", "—", "——", "-", "－", "--", "/", "无", "不详"}
DASHES = {"—", "——", "-", "－", "--"}


def norm_header(text) -> str:
    text = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"[\s*:：()（）]", "", text)


def header_index() -> dict[str, Column]:
    index = {}
    for column in COLUMNS:
        for name in (column.header, *column.aliases):
            index[norm_header(name)] = column
    return index


def clean_text(value) -> str:
    """Full-width digits and spaces to half-width, stray spaces and leading apostrophes gone."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return text.lstrip("'‘’`").strip()


class CellError(ValueError):
    pass


EXCEL_EPOCH = dt.date(1899, 12, 30)
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def parse_date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 80000:  # an Excel serial date (1900-01-01 … 2118)
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        text = str(int(value))
    else:
        text = clean_text(value)
    if text in BLANK:
        return None
    if re.fullmatch(r"\d{4,5}", text):
        return EXCEL_EPOCH + dt.timedelta(days=int(text))
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError(_("“%s”不是日期（如 2015-03-08）。") % text)


@functools.cache
def _option_table(choices: type, language: str | None) -> tuple[dict[str, str], str]:
    """What may be written in an option cell (the Chinese label, the label in the reader's language,
    an alias, the code) and the list a message offers; built once per option list and language."""
    from django.utils import translation

    with translation.override("zh-hans"):
        with_zh = {str(label): code for code, label in choices.choices}
    table = {code: code for code, _label in choices.choices}
    table.update(ALIASES.get(choices, {}))
    table.update({str(label): code for code, label in choices.choices})
    table.update(with_zh)
    return table, "、".join(with_zh)


def parse_option(column: Column, value) -> str:
    text = clean_text(value)
    if text in BLANK:
        return ""
    from django.utils.translation import get_language

    table, allowed = _option_table(column.choices, get_language())
    if text in table:
        return table[text]
    raise CellError(_("“%(value)s”不在选项中（可填：%(allowed)s）。") % {"value": text, "allowed": allowed})


def parse_cell(column: Column, value):
    if column.kind == "date":
        return parse_date(value)
    if column.kind == "option":
        return parse_option(column, value)
    text = clean_text(value)
    if column.kind in ("id", "phone"):
        text = text.replace(" ", "").upper()
        if "*" in text:  # a list exported with masked numbers
            raise CellError(
                _("“%s”是部分隐去的号码，不能导入：请填写完整号码，或留空（不改动已登记的号码）。") % text
            )
    return "" if text in BLANK else text
