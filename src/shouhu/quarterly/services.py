"""Every change to quarterly reports: asking for one (a new version, generated in the background),
generating it (the job), and the township's submission to the county, which returns it with a comment
or acknowledges it. Who may do what is asked of ``accounts.access``."""

from __future__ import annotations

import datetime as dt
import functools
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shouhu import jobs as background
from shouhu.audit.models import Action
from shouhu.audit.services import log_event
from shouhu.escalation import services as escalation
from shouhu.escalation import texts
from shouhu.escalation.models import Tier, WorkItem
from shouhu.regions.codes import InvalidCode, Level, level_of
from shouhu.regions.models import Region

from . import permissions, render, selectors
from .models import EventKind, JobStatus, QuarterlyReport, ReportEvent, Submission

logger = logging.getLogger(__name__)
FIRST_YEAR = 2016  # 国发〔2016〕13号: the year the national work on left-behind children began
RESUBMIT_KIND = "quarterly.resubmit"
QueueUnavailable = background.QueueUnavailable


def _language(language: str | None) -> str:

    code = (language or translation.get_language() or settings.LANGUAGE_CODE).lower()
    known = [c for c, _name in settings.LANGUAGES]
    for candidate in (code, code.split("-")[0]):
        if candidate in known:
            return candidate
    return "en" if code.startswith("en") else settings.LANGUAGE_CODE


def report_request(
    *, actor, region_code: str, year: int, quarter: int, language: str | None = None, enqueue: bool = True
) -> QuarterlyReport:
    """A new version of the region's report for the quarter, queued for generation after the commit
    (a broker that does not answer: no version is kept and ``QueueUnavailable`` is raised).

    Refused (403) unless ``actor`` generates that region's reports; a quarter that has not begun, or
    before 2016, is a field error.
    """
    try:
        level = level_of(region_code or "")
    except InvalidCode:
        level = None
    if level not in (Level.TOWNSHIP, Level.COUNTY):
        raise ValidationError({"region": [_("请选择一个乡镇或县（9位或6位区划代码）。")]})
    if not permissions.quarterly_reports.can_generate(actor, region_code):
        raise PermissionDenied(
            _("乡镇的季度报告由本乡镇的儿童督导员生成，县级报告由县儿童福利指导中心生成。")
        )
    errors: dict[str, list[str]] = {}
    if quarter not in (1, 2, 3, 4):
        errors["quarter"] = [_("季度须为1至4。")]
    today = timezone.localdate()
    if year < FIRST_YEAR:
        errors["year"] = [_("年度须在%(first)s年至今年之间。") % {"first": FIRST_YEAR}]
    elif year > today.year or (quarter in (1, 2, 3, 4) and selectors.period_of(year, quarter)[0] > today):
        errors["quarter"] = [_("该季度尚未开始。")]
    if errors:
        raise ValidationError(errors)
    region = Region.objects.get(code=region_code)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                last = QuarterlyReport.objects.filter(region=region, year=year, quarter=quarter).aggregate(
                    v=Max("version")
                )["v"]
                report = QuarterlyReport.objects.create(
                    region=region,
                    year=year,
                    quarter=quarter,
                    version=(last or 0) + 1,
                    language=_language(language),
                    requested_by=actor,
                    queued_at=timezone.now(),
                )
                if enqueue:
                    transaction.on_commit(functools.partial(_enqueue_new, report.pk))
            return report
        except IntegrityError:  # two requests took the same version number: take the next one
            continue
    raise ValidationError({"region": [_("同时生成的请求过多，请稍后再试。")]})


def _enqueue(report_id, attempt: int = 0) -> None:
    from .tasks import generate_report

    background.enqueue(generate_report, str(report_id), attempt)


def _enqueue_new(report_id) -> None:
    """Send a new version's generation after its commit. A broker that does not answer removes the
    version (nothing was generated, and its number is free again) and raises ``QueueUnavailable``:
    the user, still on the form that asked for it, is told to try again; no version waits forever."""
    try:
        _enqueue(report_id)
    except background.QueueUnavailable:
        QuarterlyReport.objects.filter(pk=report_id, job_status=JobStatus.QUEUED, heartbeat_at=None).delete()
        raise


def _mine(report_id, attempt: int):
    """The report while its generation is still the attempt this worker claimed."""
    return QuarterlyReport.objects.filter(pk=report_id, job_status=JobStatus.RUNNING, attempts=attempt)


def _progress(report: QuarterlyReport, value: int) -> None:
    """Written at once (outside any transaction), with the heartbeat, so that the page polling the
    job sees it move and the watchdog sees the worker alive."""
    _mine(report.pk, report.attempts).update(progress=value, heartbeat_at=timezone.now())
    report.progress = value


def report_generate(
    *, report_id, attempt: int | None = None, now: dt.datetime | None = None
) -> QuarterlyReport | None:
    """Generate the files of a queued version; the job. Claimed by a conditional update, so a second
    worker given the same job, or a message the watchdog replaced (``attempt``), does nothing. A
    failure is recorded on the report (status and reason), not raised: the page shows it and the
    user may generate again."""
    queued = QuarterlyReport.objects.filter(pk=report_id, job_status=JobStatus.QUEUED)
    if attempt is not None:
        queued = queued.filter(attempts=attempt)
    claimed = queued.update(job_status=JobStatus.RUNNING, progress=1, heartbeat_at=timezone.now())
    report = QuarterlyReport.objects.select_related("region", "requested_by").filter(pk=report_id).first()
    if not claimed or report is None:
        return report
    attempt = report.attempts
    try:
        with background.beating(_mine(report_id, attempt)):
            _generate(report, now)
    except Exception as exc:
        logger.exception("quarterly report %s failed", report_id)
        reason = (exc.messages[0] if isinstance(exc, ValidationError) else str(exc)) or type(exc).__name__
        _mine(report_id, attempt).update(job_status=JobStatus.FAILED, error=reason[:500], heartbeat_at=None)
        report.refresh_from_db()
    return report


def _generate(report: QuarterlyReport, now) -> None:
    """The files, then in one transaction (only while the attempt is still this worker's) the report done."""
    user = report.requested_by
    if user is None or not user.is_active:
        raise PermissionDenied(_("生成人账号已停用，请重新生成。"))
    with translation.override(report.language):
        _progress(report, 5)
        content = selectors.content_for(report=report, user=user, now=now)
        _progress(report, 40)
        public = selectors.deidentified(content)
        files: dict[str, tuple[str, bytes]] = {}
        if report.is_township:
            files["pdf"] = ("report.pdf", render.pdf(content))
            _progress(report, 60)
            files["xlsx"] = ("report.xlsx", render.xlsx(content))
            _progress(report, 70)
        files["pdf_public"] = ("report-deidentified.pdf", render.pdf(public))
        _progress(report, 90)
        files["xlsx_public"] = ("report-deidentified.xlsx", render.xlsx(public))
        _progress(report, 95)
    with transaction.atomic():
        if not _mine(report.pk, report.attempts).select_for_update().exists():
            logger.warning("quarterly report %s: the watchdog sent it again; this run is dropped", report.pk)
            return
        for field, (name, data) in files.items():
            getattr(report, field).save(name, ContentFile(data), save=False)
        report.figures = content.headline()
        report.job_status = JobStatus.DONE
        report.progress = 100
        report.error = ""
        report.finished_at = timezone.now()
        report.heartbeat_at = None
        report.save(
            update_fields=[
                *files,
                "figures",
                "job_status",
                "progress",
                "error",
                "finished_at",
                "heartbeat_at",
            ]
        )
        log_event(
            action=Action.EXPORT,
            what="quarterly-report",
            detail=f"generated {report.pk} ({report})",
            user=user,
        )


def reports_watch(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The watchdog of report generations (``shouhu.jobs``): one queued too long without a worker,
    or whose heartbeat stopped, is sent again (``attempts`` + 1: a late worker can no longer write),
    at most ``MAX_REQUEUES`` times; then failed with the reason, and "generate again" is the retry."""
    now = now or timezone.now()
    done = {"requeued": 0, "failed": 0}
    running = (JobStatus.QUEUED, JobStatus.RUNNING)
    lost = QuarterlyReport.objects.filter(job_status__in=running).filter(
        background.lost_filter(now, created="requested_at")
    )
    for report in lost.only("pk", "job_status", "attempts", "heartbeat_at"):
        unchanged = QuarterlyReport.objects.filter(
            pk=report.pk,
            job_status=report.job_status,
            attempts=report.attempts,
            heartbeat_at=report.heartbeat_at,
        )
        if report.attempts < background.max_requeues():
            if (
                unchanged.update(
                    job_status=JobStatus.QUEUED,
                    attempts=F("attempts") + 1,
                    heartbeat_at=None,
                    queued_at=now,
                    progress=0,
                )
                != 1
            ):
                continue  # another watchdog, or the worker, moved it first
            logger.warning(
                "quarterly report %s lost: sent again (attempt %s)", report.pk, report.attempts + 1
            )
            try:
                _enqueue(report.pk, report.attempts + 1)
            except background.QueueUnavailable:
                QuarterlyReport.objects.filter(
                    pk=report.pk, job_status=JobStatus.QUEUED, attempts=report.attempts + 1
                ).update(job_status=JobStatus.FAILED, error=str(background.UNAVAILABLE), finished_at=now)
                done["failed"] += 1
                continue
            done["requeued"] += 1
        elif (
            unchanged.update(
                job_status=JobStatus.FAILED, error=str(background.LOST), finished_at=now, heartbeat_at=None
            )
            == 1
        ):
            logger.warning("quarterly report %s lost %s times: failed", report.pk, report.attempts + 1)
            done["failed"] += 1
    return done


# --- submission: township → county ------------------------------------------------------------------


def _event(report: QuarterlyReport, kind: str, by, comment: str = "", now=None) -> None:
    ReportEvent.objects.create(report=report, kind=kind, by=by, comment=comment, at=now or timezone.now())


def report_submit(*, actor, report: QuarterlyReport, now: dt.datetime | None = None) -> QuarterlyReport:
    """The township's supervisor submits a generated version to the county: the first time, or again
    after the county returned one (the same version or a newer one). One version of a quarter at a
    time waits for the county, and nothing follows an acknowledged one."""
    now = now or timezone.now()
    if not report.is_township:
        raise ValidationError({"status": [_("只有乡镇的季度报告报送县级。")]})
    if not permissions.quarterly_reports.can_generate(actor, report.region_code):
        raise PermissionDenied(_("乡镇的季度报告由本乡镇的儿童督导员报送。"))
    with transaction.atomic():
        report = QuarterlyReport.objects.select_for_update().get(pk=report.pk)
        if report.job_status != JobStatus.DONE:
            raise ValidationError({"status": [_("报告尚未生成完成，不能报送。")]})
        if report.status in (Submission.SUBMITTED, Submission.ACKNOWLEDGED):
            raise ValidationError({"status": [_("这一版本已经报送。")]})
        other = (
            QuarterlyReport.objects.filter(
                region_id=report.region_id,
                year=report.year,
                quarter=report.quarter,
                status__in=[Submission.SUBMITTED, Submission.ACKNOWLEDGED],
            )
            .exclude(pk=report.pk)
            .first()
        )
        if other is not None:
            message = (
                _("本季度第%(v)s版已被县级确认，不再报送。")
                if other.status == Submission.ACKNOWLEDGED
                else _("本季度第%(v)s版已报送，正等待县级审核；被退回后才能再次报送。")
            )
            raise ValidationError({"status": [message % {"v": other.version}]})
        report.status = Submission.SUBMITTED
        report.submitted_by = actor
        report.submitted_at = now
        report.reviewed_by = None
        report.reviewed_at = None
        report.save(update_fields=["status", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at"])
        _event(report, EventKind.SUBMIT, actor, now=now)
        returned = WorkItem.objects.filter(key__startswith=_resubmit_prefix(report))
        escalation.items_complete(items=returned, at=now)
    return report


def _resubmit_prefix(report: QuarterlyReport) -> str:
    return f"quarterly:{report.region_id}:{report.year}Q{report.quarter}:resubmit:"


def _resubmit_item(report: QuarterlyReport, now: dt.datetime) -> None:
    """A returned report is work for whoever submitted it: revise and submit again, on the escalation
    mechanism (late, it reaches the county); done when any version of the quarter is submitted."""
    words = texts.fields(
        "quarterly.resubmit", place=report.region.name, year=report.year, quarter=report.quarter
    )
    escalation.items_ensure(
        [
            escalation.ItemSpec.timed(
                key=f"{_resubmit_prefix(report)}{report.pk}",
                kind=RESUBMIT_KIND,
                made_at=now,
                **words,
                region_code=report.region_id,
                responsible_id=report.submitted_by_id,
                tier=Tier.TOWNSHIP,
            )
        ]
    )


def _review(*, actor, report: QuarterlyReport, kind: str, comment: str, now) -> QuarterlyReport:
    if not permissions.quarterly_reports.can_review(actor, report):
        raise PermissionDenied(
            _("乡镇报送的季度报告由县儿童福利指导中心审核；任何人不能审核自己生成或报送的报告。")
        )
    with transaction.atomic():
        report = QuarterlyReport.objects.select_for_update().get(pk=report.pk)
        if report.status != Submission.SUBMITTED:
            raise ValidationError({"status": [_("只有已报送、等待审核的报告可以确认或退回。")]})
        report.status = Submission.ACKNOWLEDGED if kind == EventKind.ACKNOWLEDGE else Submission.RETURNED
        report.reviewed_by = actor
        report.reviewed_at = now
        report.comment = comment
        report.save(update_fields=["status", "reviewed_by", "reviewed_at", "comment"])
        _event(report, kind, actor, comment, now=now)
        if kind == EventKind.RETURN:
            _resubmit_item(report, now)
    return report


def report_return(
    *, actor, report: QuarterlyReport, comment: str, now: dt.datetime | None = None
) -> QuarterlyReport:
    """The county returns a submitted report with a comment the township sees."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": [_("退回须写明意见，说明需要修改什么。")]})
    return _review(
        actor=actor, report=report, kind=EventKind.RETURN, comment=comment[:1000], now=now or timezone.now()
    )


def report_acknowledge(
    *, actor, report: QuarterlyReport, comment: str = "", now: dt.datetime | None = None
) -> QuarterlyReport:
    """The county acknowledges a submitted report (optionally with a comment)."""
    return _review(
        actor=actor,
        report=report,
        kind=EventKind.ACKNOWLEDGE,
        comment=(comment or "").strip()[:1000],
        now=now or timezone.now(),
    )
