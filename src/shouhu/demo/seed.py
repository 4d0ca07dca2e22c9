"""Writing the demo: organisations, the workforce, one account per role and the children.

Children are registered through ``children.services.child_register``, exactly as a user's form would
register them, so that validation, name indexing and classification all run; their history entries
("created by the administrator") are written in bulk afterwards (see ``seed``).

The demo's children are recognised by their ID numbers (sequence 900–999 under Lixin County's area
code, ``population.DEMO_ID_PATTERN``), its workforce rows by ``population.DEMO_MARK``, its
organisations by kind, region and name, and its accounts by their usernames (``ACCOUNTS``). Never seed
a production database: the accounts share a published password.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DatabaseError, transaction
from django.db.models import Count, ProtectedError, QuerySet
from django.test.utils import override_settings
from django.utils import timezone

from shouhu.accounts.models import Grant, GrantReason, Organisation, Role, User, WelfareWorker, WorkerKind
from shouhu.children.models import Carer, Child, ChildCategory, Parent, RescueContact
from shouhu.children.services import child_register
from shouhu.escalation import texts
from shouhu.escalation.models import WorkItem
from shouhu.regions.codes import Level, township_of
from shouhu.regions.loader import load_regions
from shouhu.regions.models import Region
from shouhu.visits.models import ActivitySession

from . import population as pop
from .activity import seed_activity, seed_break_glass, seed_find_and_intervene, seed_referral
from .assistance import seed_assistance
from .crosschecks import seed_crosschecks
from .quarterly import seed_quarterly

PASSWORD = "shouhu-demo-2026"  # noqa: S105 - published on purpose: demo accounts only  # nosec B105
# The county account's two-factor key, published on purpose (demo only): base32 OTP_SECRET below.
OTP_ACCOUNT = "county-centre"
OTP_KEY = b"shouhu-demo-totp-key"  # 20 bytes, as TOTP keys are
OTP_SECRET = base64.b32encode(OTP_KEY).decode("ascii")


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    region_code: str
    person: str  # a key of Plan.people, or "director:<village>" / "supervisor:<township>"
    organisation: str | None = None  # a key of the planned organisations
    superuser: bool = False


WANGSHI = "341623110"  # 王市镇
ACCOUNTS = [
    Account(
        "director-qianpan",
        Role.VILLAGE_DIRECTOR,
        pop.QIANPAN,
        f"director:{pop.QIANPAN}",
        f"home:{pop.QIANPAN}",
    ),
    Account(
        "director-gaozhai",
        Role.VILLAGE_DIRECTOR,
        pop.GAOZHAI,
        f"director:{pop.GAOZHAI}",
        f"home:{pop.GAOZHAI}",
    ),
    Account(
        "director-chengyang",
        Role.VILLAGE_DIRECTOR,
        pop.CHENGYANG,
        f"director:{pop.CHENGYANG}",
        f"home:{pop.CHENGYANG}",
    ),
    Account(
        "supervisor-wangshi",
        Role.TOWNSHIP_SUPERVISOR,
        WANGSHI,
        f"supervisor:{WANGSHI}",
        f"workstation:{WANGSHI}",
    ),
    Account("county-centre", Role.COUNTY_STAFF, pop.COUNTY, "county_staff", "centre"),
    Account("civil-affairs", Role.CIVIL_AFFAIRS, pop.COUNTY, "civil_affairs", "bureau"),
    Account("admin", Role.ADMIN, pop.COUNTY, "admin", "bureau", superuser=True),
    Account("social-worker", Role.SOCIAL_WORKER, pop.COUNTY, "social_worker", "social"),
    Account("mentor", Role.MENTOR, pop.QIANPAN, "mentor"),
    Account("teacher", Role.TEACHER, WANGSHI, "teacher", f"primary:{WANGSHI}"),
    Account("health-worker", Role.HEALTH_WORKER, WANGSHI, "health_worker", "clinic"),
]
USERNAMES = [a.username for a in ACCOUNTS]


class DemoExists(Exception):
    """The database already holds the demo population."""


class DemoInUse(Exception):
    """The demo population cannot be deleted: other records refer to it."""


@dataclass
class SeedResult:
    children: int
    categories: dict[str, int]
    villages_without_director: int
    seconds: float
    fieldwork: dict[str, int]


def demo_children() -> QuerySet[Child]:
    # ID numbers are encrypted at rest: the demo range is recognised after decryption, in Python.
    pattern = re.compile(pop.DEMO_ID_PATTERN)
    numbers = Child.objects.filter(region_code__startswith=pop.COUNTY, id_number__isnull=False)
    return Child.objects.filter(
        pk__in=[pk for pk, number in numbers.values_list("pk", "id_number") if pattern.match(number)]
    )


def demo_accounts() -> QuerySet[User]:
    return User.objects.filter(username__in=USERNAMES)


def ensure_regions() -> bool:
    """Load Lixin County's divisions from the shipped data unless they are there. True if loaded now."""
    if Region.objects.filter(code__startswith=pop.COUNTY, level=Level.VILLAGE).exists():
        return False
    load_regions(pop.COUNTY)
    return True


HISTORY_TRACKED = (Child, Parent, Carer, RescueContact)


def remove() -> int:
    """Delete the demo's children with their history, and the demo's workforce rows.

    Accounts and organisations are kept: seeding again updates and reuses them.
    """
    with transaction.atomic(), override_settings(SIMPLE_HISTORY_ENABLED=False):
        count = demo_children().count()
        ids = demo_children().values("pk")
        Child.history.model.objects.filter(id__in=ids).delete()
        for model in HISTORY_TRACKED[1:]:
            model.history.model.objects.filter(child_id__in=ids).delete()
        demo_children().delete()
        WelfareWorker.objects.filter(training__startswith=pop.DEMO_MARK).delete()
        WorkItem.objects.filter(region_code__startswith=pop.COUNTY).delete()
        ActivitySession.objects.filter(home__village__code__startswith=pop.COUNTY).delete()
    return count


def _record_history(actor: User) -> None:
    """The history's first entry ("created") for every demo record, written in bulk."""
    for model in HISTORY_TRACKED:
        ids = demo_children().values("pk")
        rows = model.objects.filter(pk__in=ids) if model is Child else model.objects.filter(child__in=ids)
        model.history.bulk_history_create(list(rows), default_user=actor, batch_size=500)


def seed(
    *,
    children: int = 3000,
    seed: int = 2026,
    reset: bool = False,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SeedResult:
    """Create the demo population. Refuses (``DemoExists``) when it is there, unless ``reset``."""
    started = time.monotonic()
    today = today or timezone.localdate()
    with transaction.atomic():
        ensure_regions()
        if demo_children().exists():
            if not reset:
                raise DemoExists(demo_children().count())
            try:
                with transaction.atomic():
                    remove()
            except ProtectedError as exc:
                raise DemoInUse(str(exc)) from exc
            except DatabaseError as exc:  # the application's role may not erase history (docs/security.md)
                raise DemoInUse(f"this database role may not delete the demo's history: {exc}") from exc
        plan = pop.plan(
            townships=[pop.Township(r.code, r.name) for r in _regions(Level.TOWNSHIP)],
            villages=[pop.Village(r.code, r.name, r.is_community) for r in _regions(Level.VILLAGE)],
            children=children,
            seed=seed,
            today=today,
            taken_id_numbers={
                n
                for n in Child.objects.filter(id_number__isnull=False).values_list("id_number", flat=True)
                if n.startswith(pop.COUNTY)
            },
        )
        orgs = _organisations(plan)
        workers = _workforce(plan)
        users = _accounts(plan, orgs, workers)
        actor = users["admin"]
        schools = {key: org.pk for key, org in orgs.items()}
        registered: dict[str, Child] = {}
        # One history entry per saved row costs as much as the registration itself (the library builds
        # a manager per save); the same entries are written in bulk once the children are in.
        with override_settings(SIMPLE_HISTORY_ENABLED=False):
            for i, planned in enumerate(plan.children, start=1):
                fields = dict(planned.fields)
                if planned.school_key:
                    fields["school_id"] = schools[planned.school_key]
                child = child_register(
                    actor=actor,
                    fields=fields,
                    parents=planned.parents,
                    carer=planned.carer,
                    contacts=planned.contacts,
                )
                registered.setdefault(f"{planned.profile}:{child.village_id}", child)
                if progress and i % 500 == 0:
                    progress(i, len(plan.children))
        _record_history(actor)
        _grants(users, registered)
        fieldwork = seed_activity(today=today, seed=seed, county=pop.COUNTY)
        fieldwork.update(
            seed_find_and_intervene(
                today=today, county=pop.COUNTY, village=pop.GAOZHAI, report_village=pop.QIANPAN
            )
        )
        fieldwork.update(seed_referral(today=today, county=pop.COUNTY, village=pop.GAOZHAI))
        fieldwork.update(seed_assistance(today=today, county=pop.COUNTY, village=pop.QIANPAN))
        fieldwork.update(seed_break_glass(home_village=pop.QIANPAN, child_village=pop.CHENGYANG))
        fieldwork.update(seed_crosschecks(township=township_of(pop.QIANPAN), village=pop.QIANPAN))
        fieldwork.update(seed_quarterly(today=today))
    categories = dict(
        ChildCategory.objects.filter(child__in=demo_children())
        .values_list("category_id")
        .annotate(n=Count("pk"))
        .order_by("category_id")
    )
    gaps = (
        Region.objects.filter(code__startswith=pop.COUNTY, level=Level.VILLAGE)
        .exclude(code__startswith=pop.PARKS[0])
        .exclude(code__startswith=pop.PARKS[1])
        .exclude(workers__kind=WorkerKind.DIRECTOR)
        .count()
    )
    return SeedResult(
        children=len(plan.children),
        categories=categories,
        villages_without_director=gaps,
        seconds=time.monotonic() - started,
        fieldwork=fieldwork,
    )


def _regions(level: int) -> list[Region]:
    return list(Region.objects.filter(code__startswith=pop.COUNTY, level=level).order_by("code"))


def _organisations(plan: pop.Plan) -> dict[str, Organisation]:
    """Upsert by (kind, region, name): seeding again reuses the organisations already there."""
    existing = {
        (o.kind, o.region_id, o.name): o
        for o in Organisation.objects.filter(region__code__startswith=pop.COUNTY)
    }
    result, new = {}, []
    for o in plan.organisations:
        org = existing.get((o.kind, o.region_code, o.name))
        if org is None:
            org = Organisation(
                kind=o.kind, name=o.name, region_id=o.region_code, address=o.address, phone=o.phone
            )
            new.append(org)
        result[o.key] = org
    Organisation.objects.bulk_create(new, batch_size=500)
    return result


def _workforce(plan: pop.Plan) -> dict[str, WelfareWorker]:
    """Replace the demo's workforce rows: a director in most villages, a supervisor in every township."""
    WelfareWorker.objects.filter(training__startswith=pop.DEMO_MARK).delete()
    rows = [WelfareWorker(kind=w.kind, region_id=w.region_code, **w.fields) for w in plan.workers]
    WelfareWorker.objects.bulk_create(rows, batch_size=500)
    return {f"{w.kind}:{w.region_id}": w for w in rows}


def _accounts(
    plan: pop.Plan, orgs: dict[str, Organisation], workers: dict[str, WelfareWorker]
) -> dict[str, User]:
    """Upsert one account per role; each director and supervisor is linked to their registry row."""
    users = {}
    existing = {u.username: u for u in demo_accounts()}
    for a in ACCOUNTS:
        worker = workers.get(a.person) if ":" in a.person else None
        user = existing.get(a.username) or User(username=a.username)
        user.role = a.role
        user.region_id = a.region_code
        user.organisation = orgs[a.organisation] if a.organisation else None
        user.full_name = worker.name if worker else plan.people[a.person]
        user.phone = worker.phone if worker else ""
        user.is_active = True
        user.is_staff = user.is_superuser = a.superuser
        user.set_password(PASSWORD)
        user.save()
        if worker:
            WelfareWorker.objects.filter(user=user).exclude(pk=worker.pk).update(user=None)
            worker.user = user
            worker.save(update_fields=["user"])
        users[a.username] = user
    _demo_second_factor(users[OTP_ACCOUNT])
    return users


def _demo_second_factor(user: User) -> None:
    """The county account signs in with a TOTP code from a fixed, published secret (demo only)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user).exclude(name="demo").delete()
    TOTPDevice.objects.update_or_create(
        user=user, name="demo", defaults={"key": OTP_KEY.hex(), "confirmed": True}
    )


def _grants(users: dict[str, User], registered: dict[str, Child]) -> None:
    """The mentor is paired with a left-behind child of 前潘村. The social worker's child comes from an
    accepted referral (``activity.seed_referral``), whose grant the referral writes."""
    granted_by = users["county-centre"]
    paired = registered[f"{pop.LEFT_BEHIND}:{pop.QIANPAN}"]
    Grant.objects.filter(user__in=[users["mentor"], users["social-worker"]]).delete()
    Grant.objects.create(
        user=users["mentor"],
        child=paired,
        reason=GrantReason.PAIRING,
        **texts.note_fields(texts.stored("grant.pairing")),
        granted_by=granted_by,
    )


def account_rows() -> list[dict]:
    """The demo accounts as they are in the database, in the order of ``ACCOUNTS``."""
    found = {u.username: u for u in demo_accounts().select_related("region")}
    rows = []
    for a in ACCOUNTS:
        user = found.get(a.username)
        if user is None:
            continue
        rows.append(
            {
                "username": user.username,
                "password": PASSWORD,
                "role": user.role,
                "role_name": str(Role(user.role).label),
                "region_code": user.region_id,
                "region_name": user.region.full_name if user.region else "",
                "full_name": user.full_name,
            }
        )
    return rows


def one_line(result: SeedResult) -> str:
    """The seed's outcome in one line (``summary`` gives the details)."""
    work = result.fieldwork
    return (
        f"{result.children} demo children seeded in {result.seconds:.0f} s: "
        f"{result.categories.get('left_behind', 0)} left behind, "
        f"{work['visits']} visits ({work['overdue']} overdue), "
        f"{work.get('reports', 0)} mandatory reports; `shouhu seed-demo -v 2` prints the details"
    )


def summary(result: SeedResult) -> list[str]:
    from shouhu.children.classify import NATIONAL_CATEGORIES

    lines = [f"{result.children} demo children registered in {result.seconds:.1f} s"]
    for code, name, english in NATIONAL_CATEGORIES:
        lines.append(f"  {result.categories.get(code, 0):5d}  {english} ({name})")
    lines.append(f"  {result.villages_without_director:5d}  villages without a child director")
    work = result.fieldwork
    lines.append(
        f"  {work['visits']:5d}  visits in the last three months; {work['overdue']} overdue now, "
        f"{work['escalated']} escalated; {work['sessions']} children's-home sessions"
    )
    if work.get("bijie_children"):
        lines.append(
            f"  A household of {work['bijie_children']} siblings in 高寨村 (one urgent household alert); "
            f"{work['reports']} mandatory reports by the teacher"
        )
    return lines
