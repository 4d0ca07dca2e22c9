"""Exporting the children list: the list's rows and nobody else's, numbers masked unless asked for by
someone allowed, no formulas, a register that imports back unchanged, the national form's layout,
and a log entry for every export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from shouhu.accounts.models import ApiToken, Grant, GrantReason
from shouhu.audit.models import AccessLog, Action
from shouhu.children import selectors
from shouhu.children.models import Child
from shouhu.exports import layouts
from shouhu.imports import services as imports
from shouhu.imports.columns import COLUMNS
from tests import factories as f

URL = "/exports/children/"
API = "/api/v1/exports/children/"
BIRTH = dt.date(2015, 3, 8)
FATHER_ID = "341623198501010017"
MOTHER_ID = "34162319870202002X"
CARER_ID = "341623195503030034"


def _valid(number: str) -> str:
    from shouhu.children import idnumber

    return idnumber.make(number[:17])


def full_child(name="王小花", village=f.VILLAGE_A, **extra) -> Child:
    """A child with every part of the register filled: ID numbers, phones, parents, carer."""
    extra.setdefault("id_number", f.id_number_for(BIRTH))
    for key, value in {
        "health": "disabled",
        "disability_type": "hearing",
        "disability_grade": 3,
        "illness": "哮喘",
        "household_registered": True,
        "boarding": True,
        "guardianship_quality": "carer_insufficient",
        "income_sources": ["wages", "farming"],
        "assistance": ["dibao", "medical"],
    }.items():
        extra.setdefault(key, value)
    return f.make_child(
        name=name,
        village=village,
        birth_date=BIRTH,
        address="王市镇前潘村东头12号",
        grade="三年级",
        living_arrangement="grandparents",
        parents={
            "father": {
                "name": "王大山",
                "phone": "13855556666",
                "id_number": _valid(FATHER_ID),
                "birth_date": dt.date(1985, 4, 2),
                **f.migrant(),
            },
            "mother": {
                "name": "李小梅",
                "phone": "13955557777",
                "id_number": _valid(MOTHER_ID),
                "birth_date": dt.date(1987, 9, 12),
                **f.migrant(),
                "work_place": "江苏省苏州市",
            },
        },
        carer={
            "name": "王奶奶",
            "relation": "grandparent",
            "phone": "13655558888",
            "id_number": _valid(CARER_ID),
            "address": "王市镇前潘村东头12号",
        },
        **extra,
    )


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_client_for(user) -> Client:
    _token, secret = ApiToken.objects.create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {secret}")


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # the byte-order mark Excel needs
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[tuple]:
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    return list(openpyxl.load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))


def by_header(rows: list[list[str]]) -> list[dict[str, str]]:
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


# --- the rows of the list -----------------------------------------------------------------------------


def test_the_export_holds_the_rows_the_list_shows_on_all_its_pages_with_the_same_filter(personas):
    for i in range(55):
        f.make_child(name="王" + "一二三四五六七八九十"[i % 10] + "花", village=f.VILLAGE_A, birth_date=BIRTH)
    f.make_child(name="王小草", village=f.VILLAGE_A, schooling="junior")
    f.make_child(name="高王花", village=f.VILLAGE_B)
    client = client_for(personas.supervisor)
    query = f"q=王&region={f.VILLAGE_A}&schooling=primary"

    listed, page = [], 1
    while True:
        response = client.get(f"/children/?{query}&page={page}")
        listed += [(c.name, c.birth_date.isoformat(), c.village_id) for c in response.context["page"]]
        if not response.context["page"].has_next():
            break
        page += 1
    exported = [
        (r["姓名 *"], r["出生日期 *"], r["村（社区）区划代码"])
        for r in by_header(csv_rows(client.get(f"{URL}?{query}&format=csv")))
    ]

    assert page == 2
    assert len(listed) == 55
    assert exported == listed


def test_a_director_never_gets_another_village_s_child(personas):
    client = client_for(personas.dir_a)

    for query in ("", f"region={f.VILLAGE_B}", "q=高小明", "q=gaoxiaoming", f"region={f.COUNTY}"):
        for fmt in ("csv", "xlsx"):
            response = client.get(f"{URL}?{query}&format={fmt}")
            rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
            names = {row[0] for row in rows[1:]}
            assert "高小明" not in names and "程建国" not in names, (query, fmt)
    assert {r[0] for r in csv_rows(client.get(URL))[1:]} == {"梦巧"}


def test_mentors_and_social_workers_may_not_export(personas):
    for user in (personas.mentor, personas.social_worker):
        assert client_for(user).get(URL).status_code == 403
        assert api_client_for(user).get(API).status_code == 403
    assert not AccessLog.objects.filter(action=Action.EXPORT).exists()


def test_the_list_page_offers_the_export_only_to_those_who_may_export(personas):
    offered = client_for(personas.dir_a).get("/children/?schooling=primary").content.decode()
    refused = client_for(personas.mentor).get("/children/").content.decode()

    assert reverse("exports:children") in offered
    assert 'name="schooling" value="primary"' in offered  # the list's filter goes along
    assert reverse("exports:children") not in refused


# --- numbers masked unless asked for by someone allowed ----------------------------------------------


def test_id_and_phone_numbers_are_masked_by_default(personas):
    child = full_child()

    (row,) = by_header(csv_rows(client_for(personas.county).get(f"{URL}?q=王小花")))

    assert row["公民身份证号码"] == child.id_number[:6] + "********" + child.id_number[-4:]
    assert row["父亲联系电话"] == "138****6666"
    assert row["母亲身份证号码"] == _valid(MOTHER_ID)[:6] + "********" + _valid(MOTHER_ID)[-4:]
    assert row["受委托照料人联系电话"] == "136****8888"
    assert row["父亲姓名"] == "王大山"


def test_whole_numbers_when_an_allowed_role_asks_for_them(personas):
    child = full_child()

    for fmt in ("csv", "xlsx"):
        response = client_for(personas.dir_a).get(f"{URL}?q=王小花&full_numbers=on&format={fmt}")
        rows = csv_rows(response) if fmt == "csv" else [list(r) for r in xlsx_rows(response)]
        (row,) = by_header(rows)
        assert row["公民身份证号码"] == child.id_number
        assert row["父亲联系电话"] == "13855556666"
        assert row["受委托照料人身份证号码"] == _valid(CARER_ID)


def test_a_child_reached_through_a_grant_keeps_masked_numbers_and_hidden_fields(personas):
    """Director B holds an assignment for child A: the list shows A, the export shows A's personal
    fields only — no ID number at all, masked phones even when whole numbers are asked for."""
    full = full_child(name="梦小巧")
    Grant.objects.create(
        user=personas.dir_b, child=full, reason=GrantReason.ASSIGNMENT, granted_by=personas.county
    )

    rows = by_header(csv_rows(client_for(personas.dir_b).get(f"{URL}?full_numbers=on")))

    granted = next(r for r in rows if r["姓名 *"] == "梦小巧")
    own = next(r for r in rows if r["姓名 *"] == "高小明")
    assert granted["公民身份证号码"] == "" and granted["健康状况"] == ""
    assert granted["父亲联系电话"] == "138****6666"
    assert own["户籍性质"] == "农村居民户口"  # the territory's own child: every tier


# --- formulas -----------------------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x","点击")', "+1+2", "-3+4", "@SUM(A1)", "\tTAB", "\rCR"]


@pytest.mark.parametrize("payload", FORMULAS)
def test_a_cell_that_would_start_a_formula_is_text_in_csv_and_excel(personas, payload):
    f.make_child(name="公式", address=payload)
    client = client_for(personas.county)

    (row,) = by_header(csv_rows(client.get(f"{URL}?q=公式")))
    assert row["现居住地址"] == "'" + payload

    response = client.get(f"{URL}?q=公式&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("现居住地址") + 1)
    assert cell.data_type == "s"  # text, not a formula
    assert cell.value.startswith("'")
    assert cell.value[1:].strip() == payload.strip()  # XML reads a carriage return back as a newline


# --- the register layout imports back unchanged -------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_exported_register_imports_back_with_every_row_unchanged(personas, fmt):
    full_child()
    full_child(
        name="王小草",
        gender="male",
        id_number=f.id_number_for(BIRTH, "male"),
        health="disabled",
        disability_type="physical",
        disability_grade=2,
        hukou_type="urban",
        schooling="kindergarten",
    )
    f.make_child(
        name="李孤儿",
        parents={"father": {"situation": "deceased"}, "mother": {"name": "张某", "situation": "imprisoned"}},
    )
    response = client_for(personas.dir_a).get(f"{URL}?format={fmt}&full_numbers=on")
    upload = SimpleUploadedFile(f"导出.{fmt}", b"".join(response.streaming_content))

    first = imports.import_register(actor=personas.dir_a, upload=upload)
    # Children without an ID number are matched by name, birth date and village, which a person
    # confirms; confirmed, they too are unchanged.
    upload.seek(0)
    confirmed = frozenset(row["row"] for row in first.confirm)
    result = imports.import_register(actor=personas.dir_a, upload=upload, confirmed=confirmed)

    assert first.problems == [] and first.unknown_columns == []
    assert dict(first.counts) == {"unchanged": 2, "confirm": 2}  # 梦巧 and 李孤儿 have no ID number
    assert result.problems == []
    assert dict(result.counts) == {"unchanged": 4}


def test_the_register_layout_has_the_import_template_s_headers_in_order(personas):
    rows = csv_rows(client_for(personas.dir_a).get(URL))

    assert rows[0] == [c.header + (" *" if c.required else "") for c in COLUMNS]


def test_every_column_of_the_import_template_is_exported(personas):
    """A column added to the template must be given a value here, or the round trip loses it."""
    full_child()

    (row,) = by_header(csv_rows(client_for(personas.dir_a).get(f"{URL}?q=王小花")))

    empty = [header for header, value in row.items() if value == ""]
    assert empty == []


# --- the national form --------------------------------------------------------------------------------


def national(client, query="") -> list[list]:
    response = client.get(f"{URL}?layout=national&format=xlsx&{query}")
    return [list(r) for r in xlsx_rows(response)]


def test_the_national_form_has_its_title_unit_and_two_header_rows(personas):
    rows = national(client_for(personas.supervisor))

    assert rows[0][0] == "农村留守儿童基本情况登记表"
    assert rows[1][0] == "填报单位：利辛县王市镇" and rows[1][4].startswith("填报日期：")
    groups, names = rows[2], rows[3]
    assert [g for g in groups if g] == [
        "儿童基本情况", "祖父", "祖母", "外祖父", "外祖母", "父亲", "母亲", "监护情况", "受委托照料人"
    ]  # fmt: skip
    father = groups.index("父亲")
    assert names[father : father + 5] == ["姓名", "出生日期", "当前务工地点", "联系电话", "公民身份证号码"]
    carer = groups.index("受委托照料人")
    assert names[carer : carer + 5] == ["姓名", "联系电话", "公民身份证号码", "与被监护人关系", "居住地址"]
    assert names[:6] == ["序号", "姓名", "性别", "民族", "出生日期", "公民身份证号码"]
    assert names[-3:] == ["监护类型", "家庭经济来源", "救助帮扶情况"]
    assert rows[-1][0] == "单位负责人：" and "填表人：王丽" in rows[-1]


def test_the_national_form_uses_the_form_s_option_texts(personas):
    full_child(
        health="healthy",
        disability_type="",
        disability_grade=None,
        illness="",
        boarding=False,
        guardianship_quality="carer_insufficient",
        income_sources=["wages", "farming"],
        assistance=["dibao", "tekun"],
    )
    f.make_child(name="李病", health="chronic_illness", illness="哮喘", boarding=True)
    f.make_child(name="张残", health="disabled", disability_type="physical", disability_grade=2)
    f.make_child(
        name="赵一方",
        parents={
            "father": f.migrant(),
            "mother": {"situation": "imprisoned", "situation_since": dt.date(2024, 1, 1)},
        },
    )
    f.make_child(name="钱孤", parents={"father": {"name": "钱某", "situation": "deceased"}})

    rows = national(client_for(personas.dir_a))
    names = rows[3]
    table = {row[1]: row for row in rows[4:] if row[1]}

    def cell(child: str, header: str, nth: int = 0):
        positions = [i for i, n in enumerate(names) if n == header]
        return table[child][positions[nth]]

    assert cell("王小花", "身体情况") == "健康" and cell("王小花", "是否学校寄宿") == "否"
    assert cell("李病", "身体情况") == "患病" and cell("李病", "患病类型") == "哮喘"
    assert cell("李病", "是否学校寄宿") == "是"
    assert cell("张残", "身体情况") == "残疾" and cell("张残", "残疾类别及等级") == "肢体残疾二级"
    assert cell("王小花", "就学情况") == "小学" and cell("王小花", "是否登记户口") == "是"
    assert cell("王小花", "父母双方同时外出") == "是"
    assert cell("赵一方", "父母双方同时外出") == "否"
    assert cell("赵一方", "父母一方外出、另一方无监护能力") == "是（父亲外出）"
    assert cell("王小花", "有无委托其他监护人") == "有" and cell("李病", "有无委托其他监护人") == "无"
    assert cell("王小花", "与被监护人关系") == "祖父母"
    assert cell("王小花", "监护类型") == "受委托监护人监护能力不足"
    assert cell("王小花", "家庭经济来源") == "打工收入、种养殖业"
    assert cell("王小花", "救助帮扶情况") == "享受低保、其他救助"
    assert cell("王小花", "户籍所在地") == "利辛县王市镇前潘村村民委员会"
    assert cell("钱孤", "姓名", 5) == "—"  # the father's name (after the child and four grandparents)
    assert cell("王小花", "当前务工地点", 1) == "江苏省苏州市"  # the mother's


def test_the_national_form_in_csv_carries_the_same_rows(personas):
    full_child()
    client = client_for(personas.dir_a)

    as_csv = csv_rows(client.get(f"{URL}?layout=national&format=csv"))
    as_xlsx = national(client)

    assert as_csv[2:4] == [[v or "" for v in row] for row in as_xlsx[2:4]]
    assert len(as_csv) == len(as_xlsx)


# --- the log ------------------------------------------------------------------------------------------


def test_every_export_is_logged_with_its_filter_and_row_count(personas):
    full_child()
    client_for(personas.supervisor).get(f"{URL}?region={f.VILLAGE_A}&schooling=primary&format=xlsx")
    client_for(personas.county).get(f"{URL}?layout=national&full_numbers=on")

    supervisor, county = AccessLog.objects.filter(action=Action.EXPORT).order_by("at")
    assert supervisor.username == "supervisor" and supervisor.channel == "web"
    assert "xlsx" in supervisor.query and "numbers masked" in supervisor.query
    assert "2 rows" in supervisor.query
    assert f"region={f.VILLAGE_A}" in supervisor.query and "schooling=primary" in supervisor.query
    assert "full ID and phone numbers" in county.query and "4 rows" in county.query
    assert "national" in county.query


def test_the_number_of_queries_does_not_grow_with_the_rows(personas, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(personas.county)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            csv_rows(client.get(f"{URL}?layout=national"))
        return len(queries)

    few = count()
    for i in range(12):
        full_child(name="王" + "一二三四五六七八九十甲乙"[i] + "花", id_number=None)
    assert count() == few


# --- the API ------------------------------------------------------------------------------------------


def test_the_api_exports_what_the_api_list_lists(personas):
    full_child()
    f.make_child(name="王小草", village=f.VILLAGE_B)
    client = api_client_for(personas.supervisor)

    listed = client.get("/api/v1/children/?search=王&page_size=100").json()["results"]
    rows = by_header(csv_rows(client.get(f"{API}?search=王&format=csv")))

    assert [r["姓名 *"] for r in rows] == [c["name"] for c in listed]
    assert AccessLog.objects.filter(action=Action.EXPORT, channel="api").count() == 1


def test_the_api_gives_excel_and_the_national_layout(personas):
    response = api_client_for(personas.dir_a).get(f"{API}?format=xlsx&layout=national")

    assert response["Content-Type"] == layouts_content_type()
    assert response["X-Export-Rows"] == "1"
    assert xlsx_rows(response)[0][0] == "农村留守儿童基本情况登记表"


def layouts_content_type() -> str:
    from shouhu.exports.services import CONTENT_TYPES

    return CONTENT_TYPES["xlsx"]


def test_the_api_says_which_parameter_is_wrong(personas):
    client = api_client_for(personas.dir_a)

    assert client.get(f"{API}?schooling=university").json().keys() == {"schooling"}
    assert client.get(f"{API}?format=pdf").json().keys() == {"format"}
    assert client.get(f"{API}?layout=other").status_code == 400


def test_masking_keeps_the_county_and_the_last_four():
    assert layouts.mask_id_number("341623201503080012") == "341623********0012"
    assert layouts.mask_phone("13812345678") == "138****5678"
    assert layouts.mask_phone("0558-8812345") == "055*****2345"
    assert "1234" not in layouts.mask_phone("1234")


def test_the_list_selector_is_the_one_the_export_reads(personas):
    """The export's rows come from ``children_list`` itself, so both change together."""
    from shouhu.exports import selectors as export_selectors

    filters = {"q": "", "region": f.TOWNSHIP, "category": "", "schooling": ""}
    expected = list(selectors.children_list(user=personas.supervisor, **filters).values_list("pk", flat=True))
    records = export_selectors.export_records(user=personas.supervisor, filters=filters)

    assert [r.child["id"] for r in records] == expected


def test_each_child_gets_its_own_parents_and_carer_even_among_namesakes(personas):
    """Parents and carers are read in the list's order beside the children: namesakes in one village
    (ordered by their key alone) must still get their own."""
    names = "甲乙丙丁戊己"
    for i, mark in enumerate(names):
        f.make_child(
            name="王花",
            id_number=f.id_number_for(BIRTH),
            birth_date=BIRTH,
            parents={"father": {"name": "王" + mark, **f.migrant()}} if i % 2 else None,
            carer={"name": "李" + mark, "relation": "grandparent"} if i % 3 else None,
        )
    stored = {
        c.id_number: (getattr(c.parents.filter(role="father").first(), "name", ""), getattr(c, "carer", None))
        for c in Child.objects.filter(name="王花").prefetch_related("parents").select_related("carer")
    }

    rows = by_header(csv_rows(client_for(personas.dir_a).get(f"{URL}?q=王花&full_numbers=on")))

    assert len(rows) == len(names)
    for row in rows:
        father, carer = stored[row["公民身份证号码"]]
        assert row["父亲姓名"] == father
        assert row["受委托照料人姓名"] == (carer.name if carer else "")


def test_the_workbook_is_well_formed_with_merged_groups_and_frozen_headers(personas):
    import zipfile
    from xml.etree import ElementTree

    full_child()
    response = client_for(personas.dir_a).get(f"{URL}?layout=national&format=xlsx")
    body = b"".join(response.streaming_content)

    with zipfile.ZipFile(io.BytesIO(body)) as package:
        for name in package.namelist():
            if name.endswith((".xml", ".rels")):
                ElementTree.fromstring(package.read(name))  # raises on malformed XML
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    merged = {str(r) for r in sheet.merged_cells.ranges}
    groups = [c.value for c in sheet[3]]
    father = groups.index("父亲") + 1
    letter = openpyxl.utils.get_column_letter
    assert f"{letter(father)}3:{letter(father + 4)}3" in merged
    assert "A1:" + letter(len(groups)) + "1" in merged  # the title across the form
    assert sheet.freeze_panes == "A5"  # title, unit, groups and fields stay in view
    assert sheet.cell(row=5, column=5).is_date  # 出生日期 is a date cell


def test_markup_and_control_characters_in_a_cell_do_not_break_the_workbook(personas):
    f.make_child(name="标记", address="前潘村<东头> & 3号\x0b")

    response = client_for(personas.county).get(f"{URL}?q=标记&format=xlsx")

    (row,) = by_header([list(r) for r in xlsx_rows(response)])
    assert row["现居住地址"] == "前潘村<东头> & 3号"
