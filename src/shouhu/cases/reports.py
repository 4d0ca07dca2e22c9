"""Mandatory reports (强制报告): filed by anyone with a reporting duty, numbered at once, triaged by the
township within a deadline, linked to a child by a person, then made a case or closed with a reason.

A report is never lost: without an identifiable child it stays on the township's list, unlinked. Filing
about a child outside one's jurisdiction is accepted and routed to that township, but it grants the
reporter no access to the child's file; the reporter sees only the report's own status.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shouhu import versioning
from shouhu.accounts import access
from shouhu.children import idnumber
from shouhu.children.models import Child
from shouhu.escalation import deadlines, texts
from shouhu.escalation import services as escalation
from shouhu.escalation.models import Tier, WorkItem
from shouhu.regions.codes import county_of, is_within
from shouhu.regions.models import Region

from . import services
from .models import Case, CaseSource, HarmType, Report, ReportStatus, Urgency

REPORT_KIND = "report.triage"
# The hours to triage a report, by its urgency (``escalation.deadlines``).
TRIAGE = {u: deadlines.deadline_of(f"{REPORT_KIND}.{u}") for u in Urgency}
TRIAGE_HOURS = {u: d.answer // dt.timedelta(hours=1) for u, d in TRIAGE.items()}


def report_file(
    *,
    actor,
    harm_type: str,
    description: str,
    seen_at: dt.datetime,
    urgency: str,
    township: str,
    village: str | None = None,
    child_name: str = "",
    child_birth_date: dt.date | None = None,
    child_id_number: str = "",
) -> Report:
    errors: dict[str, list[str]] = {}
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied(_("请先登录。"))
    if not HarmType.objects.filter(code=harm_type).exists():
        errors["harm_type"] = [_("请选择报告情形。")]
    if not (description or "").strip():
        errors["description"] = [_("请描述所见情况。")]
    if seen_at and seen_at > timezone.now() + dt.timedelta(minutes=5):
        errors["seen_at"] = [_("发现时间不能晚于现在。")]
    if urgency not in Urgency.values:
        errors["urgency"] = [_("请选择紧急程度。")]
    if not Region.objects.filter(code=township, level=4).exists():
        errors["township"] = [_("请选择儿童所在的乡镇（街道）。")]
    if village and not (
        is_within(village, township) and Region.objects.filter(code=village, level=5).exists()
    ):
        errors["village"] = [_("该村/社区不属于所选乡镇。")]
    if child_id_number:
        try:
            child_id_number = idnumber.validate(child_id_number)
        except idnumber.InvalidIdNumber as exc:
            errors["child_id_number"] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        report = Report.objects.create(
            reference=f"BG-{township}-{now:%Y%m%d}-{uuid.uuid4().hex[:6].upper()}",
            reporter=actor,
            harm_type_id=harm_type,
            description=description,
            seen_at=seen_at or now,
            urgency=urgency,
            township_id=township,
            village_id=village or None,
            child_name=child_name,
            child_birth_date=child_birth_date,
            child_id_number=child_id_number,
        )
        report.work_item = escalation.item_create(
            escalation.ItemSpec.timed(
                key=f"report:{report.pk}",
                kind=REPORT_KIND,
                made_at=now,
                deadline=TRIAGE[urgency],
                **texts.fields("report.triage", reference=report.reference),
                region_code=village or township,
                tier=Tier.VILLAGE,
            )
        )
        report.save(update_fields=["work_item"])
        # The township hears of it at once; an unmatched ID number leaves it for a person to link.
        escalation.escalate(now=now, items=WorkItem.objects.filter(pk=report.work_item_id))
        if child_id_number:
            child = Child.objects.filter(id_number=child_id_number).first()
            if child and is_within(child.region_code, township):
                _link(report, child)
    return report


def candidates(*, user, report: Report):
    """Registered children the report may be about, for the person who links it (never automatic by
    name: names repeat; the ID number or name + birth date + village narrows it)."""
    qs = access.children_visible_to(user).filter(region_code__within=report.village_id or report.township_id)
    q = Q(pk__in=[])
    if report.child_id_number:
        q |= Q(id_number=report.child_id_number)
    if report.child_name:
        by_name = Q(name=report.child_name)
        if report.child_birth_date:
            by_name &= Q(birth_date=report.child_birth_date)
        q |= by_name
    return qs.filter(q)


def _link(report: Report, child: Child) -> None:
    report.child = child
    report.status = ReportStatus.LINKED
    report.save(update_fields=["child", "status"])
    services.evaluate_child(child=child)


def report_link(*, actor, report: Report, child: Child) -> Report:
    if not access.can_manage_work(actor, report.township_id) or not access.can_view(actor, child):
        raise PermissionDenied(_("只有乡镇督导员或县级工作人员可以核查报告。"))
    if not is_within(child.region_code, county_of(report.township_id)):
        raise ValidationError({"child": [_("该儿童不在报告所在县。")]})
    with transaction.atomic():
        _link(report, child)
    return report


def report_to_case(*, actor, report: Report, risk_level: str = "high", parties: list[str] | None = None):
    if report.child_id is None:
        raise ValidationError({"child": [_("请先确认报告涉及的儿童。")]})
    if not access.can_manage_work(actor, report.township_id):
        raise PermissionDenied(_("只有乡镇督导员或县级工作人员可以立案。"))
    with transaction.atomic():
        # Once means once: the report's row is locked, so of several clicks at once the later ones
        # find the case the first opened; the unique constraint on Case.report is the last word.
        Report.objects.select_for_update().filter(pk=report.pk).first()
        _no_case_yet(report)
        try:
            with transaction.atomic():
                case = services.case_open(
                    actor=actor,
                    child=report.child,
                    source=CaseSource.REPORT,
                    report=report,
                    risk_level=risk_level,
                    parties=parties,
                    note=report.description[:500],
                )
        except IntegrityError:
            _no_case_yet(report)
            raise
        report.status = ReportStatus.CASE
        report.save(update_fields=["status"])
        escalation.items_complete(items=WorkItem.objects.filter(pk=report.work_item_id))
    return case


def _no_case_yet(report: Report) -> None:
    """``versioning.Conflict`` with the report's case, if it has one."""
    existing = Case.objects.filter(report_id=report.pk).select_related("opened_by").first()
    if existing is not None:
        raise versioning.Conflict(
            existing,
            _("该报告已于 %(when)s 由%(who)s立案，未重复立案。")
            % {
                "when": timezone.localtime(existing.opened_at).strftime("%Y-%m-%d %H:%M"),
                "who": existing.opened_by or _("系统"),
            },
        )


def report_close(*, actor, report: Report, reason: str) -> Report:
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("办结须说明原因。")]})
    if not access.can_manage_work(actor, report.township_id):
        raise PermissionDenied(_("只有乡镇督导员或县级工作人员可以办结报告。"))
    with transaction.atomic():
        report.status = ReportStatus.CLOSED
        report.closed_reason = reason[:300]
        report.save(update_fields=["status", "closed_reason"])
        escalation.items_complete(items=WorkItem.objects.filter(pk=report.work_item_id))
        if report.child_id:
            services.evaluate_child(child=report.child)
    return report
