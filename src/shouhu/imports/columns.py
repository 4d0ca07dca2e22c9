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
    kind: str = "text"  # text / date / id / phone / option / options (several) / yesno / place / who
    choices: type | None = None
    required: bool = False
    kept: bool = True  # False: a column of the form the registry has no field for (祖父姓名 …)


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
    Column("address", "现居住地址", ("现居住地", "家庭住址", "居住地址"), kind="place"),
    Column("household_registered", "是否登记户口", ("是否已登记户口", "已登记户口"), kind="yesno"),
    Column("hukou_type", "户籍性质", kind="option", choices=options.HukouType),
    Column("health", "健康状况", ("身体情况", "身体状况"), kind="option", choices=options.Health),
    Column("disability", "残疾类别及等级", ("残疾类别", "残疾类别和等级", "残疾情况")),
    Column("illness", "患病类型", ("疾病类型", "所患疾病")),
    Column("boarding", "是否学校寄宿", ("是否寄宿", "学校寄宿"), kind="yesno"),
    Column("schooling", "就学情况", ("学业", "就读情况"), kind="option", choices=options.Schooling),
    Column("grade", "年级", ("就读年级",)),
    Column(
        "living_arrangement",
        "实际监护",
        ("实际监护情况", "监护情况"),
        kind="option",
        choices=options.LivingArrangement,
    ),
    Column(
        "guardianship_quality",
        "监护类型",
        ("监护情况类型",),
        kind="option",
        choices=options.GuardianshipQuality,
    ),
    Column("income_sources", "家庭经济来源", ("经济来源",), kind="options", choices=options.IncomeSource),
    Column(
        "assistance",
        "救助帮扶情况",
        ("救助措施", "救助情况", "享受救助情况", "帮扶情况"),
        kind="options",
        choices=options.Assistance,
    ),
    *_person("father", "父亲"),
    Column("father.birth_date", "父亲出生日期", kind="date"),
    Column("father.situation", "父亲状况", ("父亲情况",), kind="option", choices=options.ParentSituation),
    Column("father.work_place", "父亲务工地点", ("父亲当前务工地点",)),
    *_person("mother", "母亲"),
    Column("mother.birth_date", "母亲出生日期", kind="date"),
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
# The national form's own columns: the place in one cell and the guardianship facts (父母双方同时外出 …),
# which the registry derives from the parents' situations and the carer. The reader recognises them;
# the register template and its export leave them out, since its own columns hold the same facts.
NATIONAL: list[Column] = [
    Column("place", "户籍所在地", ("户口所在地", "户籍地", "户籍所在地址"), kind="place"),
    Column("both_away", "父母双方同时外出", ("父母双方外出", "父母均外出"), kind="yesno"),
    Column(
        "one_away",
        "父母一方外出、另一方无监护能力",
        ("父母一方外出另一方无监护能力", "父母一方外出,另一方无监护能力"),
        kind="yesno",
    ),
    Column("incapable", "无监护能力", ("无监护能力方", "无监护能力的一方", "另一方"), kind="who"),
    Column(
        "has_carer",
        "有无委托其他监护人",
        ("有无委托照料人", "有无受委托照料人", "是否委托监护"),
        kind="yesno",
    ),
]
# The 2016 card's grandparents (姓名, 出生日期): the registry keeps no record of them (a grandparent who
# cares for the child is the 受委托照料人), so the columns are recognised, read as header and listed
# as not imported.
NOT_KEPT: list[Column] = [
    Column(f"{g}.{n}", f"{g}{label}", kept=False)
    for g in ("祖父", "祖母", "外祖父", "外祖母")
    for n, label in (("name", "姓名"), ("birth_date", "出生日期"))
]
READ: list[Column] = [*COLUMNS, *NATIONAL]  # every column whose value the import keeps
GROUPS = (
    "父亲",
    "母亲",
    "受委托照料人",
    "受委托监护人",
    "委托监护人",
    "委托照料人",
    "祖父",
    "祖母",
    "外祖父",
    "外祖母",
)

# Option texts that real sheets use besides the form's own, by the option list they belong to.
ALIASES: dict[type, dict[str, str]] = {
    options.Gender: {"男性": "male", "女性": "female"},
    options.HukouType: {"农村": "rural", "农业户口": "rural", "城镇": "urban", "非农业户口": "urban"},
    options.Health: {"患病": "chronic_illness", "一般": "weak", "较弱": "weak"},
    options.Schooling: {
        "学龄前": "not_in_kindergarten",
        "中专及以上": "vocational",
        "中专": "vocational",
        "职高": "vocational",
    },
    options.GuardianshipQuality: {
        "受委托照料人监护能力不足": "carer_insufficient",
        "受委托照料人照料能力不足": "carer_insufficient",
        "一般": "fair",
        "较好": "good",
    },
    options.IncomeSource: {
        "务工收入": "wages",
        "打工": "wages",
        "种养殖": "farming",
        "亲友接济": "relatives",
    },
    options.Assistance: {
        "享受低保": "dibao",
        "低保": "dibao",
        "最低生活保障": "dibao",
        "特困": "tekun",
        "特困供养": "tekun",
        "建档立卡": "registered_poor",
        "其他救助": "other",
    },
    options.LivingArrangement: {
        "父母": "parents",
        "父亲": "parents",
        "母亲": "parents",
        "祖父母": "grandparents",
        "外祖父母": "grandparents",
        "亲戚": "relatives",
        "亲戚朋友": "relatives",
        "独居": "alone",
        "独自居住": "alone",
        "无人照料": "no_carer",
    },
    options.ParentSituation: {"外出": "migrant", "务工": "migrant", "去世": "deceased", "已故": "deceased"},
    options.CarerRelation: {
        "祖父": "grandparent",
        "祖母": "grandparent",
        "外祖父": "maternal_grandparent",
        "外祖母": "maternal_grandparent",
        "爷爷": "grandparent",
        "奶奶": "grandparent",
        "祖孙": "grandparent",
        "外公": "maternal_grandparent",
        "外婆": "maternal_grandparent",
        "哥哥": "sibling",
        "姐姐": "sibling",
        "兄弟": "sibling",
        "姐妹": "sibling",
        "亲属": "relative",
        "亲戚": "relative",
        "叔叔": "relative",
        "伯父": "relative",
        "姑姑": "relative",
        "舅舅": "relative",
        "姨妈": "relative",
        "阿姨": "relative",
        "邻居": "friend",
        "朋友": "friend",
    },
}
YES = {"是", "有", "√", "✓", "Y", "YES", "1", "TRUE"}
NO = {"否", "无", "没有", "×", "N", "NO", "0", "FALSE"}
WHO = {"父亲": "father", "父": "father", "母亲": "mother", "母": "mother"}
MULTI_SPLIT = re.compile(r"[、,，;；/\\\s]+")
SIGNATURE_WORDS = (
    "单位负责人",
    "复核人",
    "审核人",
    "填表人",
    "填报人",
    "填报日期",
    "填报单位",
    "制表人",
    "备注",
    "注：",
    "说明",
)
BLANK = {"", "—", "——", "-", "－", "--", "/", "无", "不详"}
DASHES = {"—", "——", "-", "－", "--"}


def norm_header(text) -> str:
    text = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"[\s*:：()（）]", "", text)


def header_index() -> dict[str, Column]:
    index = {}
    for column in (*COLUMNS, *NATIONAL, *NOT_KEPT):
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


FORMULA_TEXT = re.compile(r"^\s*(=|@|[+\-]\s*[A-Za-z_][A-Za-z0-9_.]*\s*\()")


FORMULA_STARTS = frozenset("=+-@ \t\u3000")


def formula_text(value) -> bool:
    """A text cell that reads as a formula (``=HYPERLINK("x","张三")``, ``@SUM(…)``, ``+CMD(…)``):
    typed or saved as text with no stored result. Never evaluated; "+86 138…" and "-" are not."""
    if not isinstance(value, str) or not value or value[0] not in FORMULA_STARTS:
        return False  # most cells: one character looked at
    return bool(FORMULA_TEXT.match(value))


def parse_yesno(value) -> bool | None:
    text = clean_text(value).upper()
    if text in YES:
        return True
    if text in NO:
        return False
    if text in BLANK:
        return None
    raise CellError(_("“%s”应填“是”或“否”。") % text)


def parse_options(column: Column, value) -> list[str]:
    """A cell of several options (家庭经济来源, 救助帮扶情况): separated by 、，；/ or spaces; "无" alone
    is none. Every part must be an option: a part that is not is an error, never dropped."""
    text = clean_text(value)
    if text in BLANK:
        return []
    found: list[str] = []
    for part in MULTI_SPLIT.split(text):
        if not part or part in BLANK:
            continue
        code = parse_option(column, part)
        if code and code not in found:
            found.append(code)
    return found


def parse_who(value) -> str:
    text = clean_text(value)
    if text in BLANK:
        return ""
    if text in WHO:
        return WHO[text]
    raise CellError(_("“%s”应填“父亲”或“母亲”。") % text)


def parse_cell(column: Column, value):
    if formula_text(value):
        raise CellError(
            _("“%s”是公式，文件中没有它的结果：请填写内容本身（如姓名），不要填写公式。") % str(value)[:60]
        )
    if column.kind == "yesno":
        return parse_yesno(value)
    if column.kind == "options":
        return parse_options(column, value)
    if column.kind == "who":
        return parse_who(value)
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
