"""A county's first day: its national basic-situation register imports as it is filled — the place in
one cell, the left-behind and guardianship facts, both wordings of the options, the lines around the
table — its valid rows with the categories a person typing the same facts would get, and every
problem of every other row named by the sheet's own column and row."""

import datetime as dt

import pytest

from shouhu.children import services as registry
from shouhu.children.models import Child
from shouhu.imports import services
from tests import factories as f

from .national_form import national_sheet, upload

FLOWER = dt.date(2015, 3, 8)
RAIN = dt.date(2022, 5, 1)
JUN = dt.date(2013, 7, 9)


def flower(id_number):
    return {
        "序号": 1,
        "姓名": "王小花",
        "性别": "女",
        "民族": "汉族",
        "出生日期": FLOWER,
        "公民身份证号码": "'" + id_number,
        "是否登记户口": "是",
        "户籍所在地": "王市镇前潘村",
        "现居住地": "王市镇前潘村3组12号",
        "身体情况": "健康",
        "是否学校寄宿": "否",
        "就学情况": "小学",
        "祖父姓名": "王老汉",
        "祖父出生日期": dt.date(1955, 1, 2),
        "父亲姓名": "王大山",
        "父亲当前务工地点": "浙江省杭州市",
        "父亲联系电话": "13800001111",
        "母亲姓名": "李小梅",
        "母亲当前务工地点": "江苏省苏州市",
        "父母双方同时外出": "是",
        "父母一方外出、另一方无监护能力": "否",
        "有无委托其他监护人": "有",
        "委托监护人姓名": "王老汉",
        "委托监护人电话": "13900002222",
        "委托监护人与被监护人关系": "祖父",
        "委托监护人居住地址": "王市镇前潘村3组12号",
        "监护类型": "监护情况一般",
        "家庭经济来源": "打工收入、种养殖业",
        "救助帮扶情况": "享受低保",
    }


def rain(id_number):
    """The national system's wording: 学龄前, 一般或较弱, 最低生活保障; the place without 镇 and 村."""
    return {
        "序号": 2,
        "姓名": "程小雨",
        "性别": "女",
        "出生日期": RAIN,
        "公民身份证号码": id_number,
        "户籍所在地": "阚疃 程杨村委会",
        "身体情况": "一般或较弱",
        "就学情况": "学龄前",
        "父亲姓名": "程大军",
        "父亲当前务工地点": "广东省东莞市",
        "母亲姓名": "—",
        "父母双方同时外出": "是",
        "父母一方外出、另一方无监护能力": "否",
        "有无委托其他监护人": "无",
        "监护类型": "无人监护",
        "家庭经济来源": "务工收入",
        "救助帮扶情况": "最低生活保障、临时救助",
    }


def jun(id_number):
    """Both parents at home: not left-behind; a family on 特困 support (the 2016 wording)."""
    return {
        "序号": 3,
        "姓名": "高小军",
        "性别": "男",
        "出生日期": JUN,
        "公民身份证号码": id_number,
        "户籍所在地": "王市镇-高寨村",
        "身体情况": "残疾",
        "残疾类别及等级": "肢体残疾二级",
        "就学情况": "初中",
        "父亲姓名": "高山",
        "母亲姓名": "刘芳",
        "父母双方同时外出": "否",
        "父母一方外出、另一方无监护能力": "否",
        "有无委托其他监护人": "无",
        "监护类型": "监护情况较好",
        "救助帮扶情况": "特困供养",
    }


def broken_rows():
    bad_id = f.id_number_for(FLOWER)
    bad_id = bad_id[:-1] + ("0" if bad_id[-1] != "0" else "1")
    return [
        {  # four problems: a formula with no result, a wrong check character, a future date, no such village
            "序号": 4,
            "姓名": '=HYPERLINK("http://x","李四")',
            "性别": "女",
            "出生日期": dt.date(2027, 1, 1),
            "公民身份证号码": bad_id,
            "户籍所在地": "王市镇不存在村",
            "父母双方同时外出": "是",
            "父母一方外出、另一方无监护能力": "否",
        },
        {  # one parent away, the other "without capacity" with no reason the registry can hold;
            # 有无委托 无 with a carer named; an income source not on the form
            "序号": 5,
            "姓名": "赵小兰",
            "性别": "女",
            "出生日期": FLOWER,
            "公民身份证号码": f.id_number_for(FLOWER),
            "户籍所在地": "王市镇前潘村",
            "父亲姓名": "赵一",
            "父亲当前务工地点": "浙江省杭州市",
            "母亲姓名": "钱二",
            "父母双方同时外出": "否",
            "父母一方外出、另一方无监护能力": "是",
            "无监护能力": "母亲",
            "有无委托其他监护人": "无",
            "委托监护人姓名": "赵老太",
            "委托监护人与被监护人关系": "祖母",
            "家庭经济来源": "打工收入、彩票",
        },
    ]


def sheet_for(county_rows, **kw):
    return upload(national_sheet(county_rows, **kw))


def run(actor, file, **kw):
    file.seek(0)
    return services.import_register(actor=actor, upload=file, **kw)


def categories(child):
    return {c.category_id for c in child.categories.all()}


@pytest.mark.postgres
def test_the_national_form_imports_its_valid_rows_with_the_categories_typed_by_hand(personas):
    ids = [f.id_number_for(FLOWER), f.id_number_for(RAIN), f.id_number_for(JUN, "male")]
    sheet = sheet_for(
        [flower(ids[0]), rain(ids[1]), jun(ids[2]), *broken_rows()],
        formulas={(0, "委托监护人姓名"): ('=HYPERLINK("tel:1","王老汉")', "王老汉")},
    )
    check = run(personas.county, sheet)
    assert check.rows == 5  # the title, unit, two header rows and the signature line are no data
    assert check.counts["new"] == 3 and check.rejected == 2, check.problems
    assert set(check.unknown_columns) >= {"序号", "祖父姓名", "祖父出生日期"}

    by_row = {}
    for p in check.problems:
        by_row.setdefault(p.row, []).append((p.column, p.message))
    assert set(by_row) == {8, 9}  # data starts on row 5: rows 8 and 9 are the broken ones
    columns_8 = {c for c, _m in by_row[8]}
    assert {"姓名", "出生日期", "公民身份证号码", "户籍所在地"} <= columns_8, by_row[8]
    columns_9 = " ".join(c for c, _m in by_row[9])
    assert "无监护能力" in columns_9 and "母亲" in columns_9  # names the column to fill
    assert "有无委托其他监护人" in columns_9 and "委托监护人姓名" in columns_9
    assert "家庭经济来源" in columns_9
    for row in by_row.values():
        for column, _message in row:
            assert "." not in column and "__" not in column  # never an internal key

    before = Child.objects.count()
    all_or_nothing = run(personas.county, sheet, commit=True)
    assert not all_or_nothing.committed and Child.objects.count() == before

    done = run(personas.county, sheet, commit=True, valid_only=True)
    assert done.committed and Child.objects.count() == before + 3

    hua = Child.objects.get(name="王小花")
    assert hua.village_id == f.VILLAGE_A and hua.address == "王市镇前潘村3组12号"
    assert hua.living_arrangement == "grandparents" and hua.guardianship_quality == "fair"
    assert hua.income_sources == ["wages", "farming"] and hua.assistance == ["dibao"]
    father = hua.parents.get(role="father")
    assert father.situation == "migrant" and father.work_place == "浙江省杭州市"
    assert hua.carer.relation == "grandparent" and hua.carer.name == "王老汉"
    yu = Child.objects.get(name="程小雨")
    assert yu.village_id == f.VILLAGE_C and yu.schooling == "not_in_kindergarten" and yu.health == "weak"
    assert yu.living_arrangement == "no_carer" and yu.assistance == ["dibao", "temporary"]
    assert yu.parents.get(role="mother").name == ""  # "—": not given, never "deceased"
    assert yu.parents.get(role="mother").situation == "migrant"
    xiaojun = Child.objects.get(name="高小军")
    assert xiaojun.disability_type == "physical" and xiaojun.disability_grade == 2

    # The same facts typed into the form give the same categories.
    typed = {
        "王小花": dict(
            fields=dict(
                name="王小花甲",
                gender="female",
                birth_date=FLOWER,
                id_number=f.id_number_for(FLOWER),
                village_id=f.VILLAGE_A,
                schooling="primary",
                living_arrangement="grandparents",
                guardianship_quality="fair",
                income_sources=["wages", "farming"],
                assistance=["dibao"],
            ),
            parents={
                "father": {"name": "王大山", "situation": "migrant", "work_place": "浙江省杭州市"},
                "mother": {"name": "李小梅", "situation": "migrant", "work_place": "江苏省苏州市"},
            },
            carer={"name": "王老汉", "relation": "grandparent"},
        ),
        "程小雨": dict(
            fields=dict(
                name="程小雨甲",
                gender="female",
                birth_date=RAIN,
                id_number=f.id_number_for(RAIN),
                village_id=f.VILLAGE_C,
                schooling="not_in_kindergarten",
                health="weak",
                living_arrangement="no_carer",
                guardianship_quality="none",
                assistance=["dibao", "temporary"],
            ),
            parents={
                "father": {"name": "程大军", "situation": "migrant", "work_place": "广东省东莞市"},
                "mother": {"situation": "migrant"},
            },
        ),
        "高小军": dict(
            fields=dict(
                name="高小军甲",
                gender="male",
                birth_date=JUN,
                id_number=f.id_number_for(JUN, "male"),
                village_id=f.VILLAGE_B,
                schooling="junior",
                health="disabled",
                disability_type="physical",
                disability_grade=2,
                assistance=["tekun"],
            ),
            parents={"father": {"name": "高山"}, "mother": {"name": "刘芳"}},
        ),
    }
    for name, facts in typed.items():
        by_hand = registry.child_register(actor=personas.county, **facts)
        imported = Child.objects.get(name=name)
        assert categories(imported) == categories(by_hand), name
    assert "left_behind" in categories(hua) and "difficulty_poverty" in categories(hua)
    assert "left_behind" in categories(yu)
    assert "left_behind" not in categories(xiaojun)


@pytest.mark.postgres
def test_the_2016_and_the_national_wording_of_the_carer_both_read(personas):
    ids = f.id_number_for(FLOWER)
    row = flower(ids)
    row = {k.replace("委托监护人", "受委托照料人"): v for k, v in row.items()}
    row["监护类型"] = "受委托照料人监护能力不足"
    sheet = sheet_for([row], carer_group="受委托照料人")
    check = run(personas.county, sheet)
    assert check.ok, check.problems
    assert check.counts["new"] == 1


@pytest.mark.postgres
def test_a_formula_with_a_stored_result_reads_as_its_value_and_is_never_run(personas):
    row = flower(f.id_number_for(FLOWER))
    sheet = sheet_for([row], formulas={(0, "姓名"): ('=HYPERLINK("http://x","张三")', "张三")})
    done = run(personas.county, sheet, commit=True)
    assert done.committed, done.problems
    assert Child.objects.filter(name="张三").exists()


@pytest.mark.postgres
def test_sheet_facts_that_contradict_each_other_are_an_error_naming_both_columns(personas):
    row = jun(f.id_number_for(JUN, "male"))
    row["父母双方同时外出"] = "是"
    row["有无委托其他监护人"] = "有"  # and no carer named
    check = run(personas.county, sheet_for([row]))
    messages = {p.column: p.message for p in check.problems}
    assert "有无委托其他监护人、委托监护人姓名" in messages, messages
