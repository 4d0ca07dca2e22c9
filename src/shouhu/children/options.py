"""The official option lists, as the national system and the 2016 registration form word them.

Stored values are short stable codes; the Chinese labels are the forms' own words, so that the
registry maps field by field to the national system and to the sheets counties already hold.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class HukouType(models.TextChoices):
    """户籍性质"""

    RURAL = "rural", _("农村居民户口")
    URBAN = "urban", _("城镇居民户口")
    OTHER = "other", _("其他")


class Schooling(models.TextChoices):
    """就学情况 (2016 form), which the national system's 学业 list maps onto."""

    KINDERGARTEN = "kindergarten", _("幼儿园")
    NOT_IN_KINDERGARTEN = "not_in_kindergarten", _("未入园")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("中职")
    DROPPED_OUT = "dropped_out", _("辍学")
    NOT_IN_SCHOOL = "not_in_school", _("不在学")


OUT_OF_SCHOOL = {Schooling.DROPPED_OUT, Schooling.NOT_IN_SCHOOL}


class Health(models.TextChoices):
    """健康状况"""

    HEALTHY = "healthy", _("健康")
    WEAK = "weak", _("一般或较弱")
    SERIOUS_ILLNESS = "serious_illness", _("重病")
    CHRONIC_ILLNESS = "chronic_illness", _("慢性病")
    DISABLED = "disabled", _("残疾")
    OTHER = "other", _("其他")


class DisabilityType(models.TextChoices):
    """残疾类别 (GB/T 26341)"""

    VISUAL = "visual", _("视力残疾")
    HEARING = "hearing", _("听力残疾")
    SPEECH = "speech", _("言语残疾")
    PHYSICAL = "physical", _("肢体残疾")
    INTELLECTUAL = "intellectual", _("智力残疾")
    MENTAL = "mental", _("精神残疾")
    MULTIPLE = "multiple", _("多重残疾")


class DisabilityGrade(models.IntegerChoices):
    GRADE_1 = 1, _("一级")
    GRADE_2 = 2, _("二级")
    GRADE_3 = 3, _("三级")
    GRADE_4 = 4, _("四级")


class LivingArrangement(models.TextChoices):
    """实际监护, plus the two arrangements with no adult at all."""

    PARENTS = "parents", _("父母或一方父母")
    GRANDPARENTS = "grandparents", _("祖父母、外祖父母")
    RELATIVES = "relatives", _("亲戚朋友")
    NO_CARER = "no_carer", _("无委托照料人")
    MINOR_SIBLINGS = "minor_siblings", _("无成年人：仅与未成年兄弟姐妹共同生活")
    ALONE = "alone", _("独自居住")
    INSTITUTION = "institution", _("福利或救助机构")


# No adult at home (Minor Protection Law 2020 Art. 21): the classification's 独居 and the alone rule.
NO_ADULT = {LivingArrangement.ALONE, LivingArrangement.MINOR_SIBLINGS}


class GuardianshipQuality(models.TextChoices):
    """监护类型 (2016 form); the first three count as poor (差)."""

    NONE = "none", _("无人监护")
    PARENT_INCAPABLE = "parent_incapable", _("父或母无监护能力")
    CARER_INSUFFICIENT = "carer_insufficient", _("受委托监护人监护能力不足")
    FAIR = "fair", _("监护情况一般")
    GOOD = "good", _("监护情况较好")


POOR_GUARDIANSHIP = {
    GuardianshipQuality.NONE,
    GuardianshipQuality.PARENT_INCAPABLE,
    GuardianshipQuality.CARER_INSUFFICIENT,
}


class GuardianshipConcern(models.TextChoices):
    """Improper guardianship recorded by staff (国发〔2016〕36号: abuse, abandonment, harm)."""

    NONE = "", _("无")
    ABUSE = "abuse", _("遭受虐待")
    ABANDONMENT = "abandonment", _("被遗弃")
    NEGLECT = "neglect", _("监护缺失或不当")
    OTHER_HARM = "other_harm", _("其他侵害")


class IncomeSource(models.TextChoices):
    """家庭经济来源 (multiple)"""

    WAGES = "wages", _("打工收入")
    FARMING = "farming", _("种养殖业")
    GOVERNMENT = "government", _("政府救助")
    RELATIVES = "relatives", _("亲朋接济")
    OTHER = "other", _("其他")


class Assistance(models.TextChoices):
    """救助措施 (multiple) — also the family's 低保/特困/建档立卡 status."""

    REGISTERED_POOR = "registered_poor", _("建档立卡贫困户")
    DIBAO = "dibao", _("最低生活保障")
    TEKUN = "tekun", _("特困供养")
    TEMPORARY = "temporary", _("临时救助")
    MEDICAL = "medical", _("医疗救助")
    HOUSING = "housing", _("住房救助")
    DISABILITY_LIVING = "disability_living", _("残疾人生活补助")
    DISABILITY_CARE = "disability_care", _("残疾人护理补助")
    ORPHAN = "orphan", _("孤儿津贴")
    OTHER = "other", _("其他")


FAMILY_POVERTY = {Assistance.REGISTERED_POOR, Assistance.DIBAO, Assistance.TEKUN}


class ParentRole(models.TextChoices):
    FATHER = "father", _("父亲")
    MOTHER = "mother", _("母亲")


class ParentSituation(models.TextChoices):
    """A parent's situation. The de-facto-unsupported list (民发〔2019〕62号, 〔2020〕125号) plus
    at home / migrant."""

    AT_HOME = "at_home", _("在家")
    MIGRANT = "migrant", _("外出务工")
    DECEASED = "deceased", _("死亡")
    MISSING = "missing", _("失踪")
    OUT_OF_CONTACT = "out_of_contact", _("失联")
    IMPRISONED = "imprisoned", _("服刑在押")
    DRUG_REHAB = "drug_rehab", _("强制隔离戒毒")
    DETAINED = "detained", _("被执行其他限制人身自由的措施")
    SERIOUSLY_ILL = "seriously_ill", _("重病")
    DISABLED = "disabled", _("残疾")
    GUARDIANSHIP_REVOKED = "guardianship_revoked", _("被撤销监护资格")
    DEPORTED = "deported", _("被遣送出境")
    UNKNOWN = "unknown", _("不详")

    @classmethod
    def unable_to_guard(cls, situation: str, *, severely_disabled: bool) -> bool:
        """A parent who cannot guard the child, however long the situation has lasted: gone, out of
        contact, deprived of liberty, seriously ill, stripped of guardianship, deported, or severely
        disabled. The one reading shared by the left-behind definition (``classify`` choice 4) and the
        risk rules ("parents unable", "no capable carer")."""
        return situation in UNABLE_TO_GUARD or (situation == cls.DISABLED and severely_disabled)

    @classmethod
    def away(cls, situation: str, *, severely_disabled: bool) -> bool:
        """Not at home to guard the child: unable to (above) or away at work."""
        return situation == cls.MIGRANT or cls.unable_to_guard(situation, severely_disabled=severely_disabled)


# Deprived of liberty: counts for the de-facto-unsupported definition once the term reaches 6 months.
DEPRIVED_OF_LIBERTY = {ParentSituation.IMPRISONED, ParentSituation.DRUG_REHAB, ParentSituation.DETAINED}
# Counts for the de-facto-unsupported definition from the first day.
UNTIMED_INCAPACITY = {
    ParentSituation.SERIOUSLY_ILL,
    ParentSituation.GUARDIANSHIP_REVOKED,
    ParentSituation.DEPORTED,
}
# Dead or cannot be found: both make an orphan.
GONE = {ParentSituation.DECEASED, ParentSituation.MISSING}
UNABLE_TO_GUARD = GONE | DEPRIVED_OF_LIBERTY | UNTIMED_INCAPACITY | {ParentSituation.OUT_OF_CONTACT}


class CarerCapacity(models.TextChoices):
    CAPABLE = "capable", _("有照料能力")
    LIMITED = "limited", _("照料能力不足")
    INCAPABLE = "incapable", _("无照料能力")


class CarerRelation(models.TextChoices):
    GRANDPARENT = "grandparent", _("祖父母")
    MATERNAL_GRANDPARENT = "maternal_grandparent", _("外祖父母")
    SIBLING = "sibling", _("兄弟姐妹")
    RELATIVE = "relative", _("其他亲属")
    FRIEND = "friend", _("朋友或邻居")
    OTHER = "other", _("其他")


class ExitReason(models.TextChoices):
    """退出原因"""

    AGED_OUT = "aged_out", _("年满18周岁")
    MOVED = "moved", _("迁出本地")
    DECEASED = "deceased", _("死亡")
    ADOPTED = "adopted", _("被收养")
    OTHER = "other", _("其他")


# The 56 ethnic groups and 其他, stored as written here; marked for translation so that the
# interface can show them in the user's language.
ETHNICITIES = [
    gettext_noop("汉族"),
    gettext_noop("蒙古族"),
    gettext_noop("回族"),
    gettext_noop("藏族"),
    gettext_noop("维吾尔族"),
    gettext_noop("苗族"),
    gettext_noop("彝族"),
    gettext_noop("壮族"),
    gettext_noop("布依族"),
    gettext_noop("朝鲜族"),
    gettext_noop("满族"),
    gettext_noop("侗族"),
    gettext_noop("瑶族"),
    gettext_noop("白族"),
    gettext_noop("土家族"),
    gettext_noop("哈尼族"),
    gettext_noop("哈萨克族"),
    gettext_noop("傣族"),
    gettext_noop("黎族"),
    gettext_noop("傈僳族"),
    gettext_noop("佤族"),
    gettext_noop("畲族"),
    gettext_noop("高山族"),
    gettext_noop("拉祜族"),
    gettext_noop("水族"),
    gettext_noop("东乡族"),
    gettext_noop("纳西族"),
    gettext_noop("景颇族"),
    gettext_noop("柯尔克孜族"),
    gettext_noop("土族"),
    gettext_noop("达斡尔族"),
    gettext_noop("仫佬族"),
    gettext_noop("羌族"),
    gettext_noop("布朗族"),
    gettext_noop("撒拉族"),
    gettext_noop("毛南族"),
    gettext_noop("仡佬族"),
    gettext_noop("锡伯族"),
    gettext_noop("阿昌族"),
    gettext_noop("普米族"),
    gettext_noop("塔吉克族"),
    gettext_noop("怒族"),
    gettext_noop("乌孜别克族"),
    gettext_noop("俄罗斯族"),
    gettext_noop("鄂温克族"),
    gettext_noop("德昂族"),
    gettext_noop("保安族"),
    gettext_noop("裕固族"),
    gettext_noop("京族"),
    gettext_noop("塔塔尔族"),
    gettext_noop("独龙族"),
    gettext_noop("鄂伦春族"),
    gettext_noop("赫哲族"),
    gettext_noop("门巴族"),
    gettext_noop("珞巴族"),
    gettext_noop("基诺族"),
    gettext_noop("其他"),
]
