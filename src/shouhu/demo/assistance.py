"""The demo's assistance: Lixin County's standards, and one application for a de-facto unsupported child
of 前潘村 that went village → township → county, was returned once by the township, then approved, with
two months paid. Every step goes through ``assistance.services`` with the time it happened."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from shouhu.accounts.models import Role, User
from shouhu.assistance import services
from shouhu.assistance.models import Application, AssistanceType, CountyAmount
from shouhu.children.models import Child
from shouhu.regions.codes import township_of

# Demo standards (元/月), not an official table.
STANDARDS = {"de_facto_living": Decimal("1450.00"), "difficulty_living": Decimal("650.00")}
CHILD_SEQ = 990  # in the demo ID range (900–999), so ``seed-demo --reset`` removes the child


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _child(*, today: dt.date, county: str, village: str, director: User, living, since: dt.date) -> Child:
    """A de-facto unsupported child of the village: one the registry already holds; else a child of the
    village with no category yet whose parents the director records as imprisoned for two years (the
    demo's population keeps its size); a new child only in a village with neither."""
    from shouhu.assistance import eligibility
    from shouhu.children import idnumber
    from shouhu.children.services import child_register, child_update

    def qualifies(child: Child) -> bool:
        return (
            eligibility.check(child, living, since).eligible
            and eligibility.check(child, living, today).eligible
        )

    in_village = Child.objects.filter(region_code=village, exited_on__isnull=True).order_by("name")
    for found in in_village.filter(categories__category_id="de_facto_unsupported"):
        if qualifies(found):
            return found
    prison = {"situation": "imprisoned", "situation_since": today - dt.timedelta(days=730)}
    youngest = today.replace(year=today.year - 14)
    for found in in_village.filter(categories__isnull=True, birth_date__gt=youngest, id_number__isnull=False):
        try:
            child = child_update(actor=director, child=found, parents={"father": prison, "mother": prison})
        except ValidationError:  # a record the services would not accept as it stands: try the next
            continue
        if qualifies(child):
            return child
    birth = today.replace(year=today.year - 9) - dt.timedelta(days=100)
    return child_register(
        actor=director,
        fields={
            "name": "孙示例",
            "gender": "female",
            "birth_date": birth,
            "id_number": idnumber.make(f"{county}{birth:%Y%m%d}{CHILD_SEQ:03d}"),
            "village_id": village,
            "hukou_type": "rural",
            "schooling": "primary",
            "living_arrangement": "relatives",
            "address": "（演示数据）前潘村东头",
        },
        parents={"father": {"name": "孙示大", **prison}, "mother": {"name": "李示芳", **prison}},
        carer={"name": "孙示兰", "relation": "relative"},
    )


def seed_assistance(*, today: dt.date, county: str, village: str) -> dict[str, int]:
    director = User.objects.filter(role=Role.VILLAGE_DIRECTOR, region_id=village).first()
    supervisor = User.objects.filter(role=Role.TOWNSHIP_SUPERVISOR, region_id=township_of(village)).first()
    civil = User.objects.filter(role=Role.CIVIL_AFFAIRS, region_id=county).first()
    if not (director and supervisor and civil):
        return {}
    start = today.replace(day=1) - dt.timedelta(days=1)
    start = start.replace(day=1)  # the first paid month: last month
    for code, amount in STANDARDS.items():
        CountyAmount.objects.get_or_create(
            type_id=code,
            county_id=county,
            from_date=dt.date(today.year - 1, 1, 1),
            defaults={"monthly_amount": amount},
        )
    living = AssistanceType.objects.get(code="de_facto_living")
    begun = start - dt.timedelta(days=12)
    child = _child(today=today, county=county, village=village, director=director, living=living, since=begun)
    if Application.objects.filter(child=child, type=living).exists():
        return {}
    application = services.application_submit(
        actor=director,
        child=child,
        assistance_type=living,
        reason="父母均在服刑，由姑姑照料；家庭无稳定收入，申请事实无人抚养儿童基本生活补贴。",
        now=_at(begun, 9),
    )
    services.application_return(
        actor=supervisor,
        application=application,
        reason="请补充父母服刑的判决书或监狱出具的在押证明复印件。",
        now=_at(begun + dt.timedelta(days=2), 10),
    )
    services.application_resubmit(
        actor=director,
        application=application,
        comment="已补充父母的在押证明。",
        now=_at(begun + dt.timedelta(days=4), 15),
    )
    services.application_approve(
        actor=supervisor,
        application=application,
        comment="经入户核实，情况属实。",
        now=_at(begun + dt.timedelta(days=6), 11),
    )
    services.application_approve(
        actor=civil,
        application=application,
        comment="同意，自本月起发放。",
        now=_at(start + dt.timedelta(days=1), 10),
    )
    application.refresh_from_db()
    months = [application.starts_on, (application.starts_on + dt.timedelta(days=32)).replace(day=1)]
    paid = 0
    for month in months:
        if month > today:
            break
        services.payment_record(
            actor=civil,
            application=application,
            month=month,
            paid_on=min(month + dt.timedelta(days=9), today),
        )
        paid += 1
    return {"assistance_applications": 1, "assistance_payments": paid}
