"""The demo's quarterly report: 王市镇's report for the quarter that ended last, generated inline (the
same service the background job calls) and submitted to the county by its supervisor, so that the
county's list shows one township submitted and the rest not."""

from __future__ import annotations

import datetime as dt
import functools

from django.db import transaction
from django.utils import timezone

from shouhu.accounts.models import User
from shouhu.quarterly import selectors, services
from shouhu.quarterly.models import JobStatus, QuarterlyReport

TOWNSHIP = "341623110"  # 王市镇
SUPERVISOR = "supervisor-wangshi"


def seed_quarterly(*, today: dt.date, township: str = TOWNSHIP, username: str = SUPERVISOR) -> dict[str, int]:
    supervisor = User.objects.filter(username=username, region_id=township).first()
    if supervisor is None:
        return {"quarterly_reports": 0}
    year, quarter = selectors.previous_quarter(today)
    # Seeding again replaces the demo's report of that quarter rather than adding versions to it; the
    # old files go once the new seed is committed (a seed rolled back keeps them with their rows).
    for old in QuarterlyReport.objects.filter(region_id=township, year=year, quarter=quarter):
        files = [f for f in (old.pdf, old.xlsx, old.pdf_public, old.xlsx_public) if f]
        transaction.on_commit(functools.partial(_delete, files))
        old.delete()
    report = services.report_request(
        actor=supervisor, region_code=township, year=year, quarter=quarter, language="zh-hans", enqueue=False
    )
    now = timezone.make_aware(dt.datetime.combine(today, dt.time(9)))
    report = services.report_generate(report_id=report.pk, now=now)
    if report is None or report.job_status != JobStatus.DONE:
        return {"quarterly_reports": 0}
    services.report_submit(actor=supervisor, report=report, now=now)
    return {"quarterly_reports": 1}


def _delete(files) -> None:
    for file in files:
        file.storage.delete(file.name)
