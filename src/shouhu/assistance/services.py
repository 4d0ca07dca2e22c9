"""Every change to assistance: applications through village → township → county, payments, stops.

Each level's work is a ``WorkItem`` on the escalation mechanism (the township's review, the county's
approval, the applicant's correction after a return), so a step left undone climbs to the county with
notifications. Refusals are ``PermissionDenied`` (the wrong person or level) and ``ValidationError`` (the
application is not in a state for it, or the child does not qualify), with a Chinese message saying
what is wrong; nothing is half-saved.

The loop with protection runs both ways (DOMAIN: money is not protection): a stop opens a check of the
child's situation for the village director, and a case opened by the ``parents_unable`` rule opens an
eligibility review (``case_opened``, which ``cases.services.case_open`` calls).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shouhu import versioning
from shouhu.accounts import responsible
from shouhu.accounts.models import Role, User
from shouhu.children.models import Child
from shouhu.children.validators import add_years
from shouhu.escalation import services as escalation
from shouhu.escalation import texts
from shouhu.escalation.models import Status, Tier, WorkItem
from shouhu.regions.codes import county_of, township_of

from . import eligibility, permissions
from .models import (
    Application,
    ApplicationStatus,
    ApplicationStep,
    AssistanceType,
    CountyAmount,
    Level,
    Payment,
    StepAction,
)

KIND_TOWNSHIP = "assistance.township"
KIND_COUNTY = "assistance.county"
KIND_RETURNED = "assistance.returned"
KIND_CHECK = "assistance.check"
KIND_REVIEW = "assistance.review"

ACTS = {
    ApplicationStatus.SUBMITTED: Level.TOWNSHIP,
    ApplicationStatus.TOWNSHIP_APPROVED: Level.COUNTY,
    ApplicationStatus.RETURNED: Level.VILLAGE,
}


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


# --- people ----------------------------------------------------------------------------------------


def director_of(child: Child) -> User | None:
    return responsible.director_of(child.village_id)


def _first_user(role: str, region: str) -> User | None:
    return User.objects.filter(is_active=True, role=role, region_id=region).order_by("date_joined").first()


# --- work items ------------------------------------------------------------------------------------


def _item(
    *,
    key: str,
    kind: str,
    words: dict,
    child: Child,
    responsible: User | None,
    tier: int,
    now: dt.datetime,
) -> WorkItem:
    # The days and tiers are the table's (``escalation.deadlines``).
    spec = escalation.ItemSpec.timed(
        key=key,
        kind=kind,
        made_at=now,
        **words,
        region_code=child.region_code,
        child_id=child.pk,
        responsible_id=responsible.pk if responsible else None,
        tier=tier,
    )
    escalation.items_ensure([spec])
    return WorkItem.objects.get(key=key)


def _next_item(application: Application, *, now: dt.datetime) -> WorkItem | None:
    """The work item of whoever acts next on the application."""
    child = application.child
    n = application.steps.count()
    base = f"assistance:{application.pk}:{n}"
    with translation.override(settings.LANGUAGE_CODE):  # stored: the registry's language
        if application.status == ApplicationStatus.SUBMITTED:
            return _item(
                key=f"{base}:township",
                kind=KIND_TOWNSHIP,
                words=texts.fields("assistance.township", name=child.name, type=application.type_id),
                child=child,
                responsible=_first_user(Role.TOWNSHIP_SUPERVISOR, township_of(child.region_code)),
                tier=Tier.TOWNSHIP,
                now=now,
            )
        if application.status == ApplicationStatus.TOWNSHIP_APPROVED:
            return _item(
                key=f"{base}:county",
                kind=KIND_COUNTY,
                words=texts.fields("assistance.county", name=child.name, type=application.type_id),
                child=child,
                responsible=_first_user(Role.CIVIL_AFFAIRS, county_of(child.region_code)),
                tier=Tier.COUNTY,
                now=now,
            )
        if application.status == ApplicationStatus.RETURNED:
            return _item(
                key=f"{base}:returned",
                kind=KIND_RETURNED,
                words=texts.fields("assistance.returned", name=child.name, type=application.type_id),
                child=child,
                responsible=application.applicant,
                tier=Tier.VILLAGE,
                now=now,
            )
    return None


def _advance(application: Application, *, now: dt.datetime) -> None:
    if application.work_item_id:
        escalation.items_complete(items=WorkItem.objects.filter(pk=application.work_item_id), at=now)
    application.work_item = _next_item(application, now=now)
    application.save()


def _step(application: Application, *, level: str, action: str, by, comment: str = "", now=None) -> None:
    ApplicationStep.objects.create(
        application=application,
        level=level,
        action=action,
        by=by,
        comment=comment[:500],
        at=now or timezone.now(),
    )


# --- eligibility -----------------------------------------------------------------------------------


def _require_eligible(child: Child, assistance_type: AssistanceType, on: dt.date) -> eligibility.Result:
    result = eligibility.check(child, assistance_type, on)
    if not result.eligible:
        raise ValidationError(
            {
                "type": [
                    _("%(name)s不符合“%(type)s”的条件。%(reason)s")
                    % {"name": child.name, "type": assistance_type, "reason": result.reason}
                ]
            }
        )
    with translation.override(settings.LANGUAGE_CODE):  # kept with the application: the registry's words
        return eligibility.check(child, assistance_type, on)


# --- applications ----------------------------------------------------------------------------------


def application_submit(
    *, actor, child: Child, assistance_type: AssistanceType, reason: str, now: dt.datetime | None = None
) -> Application:
    """The village director applies for a child of the village; refused when the child does not qualify
    (with the rule that failed) or already has an open application of the type."""
    now = now or timezone.now()
    if not permissions.applications.can_apply(actor, child):
        raise PermissionDenied(_("救助申请由儿童所在村的儿童主任提交。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("请填写申请理由。")]})
    if not assistance_type.active:
        raise ValidationError({"type": [_("该救助类型已停用。")]})
    result = _require_eligible(child, assistance_type, timezone.localdate(now))
    with transaction.atomic():
        if Application.objects.filter(
            child=child, type=assistance_type, status__in=ACTS.keys() | {ApplicationStatus.APPROVED}
        ).exists():
            raise ValidationError({"type": [_("该儿童已有一份同类救助申请在办理或发放中。")]})
        application = Application.objects.create(
            child=child,
            region_code=child.region_code,
            type=assistance_type,
            reason=reason.strip(),
            applicant=actor,
            eligibility=result.as_list(),
            created_at=now,
        )
        _step(application, level=Level.VILLAGE, action=StepAction.SUBMIT, by=actor, comment=reason, now=now)
        _advance(application, now=now)
        # Applying is what the eligibility review asked for.
        escalation.items_complete(
            items=WorkItem.objects.filter(child=child, kind=KIND_REVIEW, status=Status.OPEN), at=now
        )
    return application


def _moved(application: Application) -> str:
    """The decision was taken by someone else first."""
    return _("该申请已被他人处理，当前为“%(status)s”。") % {"status": application.get_status_display()}


def _check_level(actor, application: Application) -> str:
    """The level that acts now, checked against the actor; refusals say who must act."""
    level = ACTS.get(application.status)
    if level not in (Level.TOWNSHIP, Level.COUNTY):
        raise ValidationError(
            {
                "status": [
                    _("该申请当前为“%(status)s”，不能审批或退回。")
                    % {"status": application.get_status_display()}
                ]
            }
        )
    if actor.pk == application.applicant_id:
        raise PermissionDenied(_("不能审批自己提交的申请。"))
    if level == Level.TOWNSHIP and not permissions.applications.can_review(actor, application.region_code):
        raise PermissionDenied(_("该申请等待乡镇审核，须由儿童所在乡镇的儿童督导员办理，不能越级。"))
    if level == Level.COUNTY:
        if not permissions.applications.can_approve(actor, application.region_code):
            raise PermissionDenied(_("该申请等待县级审批，须由县民政部门办理。"))
        township = application.steps.filter(level=Level.TOWNSHIP, action=StepAction.APPROVE).last()
        if township and township.by_id == actor.pk:
            raise PermissionDenied(_("乡镇审核人不能再作县级审批。"))
    return level


def application_approve(
    *,
    actor,
    application: Application,
    comment: str = "",
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Application:
    """The township passes the application to the county; the county approves it. One level at a time."""
    now = now or timezone.now()
    with transaction.atomic():
        application = versioning.locked(
            application,
            expected=expected_version,
            seen_status=application.status,
            message=_moved,
        )
        level = _check_level(actor, application)
        if level == Level.TOWNSHIP:
            application.status = ApplicationStatus.TOWNSHIP_APPROVED
        else:
            result = _require_eligible(application.child, application.type, timezone.localdate(now))
            application.eligibility = result.as_list()
            application.status = ApplicationStatus.APPROVED
            application.decided_at = now
            application.starts_on = month_start(timezone.localdate(now))
        _step(application, level=level, action=StepAction.APPROVE, by=actor, comment=comment, now=now)
        _advance(application, now=now)
    return application


def application_return(
    *,
    actor,
    application: Application,
    reason: str,
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Application:
    """Either level sends the application back to the applicant with a reason the applicant sees."""
    now = now or timezone.now()
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("退回须说明原因。")]})
    with transaction.atomic():
        application = versioning.locked(
            application,
            expected=expected_version,
            seen_status=application.status,
            message=_moved,
        )
        level = _check_level(actor, application)
        application.status = ApplicationStatus.RETURNED
        application.returned_by_level = level
        application.return_reason = reason.strip()[:500]
        _step(application, level=level, action=StepAction.RETURN, by=actor, comment=reason.strip(), now=now)
        _advance(application, now=now)
    return application


def application_resubmit(
    *,
    actor,
    application: Application,
    reason: str = "",
    comment: str = "",
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Application:
    """The applicant (or the village's director) corrects a returned application; it starts again at the
    township, whichever level returned it."""
    now = now or timezone.now()
    if not permissions.applications.can_apply(actor, application.child):
        raise PermissionDenied(_("救助申请由儿童所在村的儿童主任提交。"))
    with transaction.atomic():
        application = versioning.locked(
            application,
            expected=expected_version,
            seen_status=application.status,
            message=_moved,
        )
        if application.status != ApplicationStatus.RETURNED:
            raise ValidationError({"status": [_("只有被退回的申请可以重新提交。")]})
        _require_eligible(application.child, application.type, timezone.localdate(now))
        if (reason or "").strip():
            application.reason = reason.strip()
        application.status = ApplicationStatus.SUBMITTED
        _step(
            application,
            level=Level.VILLAGE,
            action=StepAction.RESUBMIT,
            by=actor,
            comment=(comment or reason or "").strip(),
            now=now,
        )
        _advance(application, now=now)
    return application


# --- payments --------------------------------------------------------------------------------------


def amount_for(assistance_type: AssistanceType, county: str, on: dt.date) -> Decimal | None:
    row = (
        CountyAmount.objects.filter(type=assistance_type, county_id=county, from_date__lte=on)
        .order_by("-from_date")
        .first()
    )
    return row.monthly_amount if row else None


def payment_record(
    *,
    actor,
    application: Application,
    month: dt.date,
    paid_on: dt.date,
    amount: Decimal | None = None,
) -> Payment:
    """The county records a month's payment. Refused before approval, before the first month, for a
    month that begins on or after the stop date, twice for a month, and a second time for a one-off type."""
    if not permissions.applications.can_approve(actor, application.region_code):
        raise PermissionDenied(_("发放记录由县民政部门登记。"))
    month = month_start(month)
    errors: dict[str, list[str]] = {}
    if application.status not in (ApplicationStatus.APPROVED, ApplicationStatus.STOPPED):
        raise ValidationError({"status": [_("申请尚未批准，不能登记发放。")]})
    if application.stopped_on and month >= application.stopped_on:
        errors.setdefault("month", []).append(
            _("该救助已于 %(date)s 停发（%(reason)s），不能登记 %(month)s 的发放。")
            % {
                "date": application.stopped_on.isoformat(),
                "reason": application.stop_reason,
                "month": f"{month:%Y-%m}",
            }
        )
    elif application.starts_on and month < application.starts_on:
        errors.setdefault("month", []).append(
            _("发放起始月为 %(start)s，不能登记更早的月份。") % {"start": f"{application.starts_on:%Y-%m}"}
        )
    if paid_on > timezone.localdate():
        errors.setdefault("paid_on", []).append(_("发放日期不能晚于今天。"))
    if amount is None:
        amount = amount_for(application.type, county_of(application.region_code), month)
        if amount is None:
            errors.setdefault("amount", []).append(_("本县尚未设定该救助类型的标准，请填写金额。"))
    elif amount <= 0:
        errors.setdefault("amount", []).append(_("金额须大于0。"))
    if not application.type.monthly and application.payments.exists():
        errors.setdefault("month", []).append(_("一次性救助只能发放一次。"))
    elif application.payments.filter(month=month).exists():
        errors.setdefault("month", []).append(_("%(month)s 已登记发放。") % {"month": f"{month:%Y-%m}"})
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return Payment.objects.create(
                application=application, month=month, amount=amount, paid_on=paid_on, recorded_by=actor
            )
    except IntegrityError as exc:  # the same month recorded by someone else a moment ago
        raise ValidationError({"month": [_("%(month)s 已登记发放。") % {"month": f"{month:%Y-%m}"}]}) from exc


# --- stops and the nightly re-check ----------------------------------------------------------------


def _stop(application: Application, *, stopped_on: dt.date, reason: str, by, now: dt.datetime) -> None:
    child = application.child
    application.status = ApplicationStatus.STOPPED
    application.stopped_on = stopped_on
    application.stop_reason = reason[:300]
    _step(application, level=Level.COUNTY, action=StepAction.STOP, by=by, comment=reason, now=now)
    _advance(application, now=now)
    # Money is not protection: a stop sends the director to see how the child is now.
    words = texts.fields("assistance.check", name=child.name, type=application.type_id, reason=reason)
    _item(
        key=f"assistance:{application.pk}:check",
        kind=KIND_CHECK,
        words=words,
        child=child,
        responsible=director_of(child),
        tier=Tier.VILLAGE,
        now=now,
    )


def application_stop(
    *,
    actor,
    application: Application,
    reason: str,
    stopped_on: dt.date | None = None,
    now=None,
    expected_version: int | None = None,
) -> Application:
    """The county stops a payment when the situation ends (a parent back home and able to care …)."""
    now = now or timezone.now()
    if not permissions.applications.can_approve(actor, application.region_code):
        raise PermissionDenied(_("停发由县民政部门办理。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("停发须说明原因。")]})
    with transaction.atomic():
        application = versioning.locked(
            application,
            expected=expected_version,
            seen_status=application.status,
            message=_moved,
        )
        if application.status != ApplicationStatus.APPROVED:
            raise ValidationError({"status": [_("只有发放中的救助可以停发。")]})
        _stop(
            application,
            stopped_on=stopped_on or timezone.localdate(now),
            reason=reason.strip(),
            by=actor,
            now=now,
        )
    return application


def _stop_date(application: Application, result: eligibility.Result, on: dt.date) -> dt.date:
    failed = {o.code for o in result.failed}
    child = application.child
    if "not_exited" in failed and child.exited_on:
        return child.exited_on
    if "max_age" in failed:
        return add_years(child.birth_date, application.type.rule["max_age"])
    return on


def nightly(on: dt.date | None = None) -> dict[str, int]:
    """The periodic re-check: every approved application whose child no longer qualifies on ``on`` (turned
    18, left the category, exited) is stopped with the reason, and a check of the child is opened."""
    on = on or timezone.localdate()
    now = timezone.now()
    counts = {"checked": 0, "stopped": 0}
    approved = Application.objects.filter(status=ApplicationStatus.APPROVED).select_related(
        "child__village", "type"
    )
    for application in approved.iterator(chunk_size=500):
        counts["checked"] += 1
        with translation.override(settings.LANGUAGE_CODE):
            result = eligibility.check(application.child, application.type, on)
            if result.eligible:
                continue
            reason = result.reason
        with transaction.atomic():
            _stop(
                application, stopped_on=_stop_date(application, result, on), reason=reason, by=None, now=now
            )
        counts["stopped"] += 1
    return counts


OPENS_REVIEW = {"parents_unable"}  # the rules whose case opens an eligibility review


def case_opened(*, case) -> WorkItem | None:
    """A case the rules opened because the parents cannot guard opens an eligibility review."""
    from shouhu.cases.models import CaseSource

    if case.source != CaseSource.RULE or case.alert is None or case.alert.rule not in OPENS_REVIEW:
        return None
    return eligibility_review_open(child=case.child, case=case)


def eligibility_review_open(*, child: Child, case, now: dt.datetime | None = None) -> WorkItem:
    """A case opened because the parents cannot guard: the director reviews which assistance fits."""
    now = now or timezone.now()
    words = texts.fields("assistance.review", name=child.name)
    return _item(
        key=f"assistance-review:{case.pk}",
        kind=KIND_REVIEW,
        words=words,
        child=child,
        responsible=director_of(child),
        tier=Tier.VILLAGE,
        now=now,
    )
