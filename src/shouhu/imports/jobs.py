"""Every write of the import job: upload, check, commit, expiry.

The check (a dry run) and the commit run as Celery tasks (``tasks``): inline on the embedded
default, in a worker with Redis in production, so a register of 100,000 rows never holds a web
request. The check reads the uploaded file from MEDIA_ROOT and keeps beside it the rows it found
good, which the commit reads instead of the sheet (``services``: the cells are not parsed and
validated twice); both stay until the job ends: a refused check, a commit done or failed, or an
expiry. Progress is written as rows are read; during
the commit, whose transaction stays open until the end, it is written on a connection of its own so
the page polling the job sees it move (on SQLite, which allows one writer at a time, it is written in
the same transaction and seen when the job ends).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from shouhu.accounts import access

from . import services
from .models import ImportJob, JobStatus
from .reader import SheetError, check_size, kind_of

log = logging.getLogger(__name__)
KEEP_HOURS = 24  # a checked file waits this long for its commit (setting IMPORT_KEEP_HOURS)
STUCK_HOURS = 6  # a job running longer than this lost its worker
ROWS_SHARE = 90  # percent of the commit's bar given to reading and writing rows; the rest is derived state


def store() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def job_create(*, actor, upload) -> ImportJob:
    """Keep the upload for its check. Refuses before storing anything a file of the wrong type or
    over the size cap (``SheetError``)."""
    if not access.can_create_children(actor):
        raise PermissionDenied(_("您没有登记儿童的权限。"))
    check_size(upload)
    kind = kind_of(upload.name)
    jobs_expire()
    job = ImportJob(created_by=actor, file_name=(upload.name or "")[:200], size=upload.size)
    job.stored_name = f"{uuid.uuid4().hex}.{kind}"
    with open(store() / job.stored_name, "wb") as out:
        for part in upload.chunks():
            out.write(part)
    job.save()
    return job


def _opened(job: ImportJob) -> File:
    path = store() / job.stored_name
    return File(open(path, "rb"), name=job.file_name)  # noqa: SIM115 - closed by the caller


def _checked(job: ImportJob) -> Path:
    """The rows the check found good, kept beside the upload for the commit."""
    return store() / f"{job.stored_name}.checked"


def _end(job: ImportJob, status: str, **fields) -> None:
    """The job ends: its files go."""
    if job.stored_name:
        (store() / job.stored_name).unlink(missing_ok=True)
        _checked(job).unlink(missing_ok=True)
    job.status = status
    job.stored_name = ""
    job.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    job.save()


def _report(job: ImportJob, result: services.Result) -> None:
    job.counts = dict(result.counts)
    job.problems = [{"row": p.row, "column": p.column, "message": p.message} for p in result.problems]
    job.truncated = result.truncated
    job.confirm = [
        {"row": c["row"], "name": c["name"], "birth_date": c["birth_date"].isoformat(), "pk": str(c["pk"])}
        for c in result.confirm
    ]
    job.unknown_columns = result.unknown_columns


class _Progress:
    """Writes the rows read (and for the commit the percentage) at most twice a second."""

    def __init__(self, job: ImportJob, total: int = 0):
        self.job, self.total, self.last = job, total, 0.0

    def __call__(self, rows: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.5:
            return
        self.last = now
        values: dict = {"rows_done": rows}
        if self.total:
            values["progress"] = min(ROWS_SHARE, rows * ROWS_SHARE // self.total)
        _write_aside(self.job.pk, values)


def _write_aside(pk, values: dict) -> None:
    def write():
        try:
            ImportJob.objects.filter(pk=pk).update(**values)
        finally:
            connection.close()  # this thread's own connection

    if connection.vendor == "sqlite" or not connection.in_atomic_block:
        ImportJob.objects.filter(pk=pk).update(**values)
        return
    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    thread.join()


def job_check(*, job: ImportJob) -> ImportJob:
    """The dry run: every problem by row and column, the counts, the matches to confirm."""
    try:
        with _opened(job) as upload:
            upload.size = job.size
            result = services.import_register(
                actor=job.created_by, upload=upload, progress=_Progress(job), keep=_checked(job)
            )
    except Exception:
        log.exception("import check %s failed", job.pk)
        _end(
            job,
            JobStatus.FAILED,
            error=_("检查时出错，没有导入任何内容。请重新上传；如果再次出错，请联系管理员。"),
        )
        return job
    _report(job, result)
    job.rows_total = job.rows_done = result.rows
    if not result.ok:
        _end(job, JobStatus.REFUSED)
    elif not (result.counts[services.NEW] or result.counts[services.UPDATE] or result.confirm):
        _end(job, JobStatus.DONE, progress=100)  # nothing to write: the registry already holds it all
    else:
        job.status = JobStatus.CHECKED
        job.save()
    return job


def job_commit_request(*, actor, job: ImportJob, confirmed: list[int]) -> bool:
    """Claim a checked job for its commit (a double click claims it once). Returns whether claimed."""
    if job.created_by_id != actor.pk or not access.can_create_children(actor):
        raise PermissionDenied(_("您没有登记儿童的权限。"))
    claimed = ImportJob.objects.filter(pk=job.pk, status=JobStatus.CHECKED).update(
        status=JobStatus.IMPORTING, confirmed=sorted(set(confirmed)), progress=0, rows_done=0
    )
    return claimed == 1


def job_commit(*, job: ImportJob) -> ImportJob:
    """The commit, all or nothing: done, refused (the registry changed since the check and a row no
    longer passes) or failed (an error midway: rolled back, nothing stored)."""
    try:
        with _opened(job) as upload:
            upload.size = job.size
            result = services.import_register(
                actor=job.created_by,
                upload=upload,
                commit=True,
                confirmed=frozenset(job.confirmed),
                progress=_Progress(job, job.rows_total),
                checked=_checked(job),
            )
    except Exception:
        log.exception("import commit %s failed", job.pk)
        _end(
            job,
            JobStatus.FAILED,
            error=_("导入时出错，已全部撤销，名册没有任何改动。请稍后重试；如果再次出错，请联系管理员。"),
        )
        return job
    _report(job, result)
    job.rows_done = result.rows
    if result.committed:
        _end(job, JobStatus.DONE, progress=100)
    else:
        _end(job, JobStatus.REFUSED)
    return job


def jobs_expire(*, now=None) -> int:
    """End the jobs nobody will finish: checked files never committed within IMPORT_KEEP_HOURS, and
    steps whose worker stopped. Their files are deleted."""
    now = now or timezone.now()
    keep = timedelta(hours=getattr(settings, "IMPORT_KEEP_HOURS", KEEP_HOURS))
    ended = 0
    for job in ImportJob.objects.filter(status=JobStatus.CHECKED, created_at__lt=now - keep):
        _end(job, JobStatus.EXPIRED)
        ended += 1
    stuck = ImportJob.objects.filter(
        status__in=(JobStatus.CHECKING, JobStatus.IMPORTING),
        created_at__lt=now - timedelta(hours=STUCK_HOURS),
    )
    for job in stuck:
        _end(job, JobStatus.FAILED, error=_("后台任务没有完成，没有导入任何内容。请重新上传。"))
        ended += 1
    return ended


def job_by_id(pk) -> ImportJob | None:
    return ImportJob.objects.select_related("created_by").filter(pk=pk).first()


__all__ = ["SheetError", "job_check", "job_commit", "job_commit_request", "job_create", "jobs_expire"]
