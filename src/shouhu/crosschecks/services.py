"""Running a cross-check and closing what it found. The one home of the comparison rules.

A run reads the list (``lists.read_list``), refuses it whole when any row has a problem, and compares
it with the registry in the uploader's territory:

School list (the school chosen on upload; children link to a school by ``Child.school``):
  * **possible drop-out** — a registered child of that school, in a grade the list covers, still in
    school by the file (not recorded as 辍学 or 不在学) and not exited, who is not on the list;
  * **not registered** — a child on the list the registry does not hold (matched by ID number through
    the keyed hash, else by name and birth date against files without an ID number);
  * **category to check** — the list says 单亲留守 or 双亲留守 and the registry does not hold the child
    as left-behind, or the list says 非留守 and it does. The Ministry of Education counts a child with
    one parent away as 单亲留守, which the civil-affairs definition (国发〔2016〕13号) does not always:
    the difference asks someone to look, it never changes the category.

低保/特困 list (members of the households, one a row; adults are dropped as soon as read):
  * **in difficulty to check** — a child under 18 (by the ID number's birth date) of a 低保 or 特困
    household who is registered but not held as a child in difficulty from family poverty
    (国发〔2016〕36号): the family's assistance is missing from the file;
  * **not registered** — such a child the registry does not hold; the list's township and village
    (matched together: village names repeat across townships) say whose work it is.

A child on a list who is registered outside the uploader's territory is counted, never shown.

Each difference is keyed by what it is about (kind, child or the list's person, school and school
year or calendar year), so the same list uploaded again finds the differences already open or closed
instead of adding new ones, and becomes a work item (``escalation``) for the village director — the
township supervisor when no village is known — with a deadline and the county's escalation periods.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shouhu.accounts import access, responsible
from shouhu.accounts.models import Organisation, OrganisationKind, Role, User
from shouhu.children import classify
from shouhu.children.crypto import keyed_hash
from shouhu.children.models import Child, ChildCategory
from shouhu.children.options import OUT_OF_SCHOOL
from shouhu.escalation import services as escalation
from shouhu.escalation import texts
from shouhu.escalation.deadlines import Deadline, deadline_of
from shouhu.escalation.models import Tier, WorkItem
from shouhu.regions.codes import Level, county_of, is_village, reaches, township_of
from shouhu.regions.models import Region
from shouhu.regions.names import villages_named

from . import permissions
from .lists import ListRow, ParsedList, Problem, norm_grade, read_list
from .models import CrossCheck, Difference, DifferenceKind, ListKind, Resolution

ITEM_KIND = "crosscheck"


@dataclass
class Found:
    """A difference as the comparison sees it, before it is stored."""

    key: str
    kind: str
    region_code: str
    title: str
    # What the list said: the words in the registry's language, its code and parameters (``_detail``)
    detail: dict = field(default_factory=dict)
    child: Child | None = None
    row: ListRow | None = None
    code: str = ""  # the title as a code and its parameters (``escalation.texts``)
    params: dict | None = None


def _titled(code: str, **params) -> dict:
    """A difference's title: the words in the registry's language, and its code and parameters."""
    words = texts.stored(code, **params)
    return {"title": words["text"], "code": code, "params": params}


def _detail(code: str, **params) -> dict:
    """What a list said of a difference: the words in the registry's language, its code and parameters."""
    words = texts.stored(code, **params)
    return {"detail": words["text"][:200], "detail_code": code, "detail_params": params}


@dataclass
class Outcome:
    kind: str
    problems: list[Problem] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    rows: int = 0
    compared: int = 0
    matched: int = 0
    out_of_reach: int = 0
    grades: list[str] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # by kind, every difference found
    new: int = 0  # of those, not found by an earlier run
    run: CrossCheck | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


# --- who and where ---------------------------------------------------------------------------------


def schools_for(user: User):
    """The schools whose lists ``user`` may check: those of the places whose work the user manages."""
    schools = Organisation.objects.filter(
        kind=OrganisationKind.SCHOOL, region__in=access.regions_visible_to(user)
    ).select_related("region")
    return [
        s for s in schools.order_by("region_id", "name") if permissions.crosschecks.can_run(user, s.region_id)
    ]


def may_run(user: User) -> bool:
    code = access.territory_code(user)
    return bool(user.is_superuser or (code and permissions.crosschecks.can_run(user, code)))


def _school_year(today: dt.date) -> int:
    return today.year if today.month >= 9 else today.year - 1


def _identity(row: ListRow) -> str:
    """Who a list's person is, without writing an ID number in clear into a key."""
    if row.id_number:
        return f"id:{keyed_hash(row.id_number)}"
    return f"nb:{keyed_hash(f'{row.name}|{row.birth_date:%Y-%m-%d}')}"


# --- the run ---------------------------------------------------------------------------------------


def crosscheck_run(
    *, actor: User, upload, kind: str, school: Organisation | None = None, commit: bool = False
) -> Outcome:
    """Read ``upload`` and compare it with the registry. Without ``commit`` (the dry run) nothing is
    stored; with it, the run, its new differences and their work items are stored in one transaction
    — and nothing at all when the list has a problem."""
    if kind == ListKind.SCHOOL:
        if school is None or school.kind != OrganisationKind.SCHOOL:
            raise ValidationError({"school": [_("请选择学校。")]})
        if not permissions.crosschecks.can_run(actor, school.region_id):
            raise PermissionDenied(_("您不能比对这所学校的名单。"))
        place = school.region_id
    elif kind == ListKind.DIBAO:
        if not may_run(actor):
            raise PermissionDenied(_("只有乡镇儿童督导员和县级工作人员可以比对名单。"))
        place = access.territory_code(actor) or ""
    else:
        raise ValidationError({"kind": [_("请选择名单类型。")]})
    parsed = read_list(upload, kind)
    outcome = Outcome(kind, problems=parsed.problems, unknown_columns=parsed.unknown, rows=parsed.total_rows)
    if not outcome.ok:
        return outcome
    today = timezone.localdate()
    if kind == ListKind.SCHOOL:
        _same_school(parsed, school)
    villages = _villages(actor, parsed)
    if parsed.problems:
        outcome.problems = parsed.problems
        return outcome
    with translation.override(settings.LANGUAGE_CODE):  # titles are stored: the registry's language
        if kind == ListKind.SCHOOL:
            found = _compare_school(actor, school, parsed, villages, today, outcome)
        else:
            found = _compare_dibao(actor, parsed, villages, today, outcome)
    outcome.counts = Counter(f.kind for f in found)
    known = set(Difference.objects.filter(key__in=[f.key for f in found]).values_list("key", flat=True))
    outcome.new = sum(1 for f in found if f.key not in known)
    if commit:
        with transaction.atomic():
            outcome.run = _store(actor, upload, kind, school, place, found, known, outcome)
    return outcome


def _same_school(parsed: ParsedList, school: Organisation) -> None:
    """A row naming another school: the wrong school was chosen, or several schools' lists were sent
    as one — either way the drop-outs found would be wrong."""
    name = "".join(school.name.split())
    for row in parsed.rows:
        written = "".join(row.school.split())
        if written and written not in name and name not in written:
            parsed.problem(
                row.row,
                "school",
                _(
                    "本行的学校是“%(written)s”，不是所选的“%(chosen)s”。请选择正确的学校，或每所学校上传一个文件。"
                )
                % {"written": row.school, "chosen": school.name},
            )


def _villages(actor: User, parsed: ParsedList) -> dict[int, Region]:
    """The village of each row that names one, within the uploader's territory; a row whose place is
    not found is a problem of its 村 column."""
    result: dict[int, Region] = {}
    cache: dict[tuple[str, str], Region | str] = {}
    mine = access.regions_visible_to(actor)
    for row in parsed.rows:
        if not row.village:
            continue
        key = (row.township, row.village)
        if key not in cache:
            cache[key] = _find_village(mine, row.township, row.village)
        found = cache[key]
        if isinstance(found, str):
            parsed.problem(row.row, "village", found)
        else:
            result[row.row] = found
    return result


def _find_village(mine, township: str, village: str) -> Region | str:
    found = villages_named(mine, village=village, township=township)
    if len(found) == 1:
        return found[0]
    if not found:
        return (
            _("找不到“%s”：请核对乡镇和村（社区）名称，或它不在您的管辖范围内。")
            % f"{township} {village}".strip()
        )
    return _("“%s”在多个乡镇都有，请填写乡镇。") % village


def _match(rows: list[ListRow]) -> dict[int, Child]:
    """The registered child of each row: by ID number (the keyed hash), else by name and birth date
    among files without an ID number (a file with another ID number is another child)."""
    result: dict[int, Child] = {}
    with_id = [r for r in rows if r.id_number]
    for i in range(0, len(with_id), 500):
        chunk = with_id[i : i + 500]
        by_number = {
            c.id_number: c
            for c in Child.objects.filter(id_number__in=[r.id_number for r in chunk]).only(
                "pk", "name", "id_number", "region_code", "village_id", "school_id", "grade"
            )
        }
        for r in chunk:
            if r.id_number in by_number:
                result[r.row] = by_number[r.id_number]
    rest = [r for r in rows if r.row not in result and r.birth_date]
    names = {r.name for r in rest}
    if rest:
        by_name: dict[tuple, list[Child]] = {}
        for c in Child.objects.filter(name__in=names, id_number__isnull=True).only(
            "pk", "name", "birth_date", "region_code", "village_id", "school_id", "grade"
        ):
            by_name.setdefault((c.name, c.birth_date), []).append(c)
        for r in rest:
            candidates = by_name.get((r.name, r.birth_date), [])
            if len(candidates) == 1:
                result[r.row] = candidates[0]
    return result


def _categories(children) -> dict[object, set[str]]:
    held: dict[object, set[str]] = {}
    for child_id, code in ChildCategory.objects.filter(child__in=[c.pk for c in children]).values_list(
        "child_id", "category_id"
    ):
        held.setdefault(child_id, set()).add(code)
    return held


def _compare_school(actor, school, parsed: ParsedList, villages, today, outcome: Outcome) -> list[Found]:
    year = _school_year(today)
    matched = _match(parsed.rows)
    grades = sorted({r.grade for r in parsed.rows if r.grade})
    outcome.grades = grades
    reach = {c.pk for c in matched.values() if access.in_territory(actor, c.region_code)}
    held = _categories([c for c in matched.values() if c.pk in reach])
    found: list[Found] = []
    on_list = set()
    for row in parsed.rows:
        outcome.compared += 1
        child = matched.get(row.row)
        where = " ".join(x for x in (row.grade, row.klass) if x)
        if child is not None:
            outcome.matched += 1
            on_list.add(child.pk)
            if child.pk not in reach:
                outcome.out_of_reach += 1
                continue
            if row.left_behind:
                listed = row.left_behind != "none"
                holds = classify.LEFT_BEHIND in held.get(child.pk, set())
                if listed != holds:
                    found.append(
                        Found(
                            key=f"xc:category:{year}:{child.pk}",
                            kind=DifferenceKind.CATEGORY,
                            region_code=child.region_code,
                            **_titled(
                                "crosscheck.category_not_held" if holds else "crosscheck.category_held",
                                name=child.name,
                                **({} if holds else {"left_behind": row.left_behind}),
                            ),
                            detail=_detail(
                                "crosscheck.detail.category",
                                school=school.name,
                                where=where,
                                left_behind=row.left_behind,
                            ),
                            child=child,
                        )
                    )
            continue
        village = villages.get(row.row)
        found.append(
            Found(
                key=f"xc:unregistered:{year}:{_identity(row)}",
                kind=DifferenceKind.UNREGISTERED,
                region_code=village.code if village else township_of(school.region_id),
                **_titled("crosscheck.unregistered", name=row.name, school=school.name, where=where),
                detail=_detail("crosscheck.detail.listed", school=school.name, where=where),
                row=row,
            )
        )
    registered = (
        access.children_visible_to(actor)
        .filter(school=school, exited_on__isnull=True)
        .exclude(schooling__in=OUT_OF_SCHOOL)
        .only("pk", "name", "grade", "region_code")
    )
    covered = set(grades)
    for child in registered:
        if child.pk in on_list or norm_grade(child.grade) not in covered:
            continue
        if not access.in_territory(actor, child.region_code):
            continue  # a child seen through a grant is not the uploader's to check
        found.append(
            Found(
                key=f"xc:dropout:{school.pk}:{year}:{child.pk}",
                kind=DifferenceKind.DROPOUT,
                region_code=child.region_code,
                **_titled("crosscheck.dropout", name=child.name, school=school.name, grade=child.grade),
                detail=_detail("crosscheck.detail.registered", school=school.name, grade=child.grade),
                child=child,
            )
        )
    return found


def _compare_dibao(actor, parsed: ParsedList, villages, today, outcome: Outcome) -> list[Found]:
    minors = parsed.rows  # adults were dropped on reading (``lists.read_list``)
    matched = _match(minors)
    reach = {c.pk for c in matched.values() if access.in_territory(actor, c.region_code)}
    held = _categories([c for c in matched.values() if c.pk in reach])
    found: list[Found] = []
    for row in minors:
        outcome.compared += 1
        child = matched.get(row.row)
        household = _detail(
            "crosscheck.detail.household", head=row.head or "—", assistance=row.assistance or "dibao"
        )
        if child is not None:
            outcome.matched += 1
            if child.pk not in reach:
                outcome.out_of_reach += 1
                continue
            if classify.DIFFICULTY_POVERTY not in held.get(child.pk, set()):
                found.append(
                    Found(
                        key=f"xc:difficulty:{today.year}:{child.pk}",
                        kind=DifferenceKind.DIFFICULTY,
                        region_code=child.region_code,
                        **_titled(
                            "crosscheck.difficulty", assistance=row.assistance or "dibao", name=child.name
                        ),
                        detail=household,
                        child=child,
                    )
                )
            continue
        village = villages[row.row]
        found.append(
            Found(
                key=f"xc:unregistered:{today.year}:{_identity(row)}",
                kind=DifferenceKind.UNREGISTERED,
                region_code=village.code,
                **_titled(
                    "crosscheck.unregistered_family",
                    assistance=row.assistance or "dibao",
                    name=row.name,
                    village=village.name,
                ),
                detail=household,
                row=row,
            )
        )
    return found


# --- storing ---------------------------------------------------------------------------------------


def _store(actor, upload, kind, school, place, found: list[Found], known: set[str], outcome) -> CrossCheck:
    run = CrossCheck.objects.create(
        kind=kind,
        school=school,
        region_code=place,
        file_name=(upload.name or "")[:200],
        uploaded_by=actor,
        rows=outcome.rows,
        compared=outcome.compared,
        matched=outcome.matched,
        out_of_reach=outcome.out_of_reach,
        grades=outcome.grades,
    )
    fresh = [f for f in found if f.key not in known]
    responsible = _responsible({f.region_code for f in fresh})
    now = timezone.now()
    specs, differences = [], []
    for f in fresh:
        village_known = is_village(f.region_code)
        specs.append(
            escalation.ItemSpec.timed(
                key=f"crosscheck:{f.key}",
                kind=f"{ITEM_KIND}.{f.kind}",
                made_at=now,
                deadline=_deadline(f"{ITEM_KIND}.{f.kind}", f.region_code),
                title=f.title[:200],
                code=f.code,
                params=f.params,
                region_code=f.region_code,
                child_id=f.child.pk if f.child else None,
                responsible_id=responsible.get(f.region_code),
                tier=Tier.VILLAGE if village_known else Tier.TOWNSHIP,
            )
        )
        row = f.row
        differences.append(
            Difference(
                key=f.key,
                kind=f.kind,
                list_kind=kind,
                child=f.child,
                region_code=f.region_code,
                first_run=run,
                name=row.name if row else "",
                gender=row.gender if row else "",
                birth_date=row.birth_date if row else None,
                id_number=row.id_number if row else "",
                **f.detail,
                created_at=now,
            )
        )
    escalation.items_ensure(specs)
    items = dict(WorkItem.objects.filter(key__in=[s.key for s in specs]).values_list("key", "pk"))
    for d in differences:
        d.work_item_id = items.get(f"crosscheck:{d.key}")
    # The keyed hash is filled on bulk_create (pre_save); a difference another upload stored a moment
    # ago is kept as it is, and linked below like any known one.
    Difference.objects.bulk_create(differences, batch_size=1000, ignore_conflicts=True)
    run.differences.set(Difference.objects.filter(key__in=[f.key for f in found]))
    return run


def _responsible(codes: set[str]) -> dict[str, object]:
    """Who answers for each place: the village's child director (``accounts.responsible``), else the
    township's supervisor; for a place above the township, the county's guidance-centre staff."""
    result: dict[str, object] = dict(responsible.directors_of(c for c in codes if is_village(c)))
    for code in codes - set(result):
        in_township = reaches(code, Level.TOWNSHIP)
        role = Role.TOWNSHIP_SUPERVISOR if in_township else Role.COUNTY_STAFF
        region = township_of(code) if in_township else county_of(code)
        user = (
            User.objects.filter(is_active=True, role=role, region_id=region)
            .order_by("date_joined")
            .values_list("pk", flat=True)
            .first()
        )
        if user:
            result[code] = user
    return result


def _deadline(kind: str, region_code: str) -> Deadline:
    """The days to verify a difference (``escalation.deadlines``); after them, when the township and
    the county hear of it are the county's own periods (its visit policy) where it set them."""
    from shouhu.visits.models import VisitPolicy

    policy = VisitPolicy.objects.filter(county_id=county_of(region_code)).first()
    if policy is None:
        return deadline_of(kind)
    return replace(
        deadline_of(kind),
        township=dt.timedelta(days=policy.township_after_days),
        county=dt.timedelta(days=policy.county_after_days),
    )


# --- closing ---------------------------------------------------------------------------------------

# What may close each kind: a drop-out is found in school, moved, or dropped out with a return under
# way; a child not registered is registered or not ours; a category is corrected or confirmed.
RESOLUTIONS = {
    DifferenceKind.DROPOUT: [
        Resolution.IN_SCHOOL,
        Resolution.TRANSFERRED,
        Resolution.DROPPED_OUT,
        Resolution.CORRECTED,
    ],
    DifferenceKind.UNREGISTERED: [Resolution.REGISTERED, Resolution.NOT_APPLICABLE, Resolution.LIST_WRONG],
    DifferenceKind.CATEGORY: [Resolution.CORRECTED, Resolution.LIST_WRONG, Resolution.NOT_APPLICABLE],
    DifferenceKind.DIFFICULTY: [Resolution.CORRECTED, Resolution.LIST_WRONG, Resolution.NOT_APPLICABLE],
}


def difference_close(*, actor: User, difference: Difference, resolution: str, reason: str) -> Difference:
    """Close a difference with what was found and why; its work item is done."""
    if not permissions.differences.can_close(actor, difference):
        raise PermissionDenied(_("您可以查看这条差异，但不能处理它。"))
    errors: dict[str, list[str]] = {}
    allowed = RESOLUTIONS[difference.kind]
    if resolution not in allowed:
        errors["resolution"] = [
            _("请选择处理结果：%s") % "、".join(str(Resolution(r).label) for r in allowed)
        ]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("请写明核实情况（如：已到校核实，该生转入县城小学）。")]
    if difference.closed_at:
        errors["resolution"] = [
            _("这条差异已于 %s 处理。") % timezone.localtime(difference.closed_at).strftime("%Y-%m-%d")
        ]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        updated = Difference.objects.filter(pk=difference.pk, closed_at__isnull=True).update(
            resolution=resolution, reason=reason[:300], closed_by=actor, closed_at=now
        )
        if updated != 1:  # closed a moment ago by someone else
            raise ValidationError({"resolution": [_("这条差异刚被其他人处理。")]})
        if difference.work_item_id:
            escalation.items_complete(items=WorkItem.objects.filter(pk=difference.work_item_id), at=now)
    difference.refresh_from_db()
    return difference
