"""The quarterly dynamic investigation (定期排查, 动态管理), seed 002: every left-behind child and child in
difficulty of a county is checked once a quarter by the village director; the township summarises.

Opening creates one check item per child in scope, set-based; closing writes the summary per township
(children checked, entered, exited, changed category, with reasons) and the list per village of
children with their rescue measures and rescue contacts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shouhu.accounts import access, responsible
from shouhu.children.models import CategoryEvent, Child, ChildCategory
from shouhu.regions.codes import township_of
from shouhu.regions.models import Region

from . import rules
from .models import CheckStatus, Investigation, InvestigationItem


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def investigation_open(
    *, actor, county_code: str, year: int, quarter: int, all_children: bool = False, batch_size: int = 5000
) -> Investigation:
    if not access.can_configure_county(actor, county_code):
        raise PermissionDenied(_("只有本县的工作人员可以发起定期排查。"))
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": [_("季度须为 1 到 4。")]})
    if not Region.objects.filter(code=county_code, level=3).exists():
        raise ValidationError({"county": [_("不是一个县级区划代码。")]})
    if Investigation.objects.filter(county_id=county_code, year=year, quarter=quarter).exists():
        raise ValidationError(
            {
                "quarter": [
                    _("%(year)s年第%(quarter)s季度的排查已经发起过。") % {"year": year, "quarter": quarter}
                ]
            }
        )
    children = Child.objects.filter(region_code__within=county_code, exited_on__isnull=True)
    if not all_children:
        children = children.filter(categories__category_id__in=rules.LISTED).distinct()
    directors = responsible.directors_in_office().filter(region__code__within=county_code)
    try:
        with transaction.atomic():
            investigation = Investigation.objects.create(
                county_id=county_code, year=year, quarter=quarter, all_children=all_children, opened_by=actor
            )
            if connection.vendor == "postgresql":
                _insert_items_postgresql(investigation, children, directors)
            else:
                _create_items(investigation, children, directors, batch_size=batch_size)
    except IntegrityError as exc:  # two openings at once: the constraint keeps one
        raise ValidationError({"quarter": [_("该季度的排查已经发起过。")]}) from exc
    return investigation


def _create_items(investigation: Investigation, children, directors, *, batch_size: int) -> None:
    """One check item per child, assigned to the village's director, with the categories held now."""
    rows = list(children.order_by().values_list("pk", "region_code", "village_id"))
    cats: dict[object, list[str]] = defaultdict(list)
    for child_id, code in ChildCategory.objects.filter(child__in=children).values_list(
        "child_id", "category_id"
    ):
        cats[child_id].append(code)
    assignees = responsible.answering(directors)
    InvestigationItem.objects.bulk_create(
        (
            InvestigationItem(
                investigation=investigation,
                child_id=child_id,
                region_code=region_code,
                assignee_id=assignees.get(village_id),
                categories_before=sorted(cats[child_id]),
            )
            for child_id, region_code, village_id in rows
        ),
        batch_size=batch_size,
    )


def _insert_items_postgresql(investigation: Investigation, children, directors) -> None:
    """``_create_items`` as one INSERT … SELECT: a county's 100,000 children never pass through
    Python. Same rows: the same children and directors (the querysets above), one director per
    village, the categories as a sorted JSON list."""
    item, membership = InvestigationItem._meta, ChildCategory._meta
    child_rows = children.order_by().values(cid=F("pk"), ccode=F("region_code"), cvillage=F("village_id"))
    child_sql, child_params = child_rows.query.sql_with_params()
    one_per_village = directors.distinct("region_id")  # the first of each village in the answering order
    director_sql, director_params = one_per_village.values(
        rid=F("region_id"), uid=F("user_id")
    ).query.sql_with_params()
    sql = f"""
        INSERT INTO {item.db_table}
            (id, investigation_id, child_id, region_code, assignee_id, status,
             categories_before, categories_after, note, newly_found)
        SELECT gen_random_uuid(), %s, c.cid, c.ccode, d.uid, %s,
               COALESCE((SELECT jsonb_agg(m.category_id ORDER BY m.category_id COLLATE "C")
                         FROM {membership.db_table} m WHERE m.child_id = c.cid), '[]'::jsonb),
               '[]'::jsonb, '', false
        FROM ({child_sql}) c LEFT JOIN ({director_sql}) d ON d.rid = c.cvillage
    """  # table names from _meta, subqueries from Django's compiler, values as params (B608)  # nosec
    with connection.cursor() as cursor:
        cursor.execute(sql, [investigation.pk, CheckStatus.PENDING, *child_params, *director_params])


def investigation_check(
    *, actor, item: InvestigationItem, changes: dict[str, Any] | None = None, note: str = ""
) -> InvestigationItem:
    """Confirm the child's situation, or update it through the registry's service (re-classifying)."""
    if item.investigation.closed_at:
        raise ValidationError({"status": [_("本次排查已结束。")]})
    child = item.child
    if not access.can_edit(actor, child):
        raise PermissionDenied(_("您不能排查该儿童。"))
    with transaction.atomic():
        if changes:
            from shouhu.children import services as child_services

            child_services.child_update(
                actor=actor,
                child=child,
                fields=changes.get("fields"),
                parents=changes.get("parents"),
                carer=changes.get("carer"),
            )
        item.status = CheckStatus.UPDATED if changes else CheckStatus.CONFIRMED
        item.categories_after = sorted(child.categories.values_list("category_id", flat=True))
        item.note = note[:500]
        item.checked_at = timezone.now()
        item.checked_by = actor
        item.save()
    return item


def investigation_add_child(*, actor, investigation: Investigation, **register: Any) -> InvestigationItem:
    """A child newly found during the check is registered and joins the investigation."""
    from shouhu.children import services as child_services

    with transaction.atomic():
        child = child_services.child_register(actor=actor, **register)
        return InvestigationItem.objects.create(
            investigation=investigation,
            child=child,
            region_code=child.region_code,
            assignee=actor,
            status=CheckStatus.UPDATED,
            newly_found=True,
            checked_at=timezone.now(),
            checked_by=actor,
            categories_after=sorted(child.categories.values_list("category_id", flat=True)),
        )


def progress(*, investigation: Investigation, user, by: int = 9) -> list[dict[str, Any]]:
    """Checked / total per township (``by=9``) or per village (``by=12``) within the user's territory."""
    from django.db.models.functions import Substr

    items = investigation.items.all()
    code = access.territory_code(user)
    if code and not user.is_superuser:
        items = items.filter(region_code__within=code)
    rows = (
        items.annotate(area=Substr("region_code", 1, by))
        .values("area")
        .annotate(total=Count("pk"), checked=Count("pk", filter=~Q(status=CheckStatus.PENDING)))
        .order_by("area")
    )
    names = dict(Region.objects.filter(code__in=[r["area"] for r in rows]).values_list("code", "name"))
    return [{**r, "name": names.get(r["area"], r["area"])} for r in rows]


def investigation_close(*, actor, investigation: Investigation) -> Investigation:
    if not access.can_configure_county(actor, investigation.county_id):
        raise PermissionDenied(_("只有本县的工作人员可以结束定期排查。"))
    if investigation.closed_at:
        raise ValidationError({"status": [_("本次排查已结束。")]})
    start, end = quarter_bounds(investigation.year, investigation.quarter)
    events = CategoryEvent.objects.filter(
        child__region_code__within=investigation.county_id, on__gte=start, on__lte=end
    ).select_related("child", "category")
    townships: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"checked": 0, "pending": 0, "newly_found": 0, "entered": [], "exited": [], "changed": []}
    )
    for item in investigation.items.all():
        t = townships[township_of(item.region_code)]
        t["pending" if item.status == CheckStatus.PENDING else "checked"] += 1
        t["newly_found"] += item.newly_found
    for ev in events:
        t = townships[township_of(ev.child.region_code)]
        entry = {
            "child": ev.child.name,
            "category": ev.category.name,
            "on": ev.on.isoformat(),
            "reason": ev.reason,
        }
        if ev.gained:
            t["entered"].append(entry)
        elif not ev.gained and ev.child.exited_on:
            t["exited"].append(entry)
        else:
            t["changed"].append(entry)
    rescue: dict[str, list[dict[str, Any]]] = defaultdict(list)
    listed = Child.objects.filter(investigation_items__investigation=investigation).prefetch_related(
        "contacts"
    )
    for child in listed:
        rescue[child.region_code].append(
            {
                "child": child.name,
                "measures": child.assistance,
                "contacts": [
                    {"name": k.name, "relation": k.relation, "phone": k.phone, "role": k.role}
                    for k in child.contacts.all()
                ],
            }
        )
    names = dict(
        Region.objects.filter(code__within=investigation.county_id, level__in=(4, 5)).values_list(
            "code", "name"
        )
    )
    investigation.summary = {
        "townships": {code: {**v, "name": names.get(code, code)} for code, v in sorted(townships.items())},
        "rescue": {
            code: {"name": names.get(code, code), "children": v} for code, v in sorted(rescue.items())
        },
    }
    investigation.closed_at = timezone.now()
    investigation.closed_by = actor
    investigation.save()
    return investigation


__all__ = [
    "investigation_open",
    "investigation_check",
    "investigation_add_child",
    "investigation_close",
    "progress",
    "quarter_bounds",
]
