"""The list pages ask the same number of queries however many reports there are."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shouhu.quarterly.models import QuarterlyReport
from tests import factories as f

from .conftest import client_for


def _reports(personas, n: int, start: int = 0) -> None:
    for version in range(start + 1, start + n + 1):
        QuarterlyReport.objects.create(
            region_id=f.TOWNSHIP,
            year=2026,
            quarter=1,
            version=version,
            requested_by=personas.supervisor,
            status="submitted",
            submitted_at=timezone.now(),
        )


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_and_the_townships_page_do_not_query_per_report(personas):
    client = client_for(personas.county)
    _reports(personas, 1)
    few = (queries(client, "/quarterly/"), queries(client, "/quarterly/townships/?quarter=2026-Q1"))

    _reports(personas, 6, start=1)

    assert (queries(client, "/quarterly/"), queries(client, "/quarterly/townships/?quarter=2026-Q1")) == few
