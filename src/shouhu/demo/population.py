"""The demo's synthetic population of Lixin County, planned from a seed. No database writes here.

What is invented, and how it shows that it is:

* Names: a surname from a list of common surnames and a given name from a small fixed set of
  characters, so that they read as names but visibly repeat.
* ID numbers (公民身份号码): valid in form — the real area code 341623, the person's (invented) birth
  date, the GB 11643 check character — with sequence numbers 900–999 only, the range this project
  reserves for demo data (``DEMO_SEQUENCES``).
* Phone numbers: 1xx-0000-xxxx, the middle block always 0000.
* Organisations' addresses and the workforce registry's training field carry ``DEMO_MARK``.

Proportions follow the national figures (see the project's domain notes): about one child in ten is
left behind, 96 % of them cared for by grandparents; a few percent of families hold 低保, 特困 or
建档立卡 status; about 1 % of children are disabled; a few children are orphans, de-facto unsupported,
living alone or with minor siblings only, or out of school during compulsory education. About 3 % of
villages have no child director, so that the gap shows on the township's pages.

The plan is deterministic for a seed and a date (ages are counted back from ``today``).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field
from decimal import Decimal

from shouhu.accounts.models import OrganisationKind, WorkerKind
from shouhu.children import idnumber
from shouhu.children.options import (
    Assistance,
    CarerCapacity,
    CarerRelation,
    DisabilityType,
    Gender,
    GuardianshipConcern,
    GuardianshipQuality,
    Health,
    HukouType,
    IncomeSource,
    LivingArrangement,
    ParentSituation,
    Schooling,
)
from shouhu.children.validators import add_months, add_years, age_on
from shouhu.regions.codes import township_of

COUNTY = "341623"  # 利辛县
COUNTY_NAME = "利辛县"
# Statistics-only industrial parks: they have a code but no households.
PARKS = ("341623401", "341623402")
# The villages of the demo's director accounts, which get a fuller share of households.
QIANPAN = "341623110202"  # 王市镇 前潘村
GAOZHAI = "341623110203"  # 王市镇 高寨村
CHENGYANG = "341623101203"  # 阚疃镇 程杨村
FEATURED = (QIANPAN, GAOZHAI, CHENGYANG)

DEMO_SEQUENCES = range(900, 1000)
# A demo ID number: Lixin's area code, a birth date, a sequence 900–999 and the check character.
DEMO_ID_PATTERN = r"^341623[0-9]{8}9[0-9]{2}[0-9X]$"
DEMO_MARK = "（演示数据）"

LEFT_BEHIND_SHARE = 0.10
GRANDPARENT_CARE_SHARE = 0.96
POVERTY_SHARE = 0.05
DISABLED_SHARE = 0.01
SERIOUSLY_ILL_SHARE = 0.004
VILLAGES_WITHOUT_DIRECTOR_SHARE = 0.03
MIN_CHILDREN = 50

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭肖田董袁潘蒋蔡杜程魏吕丁任沈姚"
)
BOY_CHARS = list("浩宇轩俊杰博文明磊涛鹏晨阳睿")
GIRL_CHARS = list("欣怡雨涵佳静婷悦琳萱梦雪思雅")
MAN_NAMES = "建国 国强 志刚 德明 建华 军 伟 勇 海峰 强 东升 永林 卫东 春生".split()
WOMAN_NAMES = "秀英 桂英 玉兰 秀兰 凤英 丽 芳 敏 娟 红霞 春梅 海燕 美玲 小琴".split()
ELDER_MAN_NAMES = "德福 贵山 有才 金山 永福 长林 万福 广田 玉堂 守义".split()
ELDER_WOMAN_NAMES = "桂兰 秀珍 凤兰 玉芝 兰英 金花 秀芝 素珍 翠英 淑芬".split()

WORK_PLACES = (
    "浙江省宁波市 浙江省杭州市 浙江省温州市 江苏省苏州市 江苏省南京市 江苏省无锡市 上海市 "
    "广东省深圳市 广东省东莞市 安徽省合肥市 北京市 福建省厦门市"
).split()
CONTACT_FREQUENCIES = "每天 每周 每周 每两周 每月".split()
RETURN_FREQUENCIES = "春节回家 春节回家 每年两次 每季度一次 农忙时回家".split()
PHONE_PREFIXES = "135 137 139 152 158 187 188 199".split()
ILLNESSES = "白血病 先天性心脏病 肾病综合征 重症再生障碍性贫血".split()
CHRONIC = "哮喘 癫痫 1型糖尿病".split()
PRIMARY_GRADES = "一年级 二年级 三年级 四年级 五年级 六年级".split()
JUNIOR_GRADES = "七年级 八年级 九年级".split()
SENIOR_GRADES = "高一 高二 高三".split()
VOCATIONAL_GRADES = "中职一年级 中职二年级 中职三年级".split()
KINDERGARTEN_GRADES = "小班 中班 大班".split()

# Household profiles: how the parents and carers stand.
ORDINARY = "ordinary"
LEFT_BEHIND = "left_behind"  # both parents migrant, grandparents or relatives care
LEFT_BEHIND_PARENT_INCAPABLE = "left_behind_parent_incapable"  # one migrant, the other cannot guard
ALONE = "alone"  # both parents migrant, the child lives alone
MINOR_SIBLINGS = "minor_siblings"  # both parents migrant, children live with minor siblings only
ORPHAN = "orphan"
DE_FACTO_UNSUPPORTED = "de_facto_unsupported"
DROPOUT = "dropout"
NEGLECT = "neglect"
GENDER_WORDS = {Gender.MALE: "男", Gender.FEMALE: "女"}
LEFT_BEHIND_PROFILES = {LEFT_BEHIND, LEFT_BEHIND_PARENT_INCAPABLE, ALONE, MINOR_SIBLINGS}


@dataclass(frozen=True)
class Township:
    code: str
    name: str


@dataclass(frozen=True)
class Village:
    code: str
    name: str  # the official name, e.g. 前潘村村民委员会
    is_community: bool

    @property
    def township(self) -> str:
        return township_of(self.code)

    @property
    def short_name(self) -> str:
        """前潘村村民委员会 → 前潘村; 王市社区居民委员会 → 王市社区."""
        name = re.sub(r"(村民委员会|居民委员会|委员会|委会)$", "", self.name)
        return name if name.endswith(("村", "社区", "居")) else name + "村"


@dataclass
class OrganisationPlan:
    key: str
    kind: str
    name: str
    region_code: str
    address: str
    phone: str


@dataclass
class WorkerPlan:
    kind: str
    region_code: str
    fields: dict


@dataclass
class ChildPlan:
    """The keyword arguments of ``children.services.child_register``, and how the child was planned."""

    profile: str
    school_key: str | None
    fields: dict
    parents: dict[str, dict]
    carer: dict | None
    contacts: list[dict] = field(default_factory=list)


@dataclass
class Plan:
    organisations: list[OrganisationPlan]
    workers: list[WorkerPlan]
    children: list[ChildPlan]
    people: dict[str, str]  # full names for the accounts that are not in the workforce registry


@dataclass
class _Household:
    profile: str
    village: Village
    surname: str
    father: dict
    mother: dict
    carer: dict | None
    living: str
    quality: str
    income: list[str]
    assistance: list[str]
    concern: str = ""
    hukou: str = HukouType.RURAL
    address: str = ""


def plan(
    *,
    townships: list[Township],
    villages: list[Village],
    children: int,
    seed: int,
    today: dt.date,
    taken_id_numbers: set[str] | frozenset[str] = frozenset(),
) -> Plan:
    """The whole demo population: organisations, the workforce, households and their children."""
    return _Planner(
        seed=seed, today=today, townships=townships, villages=villages, taken=set(taken_id_numbers)
    ).run(children)


def quotas(children: int) -> dict[str, int]:
    """How many households of each rare kind, and how many left-behind children, for a population size."""
    return {
        "left_behind_children": round(children * LEFT_BEHIND_SHARE),
        ALONE: max(1, round(children * 0.002)),
        MINOR_SIBLINGS: max(1, round(children * 0.001)),
        ORPHAN: max(1, round(children * 0.002)),
        DE_FACTO_UNSUPPORTED: max(1, round(children * 0.003)),
        DROPOUT: max(1, round(children * 0.002)),
        NEGLECT: max(1, round(children * 0.001)),
        "disabled": max(1, round(children * DISABLED_SHARE)),
        "seriously_ill": max(1, round(children * SERIOUSLY_ILL_SHARE)),
    }


class _Planner:
    def __init__(
        self,
        *,
        seed: int,
        today: dt.date,
        townships: list[Township],
        villages: list[Village],
        taken: set[str],
    ):
        self.rng = random.Random(seed)
        self.today = today
        self.taken = taken
        self.townships = sorted((t for t in townships if t.code not in PARKS), key=lambda t: t.code)
        self.villages = sorted((v for v in villages if v.township not in PARKS), key=lambda v: v.code)
        self.by_code = {v.code: v for v in self.villages}
        self.township_names = {t.code: t.name for t in self.townships}
        missing = [c for c in FEATURED if c not in self.by_code]
        if missing:
            raise ValueError(f"the demo needs the villages {', '.join(missing)} of Lixin County")
        self.directors: dict[str, dict] = {}
        self.middle_school_of: dict[str, str] = {}

    # --- people -----------------------------------------------------------------------------------

    def surname(self, other_than: str = "") -> str:
        while True:
            s = self.rng.choice(SURNAMES)
            if s != other_than:
                return s

    def child_given_name(self, gender: str) -> str:
        chars = BOY_CHARS if gender == Gender.MALE else GIRL_CHARS
        if self.rng.random() < 0.2:
            return self.rng.choice(chars)
        return self.rng.choice(chars) + self.rng.choice(chars)

    def adult_given_name(self, gender: str, elder: bool = False) -> str:
        if elder:
            return self.rng.choice(ELDER_MAN_NAMES if gender == Gender.MALE else ELDER_WOMAN_NAMES)
        return self.rng.choice(MAN_NAMES if gender == Gender.MALE else WOMAN_NAMES)

    def adult_name(self, gender: str, surname: str = "") -> str:
        return (surname or self.surname()) + self.adult_given_name(gender)

    def phone(self) -> str:
        return f"{self.rng.choice(PHONE_PREFIXES)}0000{self.rng.randrange(10000):04d}"

    def id_number(self, birth: dt.date, gender: str) -> str:
        """A valid number with a demo sequence (odd for men, even for women, as GB 11643 has it)."""
        sequences = list(range(901 if gender == Gender.MALE else 900, 1000, 2))
        start = self.rng.randrange(len(sequences))
        for i in range(len(sequences)):
            number = idnumber.make(f"{COUNTY}{birth:%Y%m%d}{sequences[(start + i) % len(sequences)]:03d}")
            if number not in self.taken:
                self.taken.add(number)
                return number
        raise ValueError(f"all 50 demo sequences are used for {birth} ({gender})")

    def birth_for_age(self, age: int) -> dt.date:
        latest = add_years(self.today, -age)
        earliest = add_years(self.today, -(age + 1)) + dt.timedelta(days=1)
        return earliest + dt.timedelta(days=self.rng.randrange((latest - earliest).days + 1))

    def adult_birth_before(self, birth: dt.date, years: tuple[int, int]) -> dt.date:
        return add_years(birth, -self.rng.randint(*years)) - dt.timedelta(days=self.rng.randrange(365))

    def days_ago(self, low: int, high: int) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randint(low, high))

    # --- households -------------------------------------------------------------------------------

    def parent(
        self, role: str, name: str, birth: dt.date, situation: str = ParentSituation.AT_HOME, **extra
    ) -> dict:
        gender = Gender.MALE if role == "father" else Gender.FEMALE
        data = {
            "name": name,
            "birth_date": birth,
            "id_number": self.id_number(birth, gender),
            "phone": "" if situation in (ParentSituation.DECEASED, ParentSituation.MISSING) else self.phone(),
            "situation": situation,
        }
        if situation == ParentSituation.MIGRANT:
            data.update(
                situation_since=self.days_ago(180, 3000),
                work_place=self.rng.choice(WORK_PLACES),
                contact_frequency=self.rng.choice(CONTACT_FREQUENCIES),
                return_frequency=self.rng.choice(RETURN_FREQUENCIES),
            )
        data.update(extra)
        return data

    def parents_for(self, eldest_birth: dt.date, surname: str) -> tuple[dict, dict]:
        mother_birth = self.adult_birth_before(eldest_birth, (21, 33))
        father_birth = self.adult_birth_before(mother_birth, (0, 4))
        father = {"name": surname + self.adult_given_name(Gender.MALE), "birth_date": father_birth}
        mother = {"name": self.adult_name(Gender.FEMALE), "birth_date": mother_birth}
        return father, mother

    def grandparent_carer(self, father: dict, mother: dict, address: str) -> dict:
        maternal = self.rng.random() < 0.3
        side = mother if maternal else father
        grandmother = self.rng.random() < 0.6
        gender = Gender.FEMALE if grandmother else Gender.MALE
        family_surname = side["name"][0]
        surname = self.surname(family_surname) if grandmother else family_surname
        birth = self.adult_birth_before(side["birth_date"], (21, 30))
        age = age_on(birth, self.today)
        limited = age >= 72 or self.rng.random() < 0.08
        return {
            "name": surname + self.adult_given_name(gender, elder=True),
            "relation": CarerRelation.MATERNAL_GRANDPARENT if maternal else CarerRelation.GRANDPARENT,
            "birth_date": birth,
            "phone": self.phone(),
            "id_number": self.id_number(birth, gender),
            "health": self.rng.choice([Health.HEALTHY, Health.HEALTHY, Health.WEAK, Health.CHRONIC_ILLNESS])
            if age >= 65
            else Health.HEALTHY,
            "capacity": CarerCapacity.LIMITED if limited else CarerCapacity.CAPABLE,
            "address": address,
        }

    def relative_carer(self, father: dict, address: str) -> dict:
        gender = self.rng.choice([Gender.MALE, Gender.FEMALE])
        birth = self.adult_birth_before(self.today, (30, 50))
        surname = father["name"][0] if gender == Gender.MALE else self.surname()
        return {
            "name": surname + self.adult_given_name(gender),
            "relation": CarerRelation.RELATIVE,
            "birth_date": birth,
            "phone": self.phone(),
            "id_number": self.id_number(birth, gender),
            "health": Health.HEALTHY,
            "capacity": CarerCapacity.CAPABLE,
            "address": address,
        }

    def address(self, village: Village) -> str:
        return f"{village.short_name}{self.rng.randint(1, 12)}组{self.rng.randint(1, 80)}号"

    def births(self, size: int, eldest_age: tuple[int, int], youngest_age: int = 0) -> list[dt.date]:
        """Siblings' birth dates, eldest first, at least about a year apart, all within the ages."""
        first = self.birth_for_age(self.rng.randint(*eldest_age))
        births = [first]
        latest = add_years(self.today, -youngest_age)
        while len(births) < size:
            nxt = births[-1] + dt.timedelta(days=self.rng.randint(400, 1800))
            if nxt > latest:
                break
            births.append(nxt)
        return births

    def household(
        self, profile: str, village: Village, births: list[dt.date], variant: int = 0
    ) -> _Household:
        rng = self.rng
        surname = self.surname()
        f, m = self.parents_for(births[0], surname)
        address = self.address(village)
        income = [IncomeSource.FARMING]
        assistance: list[str] = []
        carer = None
        concern = ""
        migrant = ParentSituation.MIGRANT
        if profile == ORDINARY:
            mode = rng.random()
            father_situation = migrant if 0.50 <= mode < 0.85 else ParentSituation.AT_HOME
            mother_situation = migrant if mode >= 0.93 else ParentSituation.AT_HOME
            father = self.parent("father", f["name"], f["birth_date"], father_situation)
            mother = self.parent("mother", m["name"], m["birth_date"], mother_situation)
            living = LivingArrangement.PARENTS
            quality = GuardianshipQuality.GOOD if rng.random() < 0.85 else GuardianshipQuality.FAIR
            if migrant in (father_situation, mother_situation):
                income = [IncomeSource.WAGES, IncomeSource.FARMING]
        elif profile in (LEFT_BEHIND, ALONE, MINOR_SIBLINGS):
            father = self.parent("father", f["name"], f["birth_date"], migrant)
            mother = self.parent("mother", m["name"], m["birth_date"], migrant)
            income = [IncomeSource.WAGES]
            if profile == ALONE:
                living, quality = LivingArrangement.ALONE, GuardianshipQuality.NONE
                father["contact_frequency"] = mother["contact_frequency"] = "很少联系"
            elif profile == MINOR_SIBLINGS:
                living, quality = LivingArrangement.MINOR_SIBLINGS, GuardianshipQuality.NONE
            elif rng.random() < GRANDPARENT_CARE_SHARE:
                carer = self.grandparent_carer(f, m, address)
                living = LivingArrangement.GRANDPARENTS
                quality = (
                    GuardianshipQuality.CARER_INSUFFICIENT
                    if carer["capacity"] == CarerCapacity.LIMITED
                    else rng.choice([GuardianshipQuality.GOOD, GuardianshipQuality.FAIR])
                )
            else:
                carer = self.relative_carer(f, address)
                living, quality = LivingArrangement.RELATIVES, GuardianshipQuality.FAIR
        elif profile == LEFT_BEHIND_PARENT_INCAPABLE:
            incapable = [
                {"situation": ParentSituation.DECEASED, "situation_since": self.days_ago(400, 3000)},
                {"situation": ParentSituation.SERIOUSLY_ILL, "situation_since": self.days_ago(200, 1500)},
                {
                    "situation": ParentSituation.DISABLED,
                    "disability_type": DisabilityType.PHYSICAL,
                    "disability_grade": 2,
                },
                {
                    "situation": ParentSituation.DISABLED,
                    "disability_type": DisabilityType.MENTAL,
                    "disability_grade": 3,
                },
            ][variant % 4]
            if variant % 3 == 2:  # now and then the mother is the one who migrates
                father = self.parent("father", f["name"], f["birth_date"], **incapable)
                mother = self.parent("mother", m["name"], m["birth_date"], migrant)
            else:
                father = self.parent("father", f["name"], f["birth_date"], migrant)
                mother = self.parent("mother", m["name"], m["birth_date"], **incapable)
            carer = self.grandparent_carer(f, m, address)
            living, quality = LivingArrangement.GRANDPARENTS, GuardianshipQuality.PARENT_INCAPABLE
            income = [IncomeSource.WAGES, IncomeSource.FARMING]
        elif profile == ORPHAN:
            father = self.parent(
                "father",
                f["name"],
                f["birth_date"],
                ParentSituation.DECEASED,
                situation_since=self.days_ago(400, 4000),
            )
            mother_gone = {"situation": ParentSituation.DECEASED, "situation_since": self.days_ago(400, 4000)}
            if variant % 2:
                mother_gone = {
                    "situation": ParentSituation.MISSING,
                    "situation_since": self.days_ago(800, 4000),
                }
            mother = self.parent("mother", m["name"], m["birth_date"], **mother_gone)
            carer = self.grandparent_carer(f, m, address)
            living, quality = LivingArrangement.GRANDPARENTS, GuardianshipQuality.CARER_INSUFFICIENT
            income = [IncomeSource.GOVERNMENT, IncomeSource.RELATIVES]
            assistance = [Assistance.ORPHAN]
        elif profile == DE_FACTO_UNSUPPORTED:
            father_facts, mother_facts = self.unsupported_parents(variant)
            father = self.parent("father", f["name"], f["birth_date"], **father_facts)
            mother = self.parent("mother", m["name"], m["birth_date"], **mother_facts)
            carer = self.grandparent_carer(f, m, address)
            living, quality = LivingArrangement.GRANDPARENTS, GuardianshipQuality.CARER_INSUFFICIENT
            income = [IncomeSource.GOVERNMENT, IncomeSource.FARMING]
            assistance = [Assistance.DIBAO, Assistance.OTHER]
        elif profile == DROPOUT:
            father = self.parent("father", f["name"], f["birth_date"], migrant)
            mother = self.parent("mother", m["name"], m["birth_date"])
            living, quality = LivingArrangement.PARENTS, GuardianshipQuality.FAIR
            income = [IncomeSource.WAGES, IncomeSource.FARMING]
        elif profile == NEGLECT:
            father = self.parent("father", f["name"], f["birth_date"])
            mother = self.parent("mother", m["name"], m["birth_date"])
            living, quality = LivingArrangement.PARENTS, GuardianshipQuality.FAIR
            concern = GuardianshipConcern.NEGLECT
        else:
            raise ValueError(profile)
        if profile not in (ORPHAN, DE_FACTO_UNSUPPORTED) and rng.random() < POVERTY_SHARE:
            assistance = rng.choice(
                [
                    [Assistance.DIBAO],
                    [Assistance.DIBAO],
                    [Assistance.DIBAO],
                    [Assistance.REGISTERED_POOR, Assistance.DIBAO],
                    [Assistance.TEKUN],
                ]
            )
        if assistance and IncomeSource.GOVERNMENT not in income:
            income = [*income, IncomeSource.GOVERNMENT]
        hukou = HukouType.RURAL
        if village.is_community and profile == ORDINARY and rng.random() < 0.3:
            hukou = HukouType.URBAN
        return _Household(
            profile=profile,
            village=village,
            surname=surname,
            father=father,
            mother=mother,
            carer=carer,
            living=living,
            quality=quality,
            income=income,
            assistance=assistance,
            concern=concern,
            hukou=hukou,
            address=address,
        )

    def unsupported_parents(self, variant: int) -> tuple[dict, dict]:
        """Both parents unable to support the child (民发〔2019〕62号), in a few common combinations."""
        rng_days = self.days_ago
        imprisoned = {
            "situation": ParentSituation.IMPRISONED,
            "situation_since": rng_days(400, 900),
            "situation_until": self.today + dt.timedelta(days=self.rng.randint(300, 1500)),
        }
        out_of_contact = {
            "situation": ParentSituation.OUT_OF_CONTACT,
            "situation_since": rng_days(700, 1500),
            "police_report_date": rng_days(200, 600),
        }
        deceased = {"situation": ParentSituation.DECEASED, "situation_since": rng_days(400, 3000)}
        severe = {
            "situation": ParentSituation.DISABLED,
            "disability_type": DisabilityType.INTELLECTUAL,
            "disability_grade": 3,
        }
        ill = {"situation": ParentSituation.SERIOUSLY_ILL, "situation_since": rng_days(200, 1200)}
        rehab = {"situation": ParentSituation.DRUG_REHAB, "situation_since": rng_days(200, 400)}
        rehab["situation_until"] = add_months(rehab["situation_since"], 24)
        return [
            (imprisoned, out_of_contact),
            (deceased, severe),
            (ill, imprisoned),
            (deceased, rehab),
            (
                {
                    "situation": ParentSituation.DISABLED,
                    "disability_type": DisabilityType.PHYSICAL,
                    "disability_grade": 1,
                },
                out_of_contact,
            ),
        ][variant % 5]

    # --- children ---------------------------------------------------------------------------------

    def schooling(self, birth: dt.date, township: str, dropout: bool) -> tuple[str, str, str | None, bool]:
        """Schooling, grade, school and boarding consistent with the age on 31 August of this school year."""
        rng = self.rng
        year = self.today.year if (self.today.month, self.today.day) >= (9, 1) else self.today.year - 1
        cutoff = dt.date(year, 8, 31)
        s = age_on(birth, cutoff) if birth <= cutoff else -1
        if dropout:
            return Schooling.DROPPED_OUT, "", None, False
        if s < 3:
            return Schooling.NOT_IN_KINDERGARTEN, "", None, False
        if s <= 5:
            if rng.random() < 0.85:
                return Schooling.KINDERGARTEN, KINDERGARTEN_GRADES[s - 3], None, False
            return Schooling.NOT_IN_KINDERGARTEN, "", None, False
        if s <= 11:
            return Schooling.PRIMARY, PRIMARY_GRADES[s - 6], f"primary:{township}", rng.random() < 0.05
        if s <= 14:
            return (
                Schooling.JUNIOR,
                JUNIOR_GRADES[s - 12],
                f"middle:{self.middle_school_of[township]}",
                rng.random() < 0.4,
            )
        roll = rng.random()
        if roll < 0.55:
            return Schooling.SENIOR, SENIOR_GRADES[min(s, 17) - 15], "senior", rng.random() < 0.85
        if roll < 0.8:
            return Schooling.VOCATIONAL, VOCATIONAL_GRADES[min(s, 17) - 15], "vocational", rng.random() < 0.6
        return Schooling.NOT_IN_SCHOOL, "", None, False

    def children_of(self, hh: _Household, births: list[dt.date]) -> list[ChildPlan]:
        result = []
        for birth in births:
            gender = self.rng.choice([Gender.MALE, Gender.FEMALE])
            schooling, grade, school_key, boarding = self.schooling(
                birth, hh.village.township, dropout=hh.profile == DROPOUT
            )
            fields = {
                "name": hh.surname + self.child_given_name(gender),
                "gender": gender,
                "birth_date": birth,
                "id_number": self.id_number(birth, gender),
                "ethnicity": "回族" if self.rng.random() < 0.01 else "汉族",
                "household_registered": True,
                "hukou_type": hh.hukou,
                "village_id": hh.village.code,
                "address": hh.address,
                "grade": grade,
                "schooling": schooling,
                "boarding": boarding,
                "health": Health.HEALTHY,
                "living_arrangement": hh.living,
                "guardianship_quality": hh.quality,
                "guardianship_concern": hh.concern,
                "income_sources": list(hh.income),
                "assistance": list(hh.assistance),
            }
            if self.rng.random() < 0.03:
                fields["health"] = self.rng.choice([Health.WEAK, Health.CHRONIC_ILLNESS])
                if fields["health"] == Health.CHRONIC_ILLNESS:
                    fields["illness"] = self.rng.choice(CHRONIC)
            result.append(
                ChildPlan(
                    profile=hh.profile,
                    school_key=school_key,
                    fields=fields,
                    parents={"father": dict(hh.father), "mother": dict(hh.mother)},
                    carer=dict(hh.carer) if hh.carer else None,
                )
            )
        return result

    def mark_health(self, children: list[ChildPlan], disabled: int, ill: int) -> None:
        """The child's own disability or serious illness (困境儿童, own condition), on a few children."""
        candidates = [c for c in children if c.profile in (ORDINARY, LEFT_BEHIND)]
        chosen = self.rng.sample(candidates, min(len(candidates), disabled + ill))
        for i, child in enumerate(chosen):
            f = child.fields
            if i < disabled:
                grade = self.rng.choice([1, 2, 2, 3, 3, 4, 4, 4])
                f["health"] = Health.DISABLED
                f["disability_type"] = self.rng.choice(DisabilityType.values)
                f["disability_grade"] = grade
                f["illness"] = ""
                f["assistance"] = [*f["assistance"], Assistance.DISABILITY_LIVING]
                if grade <= 2:
                    f["assistance"].append(Assistance.DISABILITY_CARE)
            else:
                f["health"] = Health.SERIOUS_ILLNESS
                f["illness"] = self.rng.choice(ILLNESSES)
                f["assistance"] = [*f["assistance"], Assistance.MEDICAL]

    def add_contacts(self, child: ChildPlan) -> None:
        """Rescue contacts (救助联系人) for every listed child: the village's director and a neighbour."""
        listed = (
            child.profile != ORDINARY
            or child.fields["assistance"]
            or child.fields["health"] in (Health.DISABLED, Health.SERIOUS_ILLNESS)
        )
        if not listed:
            return
        village = child.fields["village_id"]
        director = self.directors.get(village)
        if director:
            child.contacts.append(
                {"name": director["name"], "relation": "", "phone": director["phone"], "role": "儿童主任"}
            )
        else:
            child.contacts.append(
                {
                    "name": self.adult_name(Gender.MALE),
                    "relation": "",
                    "phone": self.phone(),
                    "role": "村干部",
                }
            )
        gender = self.rng.choice([Gender.MALE, Gender.FEMALE])
        child.contacts.append(
            {"name": self.adult_name(gender), "relation": "邻居", "phone": self.phone(), "role": "邻居"}
        )

    # --- organisations and workforce --------------------------------------------------------------

    def organisations(self) -> list[OrganisationPlan]:
        """The county's bureau and guidance centre, a workstation per township, a children's home per
        village, a primary school per township, a middle school per three townships, and a few others."""
        K = OrganisationKind

        def org(key: str, kind: str, name: str, region: str, place: str = "") -> OrganisationPlan:
            return OrganisationPlan(key, kind, name, region, f"{COUNTY_NAME}{place}{DEMO_MARK}", self.phone())

        county, wangshi = COUNTY_NAME, "341623110"
        wangshi_name = self.township_names[wangshi]
        orgs = [
            org("bureau", K.CIVIL_AFFAIRS_BUREAU, f"{county}民政局", COUNTY, "城关镇"),
            org("centre", K.GUIDANCE_CENTRE, f"{county}儿童福利指导中心", COUNTY, "城关镇"),
            org("senior", K.SCHOOL, f"{county}高级中学", COUNTY, "城关镇"),
            org("vocational", K.SCHOOL, f"{county}职业教育中心", COUNTY, "城关镇"),
            org("social", K.SOCIAL_ORGANISATION, f"{county}守护社会工作服务中心", COUNTY, "城关镇"),
            org("clinic", K.OTHER, f"{wangshi_name}卫生院", wangshi, wangshi_name),
        ]
        for i in range(0, len(self.townships), 3):
            group = self.townships[i : i + 3]
            lead = group[0]
            for t in group:
                self.middle_school_of[t.code] = lead.code
            orgs.append(org(f"middle:{lead.code}", K.SCHOOL, f"{lead.name}初级中学", lead.code, lead.name))
        for t in self.townships:
            orgs.append(
                org(f"workstation:{t.code}", K.WORKSTATION, f"{t.name}儿童福利工作站", t.code, t.name)
            )
            orgs.append(org(f"primary:{t.code}", K.SCHOOL, f"{t.name}中心小学", t.code, t.name))
        for v in self.villages:
            place = f"{self.township_names[v.township]}{v.short_name}"
            orgs.append(org(f"home:{v.code}", K.CHILDRENS_HOME, f"{v.short_name}儿童之家", v.code, place))
        return orgs

    def workers(self) -> list[WorkerPlan]:
        rng = self.rng
        without = max(1, round(len(self.villages) * VILLAGES_WITHOUT_DIRECTOR_SHARE))
        gaps = set(rng.sample([v.code for v in self.villages if v.code not in FEATURED], without))
        workers = []
        for v in self.villages:
            if v.code in gaps:
                continue
            gender = Gender.FEMALE if rng.random() < 0.8 else Gender.MALE
            birth = self.adult_birth_before(self.today, (28, 55))
            fields = {
                "name": self.adult_name(gender),
                "gender": GENDER_WORDS[gender],
                "ethnicity": "汉族",
                "birth_date": birth,
                "political_status": rng.choice(["中共党员", "中共党员", "群众", "共青团员"]),
                "education": rng.choice(["高中", "中专", "大专", "大专", "本科", "初中"]),
                "employer": v.name,
                "position": rng.choice(["妇联主席", "村委委员", "村党支部委员", "村务专干"]),
                "phone": self.phone(),
                "full_time": False,
                "government_purchased": False,
                "allowance": Decimal(rng.choice(["200.00", "300.00", "300.00", "400.00"])),
                "training": f"{DEMO_MARK}虚构人员。参加县级儿童主任培训。",
                "started_on": self.days_ago(200, 2500),
            }
            self.directors[v.code] = fields
            workers.append(WorkerPlan(WorkerKind.DIRECTOR, v.code, fields))
        for t in self.townships:
            gender = rng.choice([Gender.MALE, Gender.FEMALE])
            fields = {
                "name": self.adult_name(gender),
                "gender": GENDER_WORDS[gender],
                "ethnicity": "汉族",
                "birth_date": self.adult_birth_before(self.today, (28, 50)),
                "political_status": rng.choice(["中共党员", "中共党员", "群众"]),
                "education": rng.choice(["大专", "本科", "本科"]),
                "employer": f"{t.name}人民政府",
                "position": rng.choice(["民政办工作人员", "社会事务办主任", "社会事务办科员"]),
                "phone": self.phone(),
                "full_time": rng.random() < 0.3,
                "government_purchased": False,
                "allowance": None,
                "training": f"{DEMO_MARK}虚构人员。参加省级儿童督导员培训。",
                "started_on": self.days_ago(200, 2500),
            }
            workers.append(WorkerPlan(WorkerKind.SUPERVISOR, t.code, fields))
        return workers

    # --- the whole plan ---------------------------------------------------------------------------

    def run(self, n: int) -> Plan:
        if n < MIN_CHILDREN:
            raise ValueError(f"the demo needs at least {MIN_CHILDREN} children to show every category")
        orgs = self.organisations()
        workers = self.workers()
        people = {
            key: self.adult_name(self.rng.choice([Gender.MALE, Gender.FEMALE]))
            for key in (
                "county_staff",
                "civil_affairs",
                "admin",
                "social_worker",
                "mentor",
                "teacher",
                "health_worker",
            )
        }
        q = quotas(n)
        children: list[ChildPlan] = []
        featured = {
            ALONE: [QIANPAN],
            DROPOUT: [QIANPAN],
            DE_FACTO_UNSUPPORTED: [GAOZHAI],
            ORPHAN: [GAOZHAI],
            MINOR_SIBLINGS: [CHENGYANG],
            NEGLECT: [CHENGYANG],
            LEFT_BEHIND: [v for v in FEATURED for _ in range(3)],
            ORDINARY: [v for v in FEATURED for _ in range(5)],
        }

        def village_for(profile: str) -> Village:
            if featured.get(profile):
                return self.by_code[featured[profile].pop(0)]
            village = self.rng.choice(self.villages)
            if profile in LEFT_BEHIND_PROFILES and village.is_community and self.rng.random() < 0.5:
                village = self.rng.choice(self.villages)  # left-behind families are mostly in villages
            return village

        def add(profile: str, births: list[dt.date], variant: int = 0) -> int:
            births = births[: n - len(children)]
            if not births:
                return 0
            hh = self.household(profile, village_for(profile), births, variant)
            children.extend(self.children_of(hh, births))
            return len(births)

        def size() -> int:
            return self.rng.choices([1, 2, 3], weights=[50, 38, 12])[0]

        left_behind = 0
        for i in range(q[ORPHAN]):
            add(ORPHAN, self.births(1, (2, 16)), i)
        for i in range(q[DE_FACTO_UNSUPPORTED]):
            add(DE_FACTO_UNSUPPORTED, self.births(1, (3, 15)), i)
        for i in range(q[DROPOUT]):
            add(DROPOUT, self.births(1, (12, 15)), i)
        for i in range(q[NEGLECT]):
            add(NEGLECT, self.births(1, (4, 12)), i)
        for i in range(q[ALONE]):
            left_behind += add(ALONE, self.births(1, (13, 15)), i)
        for i in range(q[MINOR_SIBLINGS]):
            births = self.births(2, (13, 15), youngest_age=7)
            while len(births) < 2:
                births = self.births(2, (13, 15), youngest_age=7)
            left_behind += add(MINOR_SIBLINGS, births, i)
        variant = 0
        while left_behind < q["left_behind_children"] and len(children) < n:
            want = min(size(), q["left_behind_children"] - left_behind)
            incapable = variant % 7 == 6
            profile = LEFT_BEHIND_PARENT_INCAPABLE if incapable else LEFT_BEHIND
            left_behind += add(profile, self.births(want, (0, 15)), variant)
            variant += 1
        while len(children) < n:
            add(ORDINARY, self.births(size(), (0, 17)))
        self.mark_health(children, q["disabled"], q["seriously_ill"])
        for child in children:
            self.add_contacts(child)
        return Plan(organisations=orgs, workers=workers, children=children, people=people)
