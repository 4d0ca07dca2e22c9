"""The situations that must be reported at once (强制报告), as data: the nine of the 2020 opinions on a
mandatory reporting system for harm to minors (最高检等九部门《关于建立侵害未成年人案件强制报告制度的意见
（试行）》, wording summarised) and the local additions a county uses (seed 003: lured into crime)."""

from django.utils.translation import gettext_noop

HARM_TYPES = [
    ("genital_injury", gettext_noop("生殖器官或隐私部位遭受或疑似遭受非正常损伤"), True),
    (
        "girl_under_14_sexual",
        gettext_noop("不满十四周岁的女性未成年人遭受或疑似遭受性侵害、怀孕、流产"),
        True,
    ),
    (
        "girl_14_plus_pregnant",
        gettext_noop("十四周岁以上女性未成年人遭受或疑似遭受性侵害所致怀孕、流产"),
        True,
    ),
    (
        "violence_injuries",
        gettext_noop(
            "身体存在多处损伤、严重营养不良、意识不清，存在或疑似存在受到家庭暴力、欺凌、虐待、殴打或被人麻醉等情形"
        ),
        True,
    ),
    (
        "abnormal_harm",
        gettext_noop("因自杀、自残、工伤、中毒、被人麻醉、殴打等非正常原因导致伤残、死亡"),
        True,
    ),
    ("abandoned", gettext_noop("被遗弃或长期处于无人照料状态"), True),
    ("unknown_origin", gettext_noop("发现未成年人来源不明、失踪或被拐卖、收买"), True),
    ("organised_begging", gettext_noop("发现未成年人被组织乞讨"), True),
    (
        "other_serious_harm",
        gettext_noop("其他严重侵害未成年人身心健康的情形或未成年人正在面临不法侵害危险"),
        True,
    ),
    ("lured", gettext_noop("被引诱参与违法犯罪或逃学"), False),
]
