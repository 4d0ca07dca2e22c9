"""Every write of the privacy module: the basis for holding a child's data, photo consent, guardians'
requests, archiving and anonymisation. Views, the admin and commands call these functions.

Anonymisation goes through the ORM only (instances saved one by one), never raw SQL on the personal
columns, so that fields stored encrypted or with a keyed hash beside them are written as the field
itself writes them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouhu.accounts import access
from shouhu.audit import redact
from shouhu.audit.models import Action
from shouhu.audit.retention import blank_child_rows
from shouhu.audit.services import log_event
from shouhu.children.models import Carer, Child, NameToken, Parent, RescueContact
from shouhu.children.options import ExitReason
from shouhu.children.validators import add_years
from shouhu.escalation.deadlines import deadline_of

from .models import Archive, ArchiveReason, Basis, DataBasis, GuardianRequest, RequestKind, RequestStatus

REQUEST_ITEM_KIND = "privacy.request"
NEUTRAL_NAME = "匿名"


def _may_manage(actor, child: Child) -> None:
    if not access.can_edit(actor, child):
        raise PermissionDenied(_("只有负责该儿童所在辖区的工作人员可以记录个人信息处理依据和监护人请求。"))


# --- basis and photo consent ------------------------------------------------------------------------


def basis_of(child: Child) -> DataBasis | None:
    return DataBasis.objects.filter(child_id=child.pk).first()


def basis_record(
    *,
    actor,
    child: Child,
    basis: str,
    consent_on: dt.date | None = None,
    consent_by: str = "",
    consent_relation: str = "",
    scope: str = "",
    photo_consent: bool = False,
    photo_consent_on: dt.date | None = None,
) -> DataBasis:
    """Record why the county holds the child's data. Withdrawing photo consent removes the photo."""
    _may_manage(actor, child)
    errors: dict[str, list[str]] = {}
    if basis not in Basis.values:
        errors["basis"] = [_("请选择处理依据。")]
    if basis == Basis.CONSENT:
        if not consent_on:
            errors["consent_on"] = [_("监护人同意须填写同意日期。")]
        if not consent_by.strip():
            errors["consent_by"] = [_("监护人同意须填写同意人。")]
        if not scope.strip():
            errors["scope"] = [_("监护人同意须写明同意的范围。")]
    today = timezone.localdate()
    if consent_on and consent_on > today:
        errors.setdefault("consent_on", []).append(_("同意日期不能晚于今天。"))
    if photo_consent and not photo_consent_on:
        photo_consent_on = today
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        record, _created = DataBasis.objects.update_or_create(
            child=child,
            defaults=dict(
                basis=basis,
                consent_on=consent_on if basis == Basis.CONSENT else None,
                consent_by=consent_by.strip() if basis == Basis.CONSENT else "",
                consent_relation=consent_relation.strip() if basis == Basis.CONSENT else "",
                scope=scope.strip(),
                photo_consent=photo_consent,
                photo_consent_on=photo_consent_on if photo_consent else None,
                recorded_by=actor,
                recorded_at=timezone.now(),
            ),
        )
        if photo_consent != child.photo_consent or (not photo_consent and child.photo):
            if not photo_consent:
                _remove_photo(child)
            child.photo_consent = photo_consent
            child.save(update_fields=["photo", "photo_consent"])
    return record


def _remove_photo(child: Child) -> None:
    if child.photo:
        child.photo.delete(save=False)
    child.photo = ""


def photo_permitted(child: Child) -> bool:
    """A child's photo may be shown only while the guardian's photo consent stands.

    The consent is on the file (``Child.photo_consent``, asked when the photo is uploaded) and, once a
    basis is recorded here, in ``DataBasis.photo_consent``; both must hold. An anonymised file has none.
    """
    if not child.photo or not child.photo_consent:
        return False
    basis = basis_of(child)
    if basis is not None and not basis.photo_consent:
        return False
    return not Archive.objects.filter(child_id=child.pk, anonymised_at__isnull=False).exists()


# --- guardians' requests ----------------------------------------------------------------------------


def request_record(
    *,
    actor,
    child: Child,
    kind: str,
    requester: str,
    relation: str,
    received_on: dt.date,
    details: str = "",
) -> GuardianRequest:
    """Record a guardian's request to see or correct the child's data; it is due in 15 days on the
    escalation mechanism (a work item that climbs to the township and county when missed)."""
    from shouhu.escalation import texts
    from shouhu.escalation.models import WorkItem
    from shouhu.escalation.services import ItemSpec, items_ensure

    _may_manage(actor, child)
    errors: dict[str, list[str]] = {}
    if kind not in RequestKind.values:
        errors["kind"] = [_("请选择请求类型（查阅或更正）。")]
    if not requester.strip():
        errors["requester"] = [_("请填写请求人姓名。")]
    if not relation.strip():
        errors["relation"] = [_("请填写请求人与儿童的关系。")]
    if received_on and received_on > timezone.localdate():
        errors["received_on"] = [_("收到日期不能晚于今天。")]
    if errors:
        raise ValidationError(errors)
    due_on = received_on + deadline_of(REQUEST_ITEM_KIND).answer
    with transaction.atomic():
        req = GuardianRequest.objects.create(
            child=child,
            region_code=child.region_code,
            kind=kind,
            requester=requester.strip(),
            relation=relation.strip(),
            received_on=received_on,
            details=details.strip(),
            due_on=due_on,
            recorded_by=actor,
        )
        due_at = timezone.make_aware(dt.datetime.combine(due_on, dt.time(23, 59)))
        key = f"privacy:request:{req.pk}"
        items_ensure(
            [
                ItemSpec.timed(
                    key=key,
                    kind=REQUEST_ITEM_KIND,
                    made_at=timezone.now(),
                    **texts.fields("privacy.request", request=req.kind, due=due_on.isoformat()),
                    region_code=child.region_code,
                    due_at=due_at,
                    child_id=child.pk,
                    responsible_id=actor.pk,
                )
            ]
        )
        req.work_item = WorkItem.objects.get(key=key)
        req.save(update_fields=["work_item"])
    return req


def request_answer(*, actor, request: GuardianRequest, answer: str, answered_on: dt.date | None = None):
    """Record the answer given to the guardian; the work item is done."""
    from shouhu.escalation.models import WorkItem
    from shouhu.escalation.services import items_complete

    _may_manage(actor, request.child)
    if request.status == RequestStatus.ANSWERED:
        raise ValidationError({"answer": [_("该请求已经答复。")]})
    if not answer.strip():
        raise ValidationError({"answer": [_("请填写答复内容。")]})
    with transaction.atomic():
        request.answer = answer.strip()
        request.answered_on = answered_on or timezone.localdate()
        request.answered_by = actor
        request.status = RequestStatus.ANSWERED
        request.save(update_fields=["answer", "answered_on", "answered_by", "status"])
        if request.work_item_id:
            items_complete(items=WorkItem.objects.filter(pk=request.work_item_id))
    return request


# --- archiving --------------------------------------------------------------------------------------


def archive_child(*, child: Child, at: dt.datetime | None = None) -> Archive | None:
    """Archive the file of a child who has left the register (``exited_on`` set); once only."""
    if not child.exited_on:
        return None
    reason = ArchiveReason.AGED_OUT if child.exit_reason == ExitReason.AGED_OUT else ArchiveReason.EXITED
    if at is None:
        # Retention runs from leaving: an exit recorded late is archived as of its date.
        left = timezone.make_aware(dt.datetime.combine(child.exited_on, dt.time(0, 0)))
        at = min(left, timezone.now())
    archive, created = Archive.objects.get_or_create(
        child_id=child.pk, defaults={"reason": reason, "archived_at": at, "exited_on": child.exited_on}
    )
    if not created and not archive.anonymised_at and archive.exited_on != child.exited_on:
        # The child came back and has left again: the retention period runs from the new exit.
        archive.archived_at, archive.reason, archive.exited_on = at, reason, child.exited_on
        archive.save(update_fields=["archived_at", "reason", "exited_on"])
        created = True
    if created:
        log_event(
            action=Action.ARCHIVE,
            what="archive",
            detail=f"reason={reason}",
            child_id=child.pk,
            region_code=child.region_code,
        )
    return archive


def archive_due(*, on: dt.date | None = None) -> int:
    """Archive every child who has turned 18 or left by ``on``: the net under the registry's
    after-change step (``children.after``), for exits written in bulk. Returns how many files were
    archived.

    A child who turns 18 is first exited by the registry's own rule (``children.services.child_reclassify``),
    whose after-change step archives the file.
    """
    from shouhu.children import services as child_services

    on = on or timezone.localdate()
    before = Archive.objects.count()
    for child in Child.objects.filter(exited_on__isnull=True, birth_date__lte=add_years(on, -18)).iterator():
        child_services.child_reclassify(child=child, on=on)
    for child in Child.objects.filter(exited_on__lte=on, archive__isnull=True).iterator():
        archive_child(child=child)
    return Archive.objects.count() - before


def is_archived(child: Child) -> bool:
    return Archive.objects.filter(child_id=child.pk).exists()


# --- anonymisation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Blank:
    """The personal fields of a model, and the neutral value each gets."""

    model: type[models.Model]
    child_path: str  # how the model names its child: "id" for Child itself, "child_id" for the others
    fields: dict[str, object] = field(default_factory=dict)


def _personal() -> list[Blank]:
    from shouhu.visits.models import Visit

    return [
        Blank(
            Child,
            "id",
            {
                "name": NEUTRAL_NAME,
                "id_number": None,
                "address": "",
                "found_place": "",
                "placement": "",
                "illness": "",
                "photo": "",
                "photo_consent": False,
            },
        ),
        Blank(
            Parent,
            "child_id",
            {"name": "", "id_number": "", "phone": "", "birth_date": None},
        ),
        Blank(
            Carer,
            "child_id",
            {"name": NEUTRAL_NAME, "id_number": "", "phone": "", "address": "", "birth_date": None},
        ),
        Blank(RescueContact, "child_id", {"name": NEUTRAL_NAME, "phone": ""}),
        Blank(Visit, "child_id", {"notes": "", "photo": ""}),
        Blank(DataBasis, "child_id", {"consent_by": "", "consent_relation": ""}),
        Blank(GuardianRequest, "child_id", {"requester": "", "details": "", "answer": ""}),
    ]


# Free texts about the child kept by other modules: emptied on anonymisation, with their history if any.
# A module that is not installed, or a field that is not there, is skipped.
OTHER_TEXTS = (
    ("referrals.Referral", "child_id", ("need", "closing_report", "decline_reason", "revoke_reason")),
    ("assistance.Application", "child_id", ("reason", "return_reason", "stop_reason")),
    ("visits.InvestigationItem", "child_id", ("note",)),
    ("accounts.Grant", "child_id", ("note", "note_params")),
)


def _blank_other_texts(child_id) -> int:
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist

    n = 0
    for path, key, names in OTHER_TEXTS:
        try:
            model = apps.get_model(path)
        except LookupError:
            continue
        present = []
        for name in names:
            try:
                model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            present.append(name)
        if not present:
            continue
        fields = dict.fromkeys(present, "")
        n += _blank_rows(model.objects.filter(**{key: child_id}), model, fields)
        if hasattr(model, "history"):
            n += _blank_rows(model.history.model.objects.filter(**{key: child_id}).iterator(), model, fields)
    return n


def _without_name(value, old_name: str):
    """A stored text's parameters (``escalation.texts``) with the child's name replaced, at any depth."""
    if isinstance(value, str):
        return value.replace(old_name, NEUTRAL_NAME)
    if isinstance(value, list):
        return [_without_name(v, old_name) for v in value]
    if isinstance(value, dict):
        return {k: _without_name(v, old_name) for k, v in value.items()}
    return value


def _neutral(model, name: str, value):
    """``None`` for a nullable field asked to be emptied, ``''`` otherwise: whatever the field stores."""
    if value in ("", None):
        return None if model._meta.get_field(name).null else ""
    return value


def _blank_rows(rows, model, fields: dict[str, object]) -> int:
    n = 0
    for row in rows:
        for name, value in fields.items():
            setattr(row, name, _neutral(model, name, value))
        row.save()
        n += 1
    return n


def _generalise_birth_date(child: Child) -> None:
    """Keep the year and month (age bands stay right), drop the day."""
    if child.birth_date:
        child.birth_date = child.birth_date.replace(day=1)


def anonymise_child(*, child: Child, now: dt.datetime | None = None) -> dict[str, int]:
    """Replace the personal fields of an archived child's file with neutral values: in the live rows,
    in their history, in the case and report texts, and in the access-log rows that name the child.

    Kept: gender, categories and their events, health and disability categories, schooling, region,
    every date of the work (visits, cases, reports, exits) and the birth year and month — what the
    statistics count. Returns how many rows of each kind were changed.
    """
    from shouhu.cases.models import Case, CaseEvent, Report
    from shouhu.escalation.models import Notification, WorkItem
    from shouhu.visits.models import Visit

    now = now or timezone.now()
    counts: dict[str, int] = {}
    with transaction.atomic():
        archive = Archive.objects.select_for_update().get(child_id=child.pk)
        if archive.anonymised_at:
            return {}
        child = Child.objects.get(pk=child.pk)
        old_name = child.name
        old_id = child.id_number or ""
        # Files first (they are not rows): the child's photo and the visit photos.
        if child.photo:
            child.photo.delete(save=False)
        for visit in Visit.objects.filter(child_id=child.pk).exclude(photo=""):
            visit.photo.delete(save=False)
        for spec in _personal():
            if spec.model is Child:
                live_rows = [child]
                _generalise_birth_date(child)
            else:
                live_rows = list(spec.model.objects.filter(**{spec.child_path: child.pk}))
            counts[spec.model._meta.model_name] = _blank_rows(live_rows, spec.model, spec.fields)
            history = spec.model.history.model.objects.filter(**{spec.child_path: child.pk})
            extra = {"birth_date": child.birth_date} if spec.model is Child else {}
            counts[f"history.{spec.model._meta.model_name}"] = _blank_rows(
                history.iterator(), spec.model, {**spec.fields, **extra}
            )
        NameToken.objects.filter(child_id=child.pk).delete()
        counts["other_texts"] = _blank_other_texts(child.pk)
        counts["cases"] = 0
        for case in Case.objects.filter(child_id=child.pk):
            case.plan, case.outcome, case.parties = "", "", []
            case.save(update_fields=["plan", "outcome", "parties"])
            counts["cases"] += 1
        counts["case_events"] = CaseEvent.objects.filter(case__child_id=child.pk).update(text="")
        counts["reports"] = 0
        for report in Report.objects.filter(child_id=child.pk):
            report.child_name = ""
            report.child_id_number = _neutral(Report, "child_id_number", "")
            report.description = ""
            report.save()
            counts["reports"] += 1
        counts["work_items"] = 0
        if old_name:
            for item in WorkItem.objects.filter(child_id=child.pk):
                params = _without_name(item.params, old_name)
                if old_name not in item.title and params == item.params:
                    continue
                item.title, item.params = item.title.replace(old_name, NEUTRAL_NAME), params
                item.save(update_fields=["title", "params"])
                counts["work_items"] += 1
            for note in Notification.objects.filter(item__child_id=child.pk):
                params = _without_name(note.params, old_name)
                if old_name not in note.message and params == note.params:
                    continue
                note.message, note.params = note.message.replace(old_name, NEUTRAL_NAME), params
                note.save(update_fields=["message", "params"])
        archive.anonymised_at = now
        archive.save(update_fields=["anonymised_at"])  # first: the log's blanking function checks it
        counts["access_log"] = blank_child_rows(
            child_id=child.pk, needles=redact.needles(old_id) if old_id else []
        )
        log_event(
            action=Action.ANONYMISE,
            what="anonymise-archived",
            detail=" ".join(f"{k}={v}" for k, v in sorted(counts.items())),
            child_id=child.pk,
            region_code=child.region_code,
        )
    return counts


def retention_years() -> int:
    return int(getattr(settings, "CHILD_RETENTION_YEARS", 10))


def anonymise_due(*, now: dt.datetime | None = None, dry_run: bool = False) -> list:
    """The archived files past their retention period (``CHILD_RETENTION_YEARS`` after archiving),
    anonymised unless ``dry_run``. Returns the children concerned."""
    now = now or timezone.now()
    years = retention_years()
    cutoff = timezone.make_aware(dt.datetime.combine(add_years(timezone.localdate(now), -years), dt.time.max))
    due = list(
        # A child who came back (``exited_on`` cleared) is not anonymised, whatever the old archive says.
        Child.objects.filter(
            exited_on__isnull=False, archive__anonymised_at__isnull=True, archive__archived_at__lte=cutoff
        ).order_by("pk")
    )
    if not dry_run:
        for child in due:
            anonymise_child(child=child, now=now)
    return due
