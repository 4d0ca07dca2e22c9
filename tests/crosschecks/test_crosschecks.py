"""Cross-checks of the registry against a school's enrolment list and a 低保 list."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone

from shouhu.accounts.models import Organisation, OrganisationKind
from shouhu.children.models import Child
from shouhu.crosschecks import services
from shouhu.crosschecks.lists import norm_grade
from shouhu.crosschecks.models import CrossCheck, Difference, DifferenceKind
from shouhu.escalation.models import Status, Tier, WorkItem
from tests import factories as f

SCHOOL_HEADER = ["学校", "姓名", "身份证号", "性别", "出生日期", "年级", "班级", "留守类型"]
DIBAO_HEADER = ["乡镇", "村", "户主姓名", "成员姓名", "身份证号", "与户主关系", "保障类别"]


def born(years: int, month: int = 3) -> dt.date:
    today = timezone.localdate()
    return dt.date(today.year - years, month, 8)


def full_width(text: str) -> str:
    return text.translate({ord("0") + i: 0xFF10 + i for i in range(10)})


@pytest.fixture
def school(db):
    return Organisation.objects.create(
        kind=OrganisationKind.SCHOOL, name="王市镇中心小学", region_id=f.TOWNSHIP
    )


@pytest.fixture
def pupils(personas, school):
    """Child A (left-behind, on the list), 李小红 (on the list as 双亲留守, not left-behind), 张小军
    (fifth grade, missing from the list), a third-grader (grade not on the list) and a drop-out."""
    a = personas.child_a
    Child.objects.filter(pk=a.pk).update(school=school, grade="五年级")
    a.refresh_from_db()
    xiaohong = f.make_child(
        name="李小红",
        village=f.VILLAGE_B,
        school=school,
        grade="五年级",
        birth_date=born(11),
        id_number=f.id_number_for(born(11)),
    )
    xiaojun = f.make_child(
        name="张小军",
        village=f.VILLAGE_A,
        school=school,
        grade="5年级",
        gender="male",
        birth_date=born(11, 5),
        id_number=f.id_number_for(born(11, 5), "male"),
    )
    third = f.make_child(name="周三", village=f.VILLAGE_A, school=school, grade="三年级", birth_date=born(9))
    gone = f.make_child(
        name="吴辍",
        village=f.VILLAGE_A,
        school=school,
        grade="五年级",
        birth_date=born(11, 7),
        schooling="dropped_out",
    )
    return {"a": a, "xiaohong": xiaohong, "xiaojun": xiaojun, "third": third, "gone": gone}


def school_rows(pupils) -> list[list]:
    a, hong = pupils["a"], pupils["xiaohong"]
    newcomer = f.id_number_for(born(11, 9), "male")
    return [
        SCHOOL_HEADER,
        ["王市镇中心小学", a.name, "", "女", a.birth_date.isoformat(), "五年级", "2班", "双亲留守"],
        ["王市镇中心小学", hong.name, "'" + full_width(hong.id_number), "女", "", "5年级", "1班", "双亲留守"],
        ["王市镇中心小学", "王新生", newcomer, "男", "", "五年级", "1班", "非留守"],
    ]


def csv_upload(rows: list[list], name: str = "list.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    text = "\r\n".join(",".join(str(v) for v in row) for row in rows) + "\r\n"
    return SimpleUploadedFile(name, text.encode(encoding))


def xlsx_upload(rows: list[list], name: str = "list.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def run_school(actor, school, upload, commit=True):
    return services.crosscheck_run(actor=actor, upload=upload, kind="school", school=school, commit=commit)


def nothing_stored() -> bool:
    return not CrossCheck.objects.exists() and not Difference.objects.exists()


# --- each kind of difference -----------------------------------------------------------------------


def test_a_school_list_finds_each_kind_of_difference_exactly(personas, school, pupils):
    outcome = run_school(personas.supervisor, school, csv_upload(school_rows(pupils)))

    assert outcome.ok, outcome.problems
    found = {
        (d.kind, d.child.name if d.child else d.name) for d in Difference.objects.select_related("child")
    }
    assert found == {
        (DifferenceKind.DROPOUT, "张小军"),
        (DifferenceKind.CATEGORY, "李小红"),
        (DifferenceKind.UNREGISTERED, "王新生"),
    }
    assert outcome.run.grades == ["五年级"]
    assert (outcome.run.rows, outcome.run.matched) == (3, 2)


def test_a_child_on_the_list_as_not_left_behind_but_registered_so_is_a_category_to_check(
    personas, school, pupils
):
    rows = school_rows(pupils)
    rows[1][7] = "非留守"  # child A is left-behind in the registry

    run_school(personas.supervisor, school, csv_upload(rows))

    assert Difference.objects.filter(kind=DifferenceKind.CATEGORY, child=pupils["a"]).exists()


def test_a_dibao_list_finds_children_not_held_in_difficulty_and_children_not_registered(personas, pupils):
    jun = pupils["xiaojun"]
    sister = f.id_number_for(born(6), "female")
    adult = f.id_number_for(dt.date(1985, 1, 1), "male")
    rows = [
        DIBAO_HEADER,
        ["王市镇", "前潘村", "张大山", "张大山", adult, "户主", "低保"],
        ["王市镇", "前潘村村委会", "张大山", "张小军", jun.id_number, "子", "低保"],
        ["王市", "前潘", "张大山", "张小妹", sister, "女", "特困"],
    ]

    outcome = services.crosscheck_run(
        actor=personas.supervisor, upload=csv_upload(rows), kind="dibao", commit=True
    )

    assert outcome.ok, outcome.problems
    assert outcome.compared == 2  # the adult is not compared
    difficulty = Difference.objects.get(kind=DifferenceKind.DIFFICULTY)
    assert difficulty.child == jun
    missing = Difference.objects.get(kind=DifferenceKind.UNREGISTERED)
    assert (missing.name, missing.region_code, missing.id_number) == ("张小妹", f.VILLAGE_A, sister)
    assert Difference.objects.count() == 2
    assert not Difference.objects.filter(name="张大山").exists()


def test_a_dibao_child_already_held_in_difficulty_is_no_difference(personas, pupils):
    jun = pupils["xiaojun"]
    from shouhu.children import services as registry

    registry.child_update(actor=personas.county, child=jun, fields={"assistance": ["dibao"]})
    rows = [DIBAO_HEADER, ["王市镇", "前潘村", "张大山", "张小军", jun.id_number, "子", "低保"]]

    services.crosscheck_run(actor=personas.supervisor, upload=csv_upload(rows), kind="dibao", commit=True)

    assert not Difference.objects.exists()


def test_a_dibao_village_is_matched_with_its_township(personas):
    rows = [DIBAO_HEADER, ["阚疃镇", "前潘村", "某户", "某童", f.id_number_for(born(8)), "子", "低保"]]

    outcome = services.crosscheck_run(
        actor=personas.county, upload=csv_upload(rows), kind="dibao", commit=True
    )

    assert [(p.row, p.column) for p in outcome.problems] == [(2, "村")]
    assert nothing_stored()


# --- the same file in every encoding and format ------------------------------------------------------


@pytest.mark.parametrize("form", ["utf-8", "utf-8-sig", "gbk", "xlsx"])
def test_gbk_utf8_and_xlsx_read_the_same(personas, school, pupils, form):
    rows = school_rows(pupils)
    upload = xlsx_upload(rows) if form == "xlsx" else csv_upload(rows, encoding=form)

    outcome = run_school(personas.supervisor, school, upload, commit=False)

    assert outcome.ok, outcome.problems
    assert dict(outcome.counts) == {"dropout": 1, "category": 1, "unregistered": 1}
    assert (outcome.rows, outcome.matched, outcome.grades) == (3, 2, ["五年级"])


def test_grades_are_read_in_any_spelling():
    assert {norm_grade(g) for g in ("五年级", "5年级", "５年级", "5")} == {"五年级"}
    assert norm_grade("初二") == "八年级"


# --- bad files ---------------------------------------------------------------------------------------


def problems_of(outcome) -> list[tuple[int, str]]:
    return [(p.row, p.column) for p in outcome.problems]


def test_a_file_that_is_not_a_spreadsheet_is_refused(personas, school, pupils):
    outcome = run_school(personas.supervisor, school, SimpleUploadedFile("list.pdf", b"%PDF-1.4"))

    assert problems_of(outcome) == [(0, "")]
    assert ".xlsx" in outcome.problems[0].message
    assert nothing_stored()


def test_a_disguised_file_is_refused(personas, school, pupils):
    outcome = run_school(personas.supervisor, school, SimpleUploadedFile("list.xlsx", b"not a zip"))

    assert problems_of(outcome) == [(0, "")]
    assert nothing_stored()


def test_a_missing_header_is_named_with_its_row(personas, school, pupils):
    rows = [["王市镇中心小学 2026 年秋季在校生名单"]] + [r[:5] + r[6:] for r in school_rows(pupils)]

    outcome = run_school(personas.supervisor, school, csv_upload(rows))

    assert problems_of(outcome) == [(2, "")]
    assert "年级" in outcome.problems[0].message
    assert nothing_stored()


def test_a_list_without_a_header_is_refused(personas, school, pupils):
    outcome = run_school(personas.supervisor, school, csv_upload([["a", "b"], ["c", "d"]]))

    assert "表头" in outcome.problems[0].message
    assert nothing_stored()


def test_formulas_and_bad_cells_are_named_by_row_and_column(personas, school, pupils):
    rows = school_rows(pupils)
    rows[1][4] = "=DATE(2015,3,8)"
    right = pupils["xiaohong"].id_number[-1]
    rows[2][2] = rows[2][2][:-1] + ("1" if right == "0" else "0")  # a wrong check character
    rows[3][7] = "留守"

    outcome = run_school(personas.supervisor, school, xlsx_upload(rows))

    assert problems_of(outcome) == [(2, "出生日期"), (3, "身份证号"), (4, "留守类型")]
    assert "公式" in outcome.problems[0].message
    assert nothing_stored()


def test_a_csv_mixing_gbk_and_utf8_is_refused_at_the_lines_that_differ(personas, school, pupils):
    rows = school_rows(pupils)
    head = "\r\n".join(",".join(r) for r in rows[:3]) + "\r\n"
    tail = ",".join(rows[3]) + "\r\n"
    upload = SimpleUploadedFile("mixed.csv", head.encode("utf-8") + tail.encode("gbk"))

    outcome = run_school(personas.supervisor, school, upload)

    assert problems_of(outcome) == [(4, "")]
    assert "GBK" in outcome.problems[0].message
    assert nothing_stored()


def test_a_refused_check_leaves_no_work_item(personas, school, pupils):
    before = WorkItem.objects.count()
    rows = school_rows(pupils)
    rows[3][5] = ""  # 年级 is required

    outcome = run_school(personas.supervisor, school, csv_upload(rows))

    assert problems_of(outcome) == [(4, "年级")]
    assert WorkItem.objects.count() == before


# --- runs, duplicates, work items ---------------------------------------------------------------------


def test_the_dry_run_stores_nothing(personas, school, pupils):
    before = WorkItem.objects.count()

    outcome = run_school(personas.supervisor, school, csv_upload(school_rows(pupils)), commit=False)

    assert sum(outcome.counts.values()) == 3 and outcome.new == 3
    assert nothing_stored() and WorkItem.objects.count() == before


def test_the_same_list_uploaded_again_makes_no_duplicate(personas, school, pupils):
    rows = school_rows(pupils)
    run_school(personas.supervisor, school, csv_upload(rows))
    items = WorkItem.objects.count()

    again = run_school(personas.county, school, xlsx_upload(rows))

    assert Difference.objects.count() == 3
    assert WorkItem.objects.count() == items
    assert again.new == 0
    assert again.run.differences.count() == 3  # the second run still shows what it found
    assert CrossCheck.objects.count() == 2


def test_a_drop_out_goes_to_the_village_director_with_a_deadline(personas, school, pupils):
    run_school(personas.supervisor, school, csv_upload(school_rows(pupils)))

    item = Difference.objects.get(kind=DifferenceKind.DROPOUT).work_item
    assert item.responsible == personas.dir_a
    assert item.region_code == f.VILLAGE_A and item.tier == Tier.VILLAGE
    assert item.kind == "crosscheck.dropout"
    assert item.due_at > timezone.now() + dt.timedelta(days=6)
    assert item.township_at > item.due_at  # escalated like any other due work
    assert "张小军" in item.title


def test_a_child_without_a_known_village_goes_to_the_township_supervisor(personas, school, pupils):
    run_school(personas.supervisor, school, csv_upload(school_rows(pupils)))

    item = Difference.objects.get(kind=DifferenceKind.UNREGISTERED).work_item
    assert (item.responsible, item.region_code, item.tier) == (personas.supervisor, f.TOWNSHIP, Tier.TOWNSHIP)


def test_the_id_number_of_a_child_not_registered_is_not_written_in_clear(personas, school, pupils):
    rows = school_rows(pupils)
    run_school(personas.supervisor, school, csv_upload(rows))

    number = rows[3][2]
    diff = Difference.objects.get(kind=DifferenceKind.UNREGISTERED)
    assert diff.id_number == number
    assert number not in diff.key and number not in diff.work_item.key
    assert Difference.objects.filter(id_number=number).exists()  # found through the keyed hash
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM crosschecks_difference")
        assert number not in str(cursor.fetchall())


def test_a_director_cannot_upload_lists(personas, school, pupils):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        run_school(personas.dir_a, school, csv_upload(school_rows(pupils)))


def test_another_township_s_supervisor_cannot_check_this_school(personas, school, pupils):
    from django.core.exceptions import PermissionDenied

    other = f.make_user("sup_k", "township_supervisor", f.OTHER_TOWNSHIP)
    with pytest.raises(PermissionDenied):
        run_school(other, school, csv_upload(school_rows(pupils)))


def test_a_child_registered_outside_the_uploader_s_territory_is_counted_not_shown(personas, school, pupils):
    other_school = Organisation.objects.create(
        kind=OrganisationKind.SCHOOL, name="阚疃镇中心小学", region_id=f.OTHER_TOWNSHIP
    )
    sup = f.make_user("sup_k", "township_supervisor", f.OTHER_TOWNSHIP)
    hong = pupils["xiaohong"]
    rows = [
        SCHOOL_HEADER,
        ["阚疃镇中心小学", hong.name, hong.id_number, "女", "", "五年级", "1班", "双亲留守"],
    ]

    outcome = services.crosscheck_run(
        actor=sup, upload=csv_upload(rows), kind="school", school=other_school, commit=True
    )

    assert outcome.out_of_reach == 1
    assert not Difference.objects.exists()


# --- pages: who sees, who closes ---------------------------------------------------------------------


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_director_sees_and_closes_the_item_with_a_reason(personas, school, pupils):
    run_school(personas.supervisor, school, csv_upload(school_rows(pupils)))
    diff = Difference.objects.get(kind=DifferenceKind.DROPOUT)
    client = client_for(personas.dir_a)
    url = f"/crosschecks/differences/{diff.pk}/"

    work = client.get("/work/").content.decode()
    assert diff.work_item.title in work and 'href="/crosschecks/differences/"' in work  # from 我的工作
    assert "张小军" in client.get("/crosschecks/differences/").content.decode()
    refused = client.post(url, {"resolution": "in_school", "reason": " "})
    assert refused.status_code == 200
    diff.refresh_from_db()
    assert diff.closed_at is None

    response = client.post(url, {"resolution": "dropped_out", "reason": "已辍学在家，已与家长谈话，下周返校"})

    assert response.status_code == 302
    diff.refresh_from_db()
    assert (diff.resolution, diff.closed_by) == ("dropped_out", personas.dir_a)
    assert diff.work_item.status == Status.DONE


def test_another_village_s_director_gets_404(personas, school, pupils):
    run_school(personas.supervisor, school, csv_upload(school_rows(pupils)))
    diff = Difference.objects.get(kind=DifferenceKind.DROPOUT)
    client = client_for(personas.dir_b)

    assert client.get(f"/crosschecks/differences/{diff.pk}/").status_code == 404
    assert (
        client.post(
            f"/crosschecks/differences/{diff.pk}/", {"resolution": "in_school", "reason": "x"}
        ).status_code
        == 404
    )
    assert "张小军" not in client.get("/crosschecks/differences/").content.decode()
    assert client.get(f"/crosschecks/{diff.first_run_id}/").status_code == 404
    diff.refresh_from_db()
    assert diff.closed_at is None


def test_the_run_page_counts_by_kind_with_the_lists_behind(personas, school, pupils):
    outcome = run_school(personas.supervisor, school, csv_upload(school_rows(pupils)))
    client = client_for(personas.supervisor)

    page = client.get(f"/crosschecks/{outcome.run.pk}/?kind=dropout").content.decode()

    assert "张小军" in page and "王新生" not in page


def test_upload_page_dry_run_then_check(personas, school, pupils, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    client = client_for(personas.supervisor)
    upload = csv_upload(school_rows(pupils))

    dry = client.post("/crosschecks/new/", {"kind": "school", "school": str(school.pk), "file": upload})

    assert dry.status_code == 200 and nothing_stored()
    token = dry.context["token"]
    done = client.post(
        "/crosschecks/new/",
        {"kind": "school", "school": str(school.pk), "token": token, "filename": "list.csv"},
    )
    assert done.status_code == 302
    assert Difference.objects.count() == 3
    assert not list((tmp_path / "crosschecks").iterdir())  # the upload is not kept


# --- API -----------------------------------------------------------------------------------------------


def test_api_runs_differences_and_closing(personas, school, pupils):
    client = client_for(personas.supervisor)

    dry = client.post(
        "/api/v1/crosschecks/",
        {
            "kind": "school",
            "school": str(school.pk),
            "file": csv_upload(school_rows(pupils)),
            "dry_run": "true",
        },
    )
    assert dry.status_code == 200 and dry.json()["counts"] == {"dropout": 1, "category": 1, "unregistered": 1}
    made = client.post(
        "/api/v1/crosschecks/",
        {"kind": "school", "school": str(school.pk), "file": csv_upload(school_rows(pupils))},
    )
    assert made.status_code == 201
    run_id = made.json()["id"]
    assert {c["kind"]: c["total"] for c in made.json()["counts"]}["dropout"] == 1

    director = client_for(personas.dir_a)
    listed = director.get("/api/v1/crosscheck-differences/").json()["results"]
    assert [d["kind"] for d in listed] == ["dropout"]
    assert director.get(f"/api/v1/crosschecks/{run_id}/").status_code == 404
    closed = director.post(
        f"/api/v1/crosscheck-differences/{listed[0]['id']}/close/",
        {"resolution": "in_school", "reason": "已到校核实，在五年级3班"},
        content_type="application/json",
    )
    assert closed.status_code == 200 and closed.json()["resolution"] == "in_school"
    other = client_for(personas.dir_b).post(
        f"/api/v1/crosscheck-differences/{listed[0]['id']}/close/",
        {"resolution": "in_school", "reason": "x"},
        content_type="application/json",
    )
    assert other.status_code == 404


def test_api_refuses_a_bad_list_with_rows_and_columns(personas, school, pupils):
    rows = school_rows(pupils)
    rows[2][5] = ""
    response = client_for(personas.supervisor).post(
        "/api/v1/crosschecks/", {"kind": "school", "school": str(school.pk), "file": csv_upload(rows)}
    )

    assert response.status_code == 400
    assert response.json()["problems"] == [{"row": 3, "column": "年级", "message": "必填。"}]
    assert nothing_stored()


def test_the_differences_page_makes_as_many_queries_for_many_differences_as_for_one(personas, school, pupils):
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    outcome = run_school(personas.supervisor, school, csv_upload(school_rows(pupils)))
    client = client_for(personas.supervisor)

    def queries() -> int:
        with CaptureQueriesContext(conn) as captured:
            assert client.get("/crosschecks/differences/?state=all").status_code == 200
        return len(captured)

    few = queries()
    for n in range(10):
        Difference.objects.create(
            key=f"extra:{n}",
            kind="unregistered",
            list_kind="school",
            region_code=f.TOWNSHIP,
            first_run=outcome.run,
            name=f"外来{n}",
        )
    assert queries() == few


def test_adults_of_a_dibao_list_are_neither_compared_nor_checked_for_their_place(personas):
    rows = [
        DIBAO_HEADER,
        ["外县某镇", "某村", "某户", "某户主", f.id_number_for(dt.date(1980, 1, 1)), "户主", "低保"],
    ]

    outcome = services.crosscheck_run(
        actor=personas.supervisor, upload=csv_upload(rows), kind="dibao", commit=True
    )

    assert outcome.ok and outcome.compared == 0
    assert not Difference.objects.exists()


def test_a_row_of_another_school_is_refused(personas, school, pupils):
    rows = school_rows(pupils)
    rows[2][0] = "阚疃镇中心小学"

    outcome = run_school(personas.supervisor, school, csv_upload(rows))

    assert problems_of(outcome) == [(3, "学校")]
    assert nothing_stored()
