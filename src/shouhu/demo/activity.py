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
            visitor = item.responsible_id or supervisors.get(item.region_code[:9]) or fallback.pk
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
