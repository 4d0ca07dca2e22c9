"""Every write of the import job: upload, check, commit, expiry.

The check (a dry run) and the commit run as Celery tasks (``tasks``): inline on the embedded
default, in a worker with Redis in production, so a register of 100,000 rows never holds a web
request. The check reads the uploaded file from MEDIA_ROOT and keeps beside it the rows it found
good, which the commit reads instead of the sheet (``services``: the cells are not parsed and
validated twice); both stay until the job ends: a refused check, a commit done or failed, or an
expiry. Each step is sent to the broker after its row is committed, claimed once by a worker and
kept alive by its heartbeat; the watchdog (``jobs_watch``, the rules in ``shouhu.jobs``) sends a lost
step again or fails it with a retry button, and a broker that refuses the step fails it at once with
the same button. The commit and the job's ending are one transaction: a worker killed midway leaves
no child of the file and the job still "importing", for the watchdog. Progress is written as rows
are read; during the commit, whose transaction stays open until the end, it is written on a
connection of its own so the page polling the job sees it move (on SQLite, which allows one writer
at a time, it is written in the same transaction and seen when the job ends).
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shouhu import jobs as background
from shouhu.accounts import access

from . import sealed, services
from .models import RUNNING, ImportJob, JobStatus, Step
from .reader import SheetError, check_size, kind_of

log = logging.getLogger(__name__)
KEEP_HOURS = 24  # a checked file waits this long for its commit (setting IMPORT_KEEP_HOURS)
STUCK_HOURS = 6  # a step still running after this long, heartbeat or not, is ended (a hung worker)
ROWS_SHARE = 90  # percent of the commit's bar given to reading and writing rows; the rest is derived state
STEP_STATUS = {Step.CHECK: JobStatus.CHECKING, Step.COMMIT: JobStatus.IMPORTING}
QueueUnavailable = background.QueueUnavailable


ORPHAN_MINUTES = 10  # a file no job names, older than this, is swept (a crash between write and save)


class Refused(ValueError):
    """The job cannot do what was asked in its present state (the message says why)."""


def store() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def job_create(*, actor, upload) -> ImportJob:
    """Keep the upload for its check (sent with ``job_enqueue``). Refuses before storing anything a
    file of the wrong type or over the size cap (``SheetError``)."""
    if not access.can_create_children(actor):
        raise PermissionDenied(_("您没有登记儿童的权限。"))
    check_size(upload)
    kind = kind_of(upload.name)
    jobs_expire()
    job = ImportJob(created_by=actor, file_name=(upload.name or "")[:200], size=upload.size)
    job.stored_name = f"{uuid.uuid4().hex}.{kind}"
    job.step = Step.CHECK
    job.queued_at = timezone.now()
    sealed.write_upload(store() / job.stored_name, upload.chunks())  # encrypted, 0600
    job.save()
    return job


def job_enqueue(*, job: ImportJob) -> None:
    """Send the job's step to the workers, after its row's commit. A broker that does not answer
    fails the job at once, its file kept for the retry, and raises ``QueueUnavailable``: never a row
    left "checking" that no worker will ever see."""
    from . import tasks

    task = tasks.check if job.step == Step.CHECK else tasks.commit
    try:
        background.enqueue(task, str(job.pk), job.attempts)
    except QueueUnavailable:
        _fail(job, job.attempts, str(background.UNAVAILABLE), keep_file=True)
        job.refresh_from_db()
        raise


def _opened(job: ImportJob) -> File:
    """The upload, decrypted in memory (never written in clear)."""
    return File(sealed.read_upload(store() / job.stored_name), name=job.file_name)


def _checked(job: ImportJob) -> Path:
    """The rows the check found good, kept beside the upload for the commit."""
    return store() / f"{job.stored_name}.checked"


def _rejected(job: ImportJob) -> Path:
    """The rows with problems, for the error sheet."""
    return store() / f"{job.stored_name}.rejected"


def rejected_path(job: ImportJob) -> Path | None:
    """The error sheet's rows of a job, while they are kept."""
    if not job.rejected_name:
        return None
    path = store() / job.rejected_name
    return path if path.exists() else None


def _drop_files(stored_name: str, *, rejected: bool = True) -> None:
    """Delete a job's upload and checked rows, and (unless told to keep them for the error sheet) the
    rows with problems."""
    if stored_name:
        (store() / stored_name).unlink(missing_ok=True)
        (store() / f"{stored_name}.checked").unlink(missing_ok=True)
        if rejected:
            (store() / f"{stored_name}.rejected").unlink(missing_ok=True)


def _end(job: ImportJob, status: str, **fields) -> str:
    """The job ends; returns the name of its files, which the caller deletes once that is committed."""
    stored = job.stored_name
    job.status = status
    job.stored_name = ""
    job.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    job.save()
    return stored


def _mine(job: ImportJob, attempt: int):
    """The job's row while it is still the step this worker claimed (the fence against a late
    worker after the watchdog sent the step again)."""
    return ImportJob.objects.filter(pk=job.pk, status=STEP_STATUS[Step(job.step)], attempts=attempt)


def _fail(job: ImportJob, attempt: int, error: str, *, keep_file: bool) -> bool:
    """Fail the step if it is still ``attempt`` of it; with its file kept, the job can be retried."""
    fields = {"status": JobStatus.FAILED, "error": error[:300], "finished_at": timezone.now()}
    if not keep_file:
        fields["stored_name"] = ""
        fields["rejected_name"] = ""
    failed = _mine(job, attempt).update(**fields) == 1
    if failed and not keep_file:
        _drop_files(job.stored_name)
    return failed


def _claim(job: ImportJob, attempt: int | None) -> int | None:
    """Take the step for this worker: a second message for the same step, or a message from before
    the watchdog sent it again, finds no row and does nothing. Returns the attempt claimed."""
    attempt = job.attempts if attempt is None else attempt
    claimed = _mine(job, attempt).filter(heartbeat_at__isnull=True).update(heartbeat_at=timezone.now())
    if claimed != 1:
        log.info(
            "import %s step %s attempt %s: not claimed (another worker has it, or it ended)",
            job.pk,
            job.step,
            attempt,
        )
        return None
    job.attempts = attempt
    return attempt


def _report(job: ImportJob, result: services.Result) -> None:
    job.counts = dict(result.counts)
    job.problems = [{"row": p.row, "column": p.column, "message": p.message} for p in result.problems]
    job.truncated = result.truncated
    job.confirm = [
        {"row": c["row"], "name": c["name"], "birth_date": c["birth_date"].isoformat(), "pk": str(c["pk"])}
        for c in result.confirm
    ]
    job.unknown_columns = result.unknown_columns
    job.problems = job.problems[: services.MAX_PROBLEMS]
    job.rows_rejected = result.rejected


class _Progress:
    """Writes the rows read (and for the commit the percentage) with the heartbeat, at most twice a
    second, while the step is still this worker's."""

    def __init__(self, job: ImportJob, total: int = 0):
        self.job, self.total, self.last = job, total, 0.0
        self.rows = _mine(job, job.attempts)

    def __call__(self, rows: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.5:
            return
        self.last = now
        values: dict = {"rows_done": rows, "heartbeat_at": timezone.now()}
        if self.total:
            values["progress"] = min(ROWS_SHARE, rows * ROWS_SHARE // self.total)
        _write_aside(self.rows, values)


def _write_aside(rows, values: dict) -> None:
    def write():
        try:
            rows.update(**values)
        finally:
            connection.close()  # this thread's own connection

    if connection.vendor == "sqlite" or not connection.in_atomic_block:
        rows.update(**values)
        return
    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    thread.join()


def job_check(*, job: ImportJob, attempt: int | None = None) -> ImportJob:
    """The dry run: every problem by row and column, the counts, the matches to confirm."""
    attempt = _claim(job, attempt)
    if attempt is None:
        job.refresh_from_db()
        return job
    try:
        with background.beating(_mine(job, attempt)), _opened(job) as upload:
            upload.size = job.size
            result = services.import_register(
                actor=job.created_by,
                upload=upload,
                progress=_Progress(job),
                keep=_checked(job),
                rejected=_rejected(job),
            )
    except Exception:
        log.exception("import check %s failed", job.pk)
        _fail(
            job,
            attempt,
            _("检查时出错，没有导入任何内容。请重新上传；如果再次出错，请联系管理员。"),
            keep_file=False,
        )
        job.refresh_from_db()
        return job
    ended = ""
    with transaction.atomic():
        if not _mine(job, attempt).select_for_update().exists():
            job.refresh_from_db()  # the watchdog gave the step to another worker meanwhile
            return job
        _report(job, result)
        job.rows_total = job.rows_done = result.rows
        job.rejected_name = _rejected(job).name if _rejected(job).exists() else ""
        to_write = result.counts[services.NEW] or result.counts[services.UPDATE] or result.confirm
        if not result.ok and not to_write:
            ended = _end(job, JobStatus.REFUSED)  # nothing valid to add; the error sheet stays
        elif not to_write:
            ended = _end(job, JobStatus.DONE, progress=100)  # nothing to write: the registry holds it all
        else:
            job.status = JobStatus.CHECKED  # with problems: the commit may take the valid rows only
            job.heartbeat_at = None
            job.save()
    _drop_files(ended, rejected=False)
    return job


def job_commit_request(*, actor, job: ImportJob, confirmed: list[int], valid_only: bool = False) -> bool:
    """Claim a checked job for its commit (a double click claims it once; sent with ``job_enqueue``).
    Returns whether claimed. A sheet with rows that have problems is committed only as "valid rows
    only" (``valid_only``): all or nothing would write nothing (``Refused``)."""
    if job.created_by_id != actor.pk or not access.can_create_children(actor):
        raise PermissionDenied(_("您没有登记儿童的权限。"))
    if job.status == JobStatus.CHECKED and job.rows_rejected and not valid_only:
        raise Refused(
            _("有 %s 行有问题：全部导入需要先改正这些行；也可以选择只导入没有问题的行。") % job.rows_rejected
        )
    claimed = ImportJob.objects.filter(pk=job.pk, status=JobStatus.CHECKED).update(
        valid_only=valid_only,
        status=JobStatus.IMPORTING,
        step=Step.COMMIT,
        confirmed=sorted(set(confirmed)),
        progress=0,
        rows_done=0,
        queued_at=timezone.now(),
        heartbeat_at=None,
        attempts=0,
    )
    if claimed:
        job.refresh_from_db()
    return claimed == 1


def job_retry(*, actor, job: ImportJob) -> bool:
    """Run again the step of a job that failed before it could run or finish (the broker refused it,
    its worker died): its file was kept. Returns whether it was retried (a double click retries once);
    send it with ``job_enqueue``."""
    if job.created_by_id != actor.pk or not access.can_create_children(actor):
        raise PermissionDenied(_("您没有登记儿童的权限。"))
    retried = (
        ImportJob.objects.filter(pk=job.pk, status=JobStatus.FAILED)
        .exclude(stored_name="")
        .update(
            status=STEP_STATUS[Step(job.step)],
            error="",
            finished_at=None,
            progress=0 if job.step == Step.COMMIT else None,
            rows_done=0,
            queued_at=timezone.now(),
            heartbeat_at=None,
            attempts=0,
        )
    )
    if retried:
        job.refresh_from_db()
    return retried == 1


def job_commit(*, job: ImportJob, attempt: int | None = None) -> ImportJob:
    """The commit, all or nothing: done, refused (the registry changed since the check and a row no
    longer passes) or failed (an error midway: rolled back, nothing stored). The children and the
    job's ending are one transaction, which a worker killed midway never commits."""
    attempt = _claim(job, attempt)
    if attempt is None:
        job.refresh_from_db()
        return job
    try:
        with transaction.atomic():
            with background.beating(_mine(job, attempt)), _opened(job) as upload:
                upload.size = job.size
                result = services.import_register(
                    actor=job.created_by,
                    upload=upload,
                    commit=True,
                    confirmed=frozenset(job.confirmed),
                    progress=_Progress(job, job.rows_total),
                    checked=_checked(job),
                    valid_only=job.valid_only,
                )
            # The heartbeat has stopped: lock the job and write only if the step is still ours.
            if not _mine(job, attempt).select_for_update().exists():
                log.warning("import %s: the watchdog gave the commit to another worker; rolled back", job.pk)
                transaction.set_rollback(True)
                job.refresh_from_db()
                return job
            rejected = job.rows_rejected
            _report(job, result)
            job.rows_rejected = rejected + result.rejected
            job.rows_done = result.rows
            if result.committed:
                ended = _end(job, JobStatus.DONE, progress=100, heartbeat_at=None)
            else:
                ended = _end(job, JobStatus.REFUSED, heartbeat_at=None)
        _drop_files(ended, rejected=False)
    except Exception:
        log.exception("import commit %s failed", job.pk)
        _fail(
            job,
            attempt,
            _("导入时出错，已全部撤销，名册没有任何改动。请稍后重试；如果再次出错，请联系管理员。"),
            keep_file=False,
        )
        job.refresh_from_db()
    return job


def jobs_watch(*, now=None) -> dict[str, int]:
    """The watchdog of import steps (``shouhu.jobs``): a step queued too long without a worker, or
    whose heartbeat stopped, is sent again (``attempts`` + 1: a late worker can no longer write),
    at most ``MAX_REQUEUES`` times; then failed with its file kept, for the retry button. Nothing of a
    lost commit was stored (its transaction never committed), so sending it again is safe."""
    now = now or timezone.now()
    done = {"requeued": 0, "failed": 0}
    lost = ImportJob.objects.filter(status__in=RUNNING).filter(background.lost_filter(now))
    for job in lost:
        unchanged = ImportJob.objects.filter(
            pk=job.pk, status=job.status, attempts=job.attempts, heartbeat_at=job.heartbeat_at
        )
        if job.attempts < background.max_requeues():
            moved = unchanged.update(
                attempts=F("attempts") + 1, heartbeat_at=None, queued_at=now, rows_done=0
            )
            if moved != 1:
                continue  # another watchdog, or the worker, moved it first
            job.refresh_from_db()
            log.warning("import %s step %s lost: sent again (attempt %s)", job.pk, job.step, job.attempts)
            try:
                job_enqueue(job=job)
            except QueueUnavailable:
                done["failed"] += 1
                continue
            done["requeued"] += 1
        elif unchanged.update(status=JobStatus.FAILED, error=str(background.LOST), finished_at=now) == 1:
            log.warning("import %s step %s lost %s times: failed", job.pk, job.step, job.attempts + 1)
            done["failed"] += 1
    done["swept"] = files_sweep(now=now)
    return done


def jobs_expire(*, now=None) -> int:
    """End the jobs nobody will finish: checked files never committed within IMPORT_KEEP_HOURS,
    failed jobs kept for a retry nobody made in that time, and steps running for STUCK_HOURS. Their
    files are deleted."""
    now = now or timezone.now()
    keep = timedelta(hours=getattr(settings, "IMPORT_KEEP_HOURS", KEEP_HOURS))
    ended = 0
    for job in ImportJob.objects.filter(status=JobStatus.CHECKED, created_at__lt=now - keep):
        _drop_files(_end(job, JobStatus.EXPIRED, rejected_name=""))
        ended += 1
    for job in ImportJob.objects.filter(status=JobStatus.FAILED, created_at__lt=now - keep).exclude(
        stored_name=""
    ):
        _drop_files(
            _end(
                job,
                JobStatus.FAILED,
                rejected_name="",
                error=_("文件超过保留时间没有重试，已删除。请重新上传。"),
            )
        )
        ended += 1
    kept = ImportJob.objects.filter(finished_at__lt=now - keep).exclude(rejected_name="")
    for job in kept:  # the error sheet's rows of an ended job
        (store() / job.rejected_name).unlink(missing_ok=True)
        ImportJob.objects.filter(pk=job.pk).update(rejected_name="")
    long_ago = now - timedelta(hours=STUCK_HOURS)
    stuck = ImportJob.objects.filter(status__in=RUNNING).filter(
        Q(queued_at__lt=long_ago) | Q(queued_at__isnull=True, created_at__lt=long_ago)
    )
    for job in stuck:
        # attempts + 1: a worker still holding the step can no longer write its ending
        ImportJob.objects.filter(pk=job.pk).update(attempts=F("attempts") + 1)
        job.refresh_from_db()
        _drop_files(
            _end(
                job,
                JobStatus.FAILED,
                rejected_name="",
                error=_("后台任务没有完成，没有导入任何内容。请重新上传。"),
            )
        )
        ended += 1
    files_sweep(now=now)
    return ended


def files_sweep(*, now=None) -> int:
    """Delete the files under MEDIA_ROOT/imports/ that no job names (a crash between writing the
    upload and saving its job, a worker killed while writing the checked rows, a job row deleted),
    once older than ORPHAN_MINUTES. Run by the nightly expiry and by the watchdog every minute."""
    now = now or timezone.now()
    folder = store()
    names = list(os.scandir(folder))
    if not names:
        return 0
    live = set()
    for stored, rejected in ImportJob.objects.exclude(stored_name="", rejected_name="").values_list(
        "stored_name", "rejected_name"
    ):
        if stored:
            live.update({stored, f"{stored}.checked", f"{stored}.rejected"})
        if rejected:
            live.add(rejected)
    cutoff = now.timestamp() - ORPHAN_MINUTES * 60
    swept = 0
    for entry in names:
        if entry.name in live or not entry.is_file(follow_symlinks=False):
            continue
        if entry.stat(follow_symlinks=False).st_mtime < cutoff:
            Path(entry.path).unlink(missing_ok=True)
            swept += 1
    if swept:
        log.warning("imports: %s file(s) no job names were deleted", swept)
    return swept


def job_cancel(*, actor, job: ImportJob) -> bool:
    """Cancel a job waiting for its commit or its retry, or delete the rows with problems an ended job
    keeps for its error sheet: its files are deleted at once. Returns whether anything was done."""
    if job.created_by_id != actor.pk or not access.can_create_children(actor):
        raise PermissionDenied(_("您没有登记儿童的权限。"))
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status in RUNNING:
            raise Refused(_("这个文件正在处理，请等它结束后再取消。"))
        stored, rejected = job.stored_name, job.rejected_name
        if job.status in (JobStatus.CHECKED, JobStatus.FAILED):
            _end(job, JobStatus.CANCELLED, rejected_name="")
        elif rejected:
            job.rejected_name = ""
            job.save(update_fields=["rejected_name"])
        else:
            return False
    _drop_files(stored)
    if rejected:
        (store() / rejected).unlink(missing_ok=True)
    return True


def job_by_id(pk) -> ImportJob | None:
    return ImportJob.objects.select_related("created_by").filter(pk=pk).first()


__all__ = [
    "QueueUnavailable",
    "SheetError",
    "job_check",
    "job_commit",
    "job_commit_request",
    "job_create",
    "job_enqueue",
    "job_retry",
    "job_cancel",
    "files_sweep",
    "Refused",
    "jobs_expire",
    "jobs_watch",
]
