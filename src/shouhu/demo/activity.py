"""A quarter of field work for the demo: visit schedules for the last three months, most visits done
(a few after failed attempts), some missed and escalated; children's homes with weekly sessions.

It moves the clock through ``visits.services.schedules_refresh(on=…)`` and ``escalation.escalate(now=…)``,
the same calls the nightly and hourly jobs make.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from shouhu.accounts.models import OrganisationKind, Role, User
from shouhu.escalation import services as escalation
from shouhu.escalation.models import Status, WorkItem
from shouhu.regions.codes import township_of
from shouhu.visits import homes as home_services
from shouhu.visits import services as visit_services
from shouhu.visits.models import ActivitySession, ChildrensHome, Outcome, Visit, VisitKind
from shouhu.visits.rules import end_of_day

DONE_SHARE = 0.85  # of the visits due in past months
FAILED_FIRST_SHARE = 0.06
TOPICS = ["防溺水安全教育", "亲子阅读", "手工课", "心理健康游戏", "防拐防骗", "作业辅导", "交通安全", "合唱"]


def month_starts(today: dt.date, months: int = 3) -> list[dt.date]:
    starts, day = [], today.replace(day=1)
    for _ in range(months):
        starts.append(day)
        day = (day - dt.timedelta(days=1)).replace(day=1)
    return sorted(starts)


def seed_activity(*, today: dt.date, seed: int, county: str) -> dict[str, int]:
    rng = random.Random(seed)
    fallback = (
        User.objects.filter(role=Role.ADMIN, region_id=county).first()
        or User.objects.filter(is_superuser=True).first()
    )
    supervisors = dict(
        User.objects.filter(role=Role.TOWNSHIP_SUPERVISOR, region__code__startswith=county).values_list(
            "region_id", "pk"
        )
    )
    visits: list[Visit] = []
    # Registration derived this month's schedules; the quarter is replayed from its first month on.
    WorkItem.objects.filter(kind__in=visit_services.VISIT_KINDS, region_code__startswith=county).exclude(
        kind=visit_services.URGENT_VISIT
    ).delete()
    for start in month_starts(today):
        visit_services.schedules_refresh(
            on=start, now=timezone.make_aware(dt.datetime.combine(start, dt.time(1)))
        )
        last_day = min(
            today - dt.timedelta(days=1),
            (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1),
        )
        if last_day < start:
            continue
        due = WorkItem.objects.filter(
            kind=visit_services.DIRECTOR_VISIT,
            status=Status.OPEN,
            period_start__lte=start,
            period_end__gte=start,
        ).select_related("child")
        for item in due:
            share = DONE_SHARE if item.period_start == start else DONE_SHARE / 4  # yearly ones: spread out
            if start == today.replace(day=1):
                share /= 2  # the current month is under way
            if rng.random() > share:
                continue
            visitor = item.responsible_id or supervisors.get(township_of(item.region_code)) or fallback.pk
            day = start + dt.timedelta(days=rng.randrange((last_day - start).days + 1))
            if rng.random() < FAILED_FIRST_SHARE:
                visits.append(
                    Visit(
                        child=item.child,
                        region_code=item.region_code,
                        visited_on=day,
                        kind=VisitKind.HOME,
                        outcome=rng.choice([Outcome.LOCKED, Outcome.NOBODY_HOME]),
                        visitor_id=visitor,
                        saw_child=False,
                        saw_guardian=False,
                    )
                )
                day = min(day + dt.timedelta(days=rng.randint(1, 4)), last_day)
            visits.append(
                Visit(
                    child=item.child,
                    region_code=item.region_code,
                    visited_on=day,
                    kind=VisitKind.HOME,
                    outcome=Outcome.DONE,
                    visitor_id=visitor,
                    guardian_capable="yes",
                    health="good",
                    mood=rng.choice(["good", "good", "fair"]),
                    safe="yes",
                    in_school="yes",
                    parent_contact=rng.choice(["week", "week", "month"]),
                    notes=rng.choice(
                        [
                            "祖父母在家照料，孩子状态良好。",
                            "孩子按时上学，家中无安全隐患。",
                            "与外出父母每周视频通话。",
                            "提醒监护人注意防溺水。",
                        ]
                    ),
                )
            )
        Visit.objects.bulk_create(visits, batch_size=1000)
        visits = []
        visit_services.complete_satisfied()
    now = timezone.now()
    visit_services.schedules_refresh(on=today, now=now)
    sessions = _homes(today=today, rng=rng, county=county, fallback=fallback)
    escalated = escalation.escalate(now=now)
    return {
        "visits": Visit.objects.filter(region_code__startswith=county).count(),
        "overdue": WorkItem.objects.filter(
            status=Status.OPEN, due_at__lt=now, region_code__startswith=county
        ).count(),
        "escalated": escalated["to_township"] + escalated["to_county"],
        "sessions": sessions,
    }


def _homes(*, today: dt.date, rng: random.Random, county: str, fallback: User) -> int:
    """A children's home per village that has one among the organisations; weekly sessions, some weeks
    missed, so that last week's quiet homes are flagged to the township."""
    from shouhu.accounts.models import Organisation

    for org in Organisation.objects.filter(
        kind=OrganisationKind.CHILDRENS_HOME, region__code__startswith=county
    ):
        ChildrensHome.objects.get_or_create(
            village_id=org.region_id,
            defaults={
                "name": org.name,
                "address": org.address,
                "opening_hours": "周六 9:00–11:30，寒暑假每天下午",
            },
        )
    sessions = []
    monday = today - dt.timedelta(days=today.weekday())
    for home in ChildrensHome.objects.filter(village__code__startswith=county):
        for week in range(1, 13):
            if rng.random() < 0.2:
                continue
            held = monday - dt.timedelta(weeks=week) + dt.timedelta(days=5)
            sessions.append(
                ActivitySession(
                    home=home,
                    held_on=held,
                    topic=rng.choice(TOPICS),
                    leader="儿童主任",
                    attendee_count=rng.randint(6, 25),
                    recorded_by=fallback,
                )
            )
    ActivitySession.objects.bulk_create(sessions, batch_size=1000)
    home_services.homes_check(on=today)
    return len(sessions)


__all__ = ["seed_activity", "end_of_day"]


# The featured household (Bijie, 2015: 13, 9, 7 and 5 years old): name, age, gender, ID sequence (odd
# for boys), schooling (the youngest is below school age: outside every school rule).
HOUSEHOLD = [
    ("毕示例大", 13, "male", 991, "junior"),
    ("毕示例二", 9, "female", 992, "primary"),
    ("毕示例三", 7, "male", 993, "primary"),
    ("毕示例四", 5, "female", 994, "kindergarten"),
]


def seed_find_and_intervene(
    *, today: dt.date, county: str, village: str, report_village: str
) -> dict[str, int]:
    """A Bijie-like household (DOMAIN.md), registered as a director would: four siblings with the
    grandmother recorded as their carer, the mother working away, the father out of contact for 40
    days (no police report yet), three visits over 17 days that met a locked door, and the teacher's
    mandatory report on the eldest — every signal through the same services a director uses, so the
    siblings are one household and the signals combine into one urgent alert for it. And a teacher's
    report that the township made a case, and one it has not identified yet."""
    from shouhu.cases import reports
    from shouhu.children import idnumber
    from shouhu.children.models import Child
    from shouhu.children.services import child_register

    director = User.objects.filter(role=Role.VILLAGE_DIRECTOR, region_id=village).first()
    supervisor = User.objects.filter(role=Role.TOWNSHIP_SUPERVISOR, region_id=township_of(village)).first()
    teacher = User.objects.filter(role=Role.TEACHER, region__code__startswith=county).first()
    if not (director and supervisor and teacher):
        return {}
    father_birth, mother_birth = dt.date(today.year - 41, 3, 12), dt.date(today.year - 38, 9, 5)
    grandma_birth = dt.date(today.year - 71, 6, 2)
    parents = {
        "father": {
            "name": "毕大成",
            "birth_date": father_birth,
            "id_number": idnumber.make(f"{county}{father_birth:%Y%m%d}995"),
            "situation": "out_of_contact",
            "situation_since": today - dt.timedelta(days=40),  # the last call home
        },
        "mother": {
            "name": "罗小芬",
            "birth_date": mother_birth,
            "id_number": idnumber.make(f"{county}{mother_birth:%Y%m%d}996"),
            "situation": "migrant",
            "situation_since": today - dt.timedelta(days=400),
            "work_place": "广东省东莞市",
        },
    }
    carer = {
        "name": "毕奶奶",
        "relation": "grandparent",
        "birth_date": grandma_birth,
        "id_number": idnumber.make(f"{county}{grandma_birth:%Y%m%d}998"),
        "capacity": "capable",
        "address": "（演示数据）高寨村后庄",
    }
    siblings = []
    for name, years, gender, seq, schooling in HOUSEHOLD:
        birth = today.replace(year=today.year - years) - dt.timedelta(days=40 + seq % 10)
        number = idnumber.make(f"{county}{birth:%Y%m%d}{seq:03d}")
        if Child.objects.filter(id_number=number).exists():
            return {}
        siblings.append(
            child_register(
                actor=director,
                fields={
                    "name": name,
                    "gender": gender,
                    "birth_date": birth,
                    "id_number": number,
                    "village_id": village,
                    "hukou_type": "rural",
                    "schooling": schooling,
                    "living_arrangement": "grandparents",
                    "address": "（演示数据）高寨村后庄",
                },
                parents=parents,
                carer=carer,
            )
        )
    for days in (17, 9, 0):  # one visit to the home each time, recorded for every child in it
        visit_services.visit_record_household(
            actor=director,
            child=siblings[0],
            data={
                "visited_on": today - dt.timedelta(days=days),
                "outcome": Outcome.LOCKED,
                "notes": "铁门上锁，邻居说孩子们白天在家。",
            },
        )
    # The last signal: the eldest's teacher reports him absent for two weeks, the door locked.
    reports.report_file(
        actor=teacher,
        harm_type="abandoned",
        urgency="soon",
        township=township_of(village),
        village=village,
        child_name=siblings[0].name,
        child_id_number=siblings[0].id_number,
        description="毕示例大两周未到校，家中锁门，联系不上家长。",
        seen_at=timezone.now() - dt.timedelta(hours=1),
    )
    known = Child.objects.filter(region_code=report_village, exited_on__isnull=True).order_by("name").first()
    filed = 0
    if known is not None:
        report = reports.report_file(
            actor=teacher,
            harm_type="violence_injuries",
            urgency="soon",
            township=township_of(report_village),
            village=report_village,
            child_name=known.name,
            child_birth_date=known.birth_date,
            description="学生手臂和背部有多处淤青，说是家里人打的。",
            seen_at=timezone.now() - dt.timedelta(hours=5),
        )
        reports.report_link(actor=supervisor, report=report, child=known)
        reports.report_to_case(actor=supervisor, report=report, risk_level="high", parties=["学校", "派出所"])
        filed += 1
    reports.report_file(
        actor=teacher,
        harm_type="abandoned",
        urgency="immediate",
        township=township_of(village),
        description="放学路上看到一个约八岁的男孩，说爸妈都不在家，晚上一个人睡。姓名不详。",
        seen_at=timezone.now() - dt.timedelta(hours=2),
    )
    return {"bijie_children": len(siblings), "reports": filed + 2}


def seed_referral(*, today: dt.date, county: str, village: str) -> dict[str, int]:
    """The social-work organisation of the ``social-worker`` account as a provider (counselling, family
    education, school and guardian support across the county), and one child of an open case of
    ``village`` referred to it by the township supervisor, accepted, with two services recorded — all
    through ``referrals.services``. The social worker then sees that child and no other."""
    from shouhu.cases.models import Case, CaseStatus
    from shouhu.referrals import services as referrals
    from shouhu.referrals.models import Provider, ProviderKind, ServiceType

    staff = (
        User.objects.filter(role=Role.SOCIAL_WORKER, organisation__isnull=False).order_by("username").first()
    )
    supervisor = User.objects.filter(role=Role.TOWNSHIP_SUPERVISOR, region_id=township_of(village)).first()
    case = (
        Case.objects.filter(region_code__startswith=village)
        .exclude(status=CaseStatus.CLOSED)
        .select_related("child")
        .order_by("opened_at")
        .first()
    )
    if not (staff and supervisor and case):
        return {}
    provider, _created = Provider.objects.get_or_create(
        organisation=staff.organisation,
        defaults={
            "kind": ProviderKind.SOCIAL_WORK,
            "description": "（演示数据）为困境儿童及家庭提供社工服务",
        },
    )
    provider.services.add("counselling", "family_education", "school_support", "guardian_support")
    provider.areas.add(county)
    referral = referrals.referral_create(
        actor=supervisor,
        case=case,
        provider=provider,
        service=ServiceType.objects.get(pk="counselling"),
        need="父亲失联、母亲外出务工，兄妹无成人照料，需要心理疏导和家庭支持。",
        consent_by="guardian",
        consent_on=today,
    )
    referrals.referral_accept(actor=staff, referral=referral)
    for description, hours in (
        ("入户评估，与孩子和儿童主任面谈", "1.5"),
        ("个体心理辅导（沙盘游戏）", "1.0"),
    ):
        referrals.service_record(
            actor=staff, referral=referral, delivered_on=today, description=description, hours=hours
        )
    return {"referrals": 1}


def seed_break_glass(*, home_village: str, child_village: str) -> dict[str, int]:
    """The director of ``home_village`` opened, by breaking the glass, the file of a child registered in
    ``child_village`` of another township (a family that moved), two days ago, and ended the opening an
    hour later: the opening with its reason, the township's review item and notification, and the two
    access-log rows that stand out on the audit page. The opening is over, so the director of a fresh
    demo sees only her own village's children."""
    from shouhu.accounts import emergency
    from shouhu.audit.models import AccessLog, Action
    from shouhu.children.models import Child

    director = (
        User.objects.filter(role=Role.VILLAGE_DIRECTOR, region_id=home_village).order_by("username").first()
    )
    child = (
        Child.objects.filter(village_id=child_village, exited_on__isnull=True, id_number_hash__isnull=False)
        .order_by("name")
        .first()
    )
    if director is None or child is None:
        return {"break_glass": 0}
    reason = "该儿童随母亲迁入本村居住，原籍所在地尚未移交档案，需核实监护情况"
    opened = timezone.now() - dt.timedelta(days=2)
    child, grant = emergency.glass_break(actor=director, id_number=child.id_number, reason=reason, now=opened)
    if grant is None:
        return {"break_glass": 0}
    closed = opened + dt.timedelta(hours=1)
    emergency.glass_close(actor=director, grant_id=grant.pk, now=closed)
    for at, query in ((opened, reason), (closed, emergency.closing_note(grant))):
        AccessLog.objects.create(
            at=at,
            user=director,
            username=director.username,
            action=Action.BREAK_GLASS,
            child_id=child.pk,
            region_code=child.region_code,
            channel="web",
            path=f"/children/{child.pk}/",
            query=query,
        )
    return {"break_glass": 1}
