"""Factories and the fixed personas of the test suite."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from django.utils import timezone

from shouhu.accounts.models import (
    Grant,
    GrantReason,
    Organisation,
    OrganisationKind,
    Role,
    User,
    WelfareWorker,
    WorkerKind,
)
from shouhu.children import idnumber
from shouhu.children import services as child_services
from shouhu.children.models import Child

COUNTY = "341623"  # 利辛县
TOWNSHIP = "341623110"  # 王市镇
VILLAGE_A = "341623110202"  # 前潘村
VILLAGE_B = "341623110203"  # 高寨村
OTHER_TOWNSHIP = "341623101"  # 阚疃镇
VILLAGE_C = "341623101203"  # 程杨村
PASSWORD = "correct-horse-battery-staple"

_seq = itertools.count(1)


def make_user(username: str, role: str, region: str | None, **extra) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, role=role, region_id=region, **extra
    )
    return user


def id_number_for(birth: dt.date, gender: str = "female", area: str = COUNTY) -> str:
    n = next(_seq) % 400
    seq = 2 * n + (1 if gender == "male" else 0) + 100
    return idnumber.make(f"{area}{birth:%Y%m%d}{seq:03d}")


def child_fields(village: str = VILLAGE_A, **overrides) -> dict:
    today = timezone.localdate()
    birth = overrides.pop("birth_date", today.replace(year=today.year - 10, day=1))
    fields = dict(
        name=overrides.pop("name", "测试儿童"),
        gender="female",
        birth_date=birth,
        village_id=village,
        hukou_type="rural",
        schooling="primary",
    )
    fields.update(overrides)
    return fields


def make_child(
    actor=None, village: str = VILLAGE_A, parents=None, carer=None, contacts=None, **overrides
) -> Child:
    """Register a child through the service, as a user would (admin actor by default)."""
    actor = actor or _system_admin()
    return child_services.child_register(
        actor=actor,
        fields=child_fields(village, **overrides),
        parents=parents,
        carer=carer,
        contacts=contacts,
    )


def _system_admin() -> User:
    user = User.objects.filter(username="system").first()
    if user is None:
        user = User.objects.create_superuser(username="system", password=PASSWORD, role=Role.ADMIN)
    return user


def migrant(since: dt.date | None = None) -> dict:
    return {
        "situation": "migrant",
        "situation_since": since or timezone.localdate() - dt.timedelta(days=400),
        "work_place": "浙江省宁波市",
    }


@dataclass
class Personas:
    dir_a: User
    dir_b: User
    dir_c: User
    supervisor: User
    county: User
    civil: User
    admin: User
    mentor: User
    social_worker: User
    child_a: Child
    child_b: Child
    child_c: Child

    @classmethod
    def create(cls) -> Personas:
        county = make_user("county", Role.COUNTY_STAFF, COUNTY, full_name="闫林")
        users = dict(
            dir_a=make_user(
                "dir_a", Role.VILLAGE_DIRECTOR, VILLAGE_A, full_name="刘云", email="liuyun@example.org"
            ),
            dir_b=make_user("dir_b", Role.VILLAGE_DIRECTOR, VILLAGE_B, full_name="高芳"),
            dir_c=make_user("dir_c", Role.VILLAGE_DIRECTOR, VILLAGE_C, full_name="程丽"),
            supervisor=make_user(
                "supervisor",
                Role.TOWNSHIP_SUPERVISOR,
                TOWNSHIP,
                full_name="王丽",
                email="wangli@example.org",
                phone="13800000001",
            ),
        )
        for key in ("dir_a", "dir_b", "dir_c"):
            WelfareWorker.objects.create(
                kind=WorkerKind.DIRECTOR,
                user=users[key],
                name=users[key].full_name,
                region_id=users[key].region_id,
            )
        WelfareWorker.objects.create(
            kind=WorkerKind.SUPERVISOR,
            user=users["supervisor"],
            name="王丽",
            region_id=TOWNSHIP,
            full_time=True,
        )
        child_a = make_child(
            name="梦巧",
            village=VILLAGE_A,
            parents={"father": migrant(), "mother": migrant()},
            living_arrangement="grandparents",
            carer={"name": "梦奶奶", "relation": "grandparent"},
        )
        child_b = make_child(name="高小明", village=VILLAGE_B, gender="male")
        child_c = make_child(name="程建国", village=VILLAGE_C, gender="male")
        mentor = make_user("mentor", Role.MENTOR, None, full_name="梁慧")
        Grant.objects.create(user=mentor, child=child_a, reason=GrantReason.PAIRING, granted_by=county)
        return cls(
            **users,
            county=county,
            civil=make_user("civil", Role.CIVIL_AFFAIRS, COUNTY, full_name="民政干部"),
            admin=make_user("admin", Role.ADMIN, COUNTY, full_name="系统管理员"),
            mentor=mentor,
            social_worker=make_user(
                "social",
                Role.SOCIAL_WORKER,
                None,
                full_name="张顺利",
                organisation=Organisation.objects.create(
                    kind=OrganisationKind.SOCIAL_ORGANISATION, name="守护社会工作服务中心", region_id=COUNTY
                ),
            ),
            child_a=child_a,
            child_b=child_b,
            child_c=child_c,
        )
