"""The audit's exports and API name each person by their full name, as the pages do, with the login
name kept beside it; a job's row, or one whose account is gone, keeps the login name it was logged with."""

import csv
import io

from django.urls import reverse

from shouhu.audit.models import AccessLog, Action
from shouhu.children import services as child_services

from .conftest import log

LOG_CSV = reverse("audit:log-export")
CHANGES_CSV = reverse("audit:changes-export")
API_LOG = reverse("audit-api:access-log")
API_CHANGES = reverse("audit-api:changes")


def csv_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_the_access_log_export_has_the_full_name_and_the_login_name(signed_in, personas):
    log(personas.dir_a, child=personas.child_a)

    header, *rows = csv_of(signed_in(personas.county).get(LOG_CSV, {"username": "dir_a"}))

    assert header[1:3] == ["姓名", "用户名"]
    assert [row[1:3] for row in rows] == [["刘云", "dir_a"]]


def test_a_job_s_row_keeps_the_name_it_was_logged_with(signed_in, personas):
    AccessLog.objects.create(
        user=None, username="system", action=Action.EXPORT, region_code=personas.child_a.region_code, path="/"
    )

    _header, *rows = csv_of(signed_in(personas.county).get(LOG_CSV, {"action": "export"}))

    assert ["system", "system"] in [row[1:3] for row in rows]


def test_the_change_history_export_has_the_full_name(signed_in, personas):
    child_services.child_update(actor=personas.dir_a, child=personas.child_a, fields={"grade": "五年级"})

    header, *rows = csv_of(signed_in(personas.county).get(CHANGES_CSV, {"child": str(personas.child_a.pk)}))

    assert header[1:3] == ["姓名", "用户名"]
    assert ["刘云", "dir_a"] in [row[1:3] for row in rows]


def test_the_api_adds_the_full_name_beside_the_username(signed_in, personas):
    log(personas.dir_a, child=personas.child_a)
    child_services.child_update(actor=personas.dir_a, child=personas.child_a, fields={"grade": "五年级"})
    client = signed_in(personas.county)

    (row,) = client.get(API_LOG, {"username": "dir_a"}).json()["results"]
    changes = client.get(API_CHANGES, {"child": str(personas.child_a.pk)}).json()["results"]

    assert (row["username"], row["full_name"]) == ("dir_a", "刘云")
    assert ("dir_a", "刘云") in [(c["username"], c["full_name"]) for c in changes]
