"""Person names: the one rule for every name the registry keeps, and search keys for Chinese names.

The rule (``normalise``, then ``refusal``) applies to the child, the parents, the carer, the rescue
contacts and the users' names, in the forms, the API and the import alike: the model field
``validators.PersonNameField`` normalises in ``full_clean`` and before every save, and
``validators.validate_person_name`` refuses what normalising cannot make a name.

Normalising is what cannot change which name was meant: Unicode NFKC (full-width Latin, Kangxi
radicals ⾼ → 高, circled and compatibility ideographs), the radicals of the CJK Radicals Supplement
that NFKC leaves and that have the shape of a whole character (⻅ → 见, ``RADICAL_CHARACTERS``), the
middle dot of transcribed names in one form (·), spaces trimmed, removed inside a Chinese name and
collapsed to one inside a Latin one.

Refused, with the character named: invisible characters (zero-width space and joiners, the byte order
mark, bidirectional controls such as U+202E, variation selectors), control, private-use and
unassigned characters, symbols and emoji, radicals that are parts of characters (⺅), digits and
punctuation, and any script but Han and Latin, or the two mixed. Why only those two: the legal name
of a Chinese citizen is the one in Chinese characters on the household register and the ID card —
Tibetan, Uyghur and Mongolian names included, transcribed with the middle dot (阿依古丽·买买提); search,
pinyin, duplicate checks and the school and allowance lists compare those; and the Arabic and
Mongolian scripts need joiners that the invisible-character rule must refuse. Foreign nationals are
recorded in the Latin letters of their passport. A Cyrillic or Greek letter among Latin ones
(``а`` U+0430 for ``a``) is the look-alike that hides a duplicate: it is refused as another script, so
no confusables table is needed.

Character data comes from ``unicodedata2`` (the current Unicode version): Python 3.11's own tables are
Unicode 14, in which the CJK extensions H and I — the latter added for characters of Chinese
personal and place names — are unassigned.

Search keys: most given names are two characters, which a trigram index cannot serve; we index every
single character and every bigram of the name in ``NameToken`` (a plain B-tree index, the same on
SQLite and PostgreSQL). A query is normalised as a name is (and loses its invisible characters), split
the same way, and a child must carry all its bigrams; the name itself is then compared, so "建国强"
does not match "建国" + "国强" in two places.

Pinyin: full syllables without tones and initials, with the surname read as a surname — 单 Shan,
曾 Zeng, 解 Xie — which a character-by-character reading gets wrong. A Latin name's "pinyin" is its
letters, so that it is found the same way.
"""

import functools
import re

import unicodedata2 as ud
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypinyin import Style, lazy_pinyin

# Surnames whose reading as a surname differs from the common reading of the character.
# Two-character (compound) surnames come first so that they win over their first character.
SURNAME_READINGS = {
    "尉迟": ["yu", "chi"],
    "万俟": ["mo", "qi"],
    "单于": ["chan", "yu"],
    "长孙": ["zhang", "sun"],
    "澹台": ["tan", "tai"],
    "单": ["shan"],
    "曾": ["zeng"],
    "解": ["xie"],
    "仇": ["qiu"],
    "区": ["ou"],
    "朴": ["piao"],
    "查": ["zha"],
    "盖": ["ge"],
    "乐": ["yue"],
    "翟": ["zhai"],
    "缪": ["miao"],
    "覃": ["qin"],
    "秘": ["bi"],
    "繁": ["po"],
    "种": ["chong"],
    "员": ["yun"],
    "召": ["shao"],
    "薄": ["bo"],
    "卜": ["bu"],
    "折": ["she"],
    "句": ["gou"],
    "阚": ["kan"],
    "隗": ["wei"],
    "洗": ["xian"],
    "黑": ["he"],
    "都": ["du"],
    "重": ["chong"],
    "藏": ["zang"],
}


# The CJK Radicals Supplement forms that NFKC leaves and that have the shape of a whole character,
# mapped to it (after Unicode's EquivalentUnifiedIdeograph.txt). The other radicals there (⺅ 亻,
# ⺡ 氵 …) are parts of characters, never a name's character: they are refused.
RADICAL_CHARACTERS = {
    "\u2e81": "厂", "\u2e92": "巳", "\u2e93": "幺", "\u2e9c": "日", "\u2e9d": "月", "\u2ea0": "民",
    "\u2ea9": "王", "\u2eac": "示", "\u2ebb": "聿", "\u2ebd": "臼", "\u2ec4": "西", "\u2ec5": "见",
    "\u2ec6": "角", "\u2ec9": "贝", "\u2ecb": "车", "\u2ed1": "長", "\u2ed3": "长", "\u2ed4": "门",
    "\u2ed8": "青", "\u2ed9": "韦", "\u2eda": "页", "\u2edb": "风", "\u2edc": "飞", "\u2edd": "食",
    "\u2ee2": "马", "\u2ee3": "骨", "\u2ee4": "鬼", "\u2ee5": "鱼", "\u2ee6": "鸟", "\u2ee7": "卤",
    "\u2ee8": "麦", "\u2ee9": "黄", "\u2eea": "黾", "\u2eeb": "斉", "\u2eec": "齐", "\u2eed": "歯",
    "\u2eee": "齿", "\u2eef": "竜", "\u2ef0": "龙", "\u2ef1": "龜", "\u2ef2": "亀",
}  # fmt: skip
_RADICALS = str.maketrans(RADICAL_CHARACTERS)

DOT = "·"
# What people type for the middle dot (after NFKC: ・ U+FF65 is ・ U+30FB, ． is .).
_DOTS = str.maketrans(dict.fromkeys("•・‧∙⋅⸱.", DOT))
# Latin names: the separators of a passport name besides the space.
_LATIN_MARKS = frozenset("-'’.")

# Default-ignorable code points that are not of category Cf: as invisible as a zero-width space.
_IGNORABLE = (
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x115F, 0x1160),  # Hangul fillers
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),  # Mongolian variation selectors
    (0x2065, 0x2065),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFFA0, 0xFFA0),
    (0xE0000, 0xE0FFF),  # tags, variation selectors supplement
)

# The invisible characters people meet, named in the message (others by their Unicode name).
CHARACTER_NAMES = {
    "\u200b": gettext_lazy("零宽空格"),
    "\u200c": gettext_lazy("零宽不连字"),
    "\u200d": gettext_lazy("零宽连字"),
    "\u2060": gettext_lazy("词连接符"),
    "\ufeff": gettext_lazy("字节顺序标记 BOM"),
    "\u00ad": gettext_lazy("软连字符"),
    "\u200e": gettext_lazy("从左至右标记"),
    "\u200f": gettext_lazy("从右至左标记"),
    "\u202a": gettext_lazy("双向文本控制符"),
    "\u202b": gettext_lazy("双向文本控制符"),
    "\u202c": gettext_lazy("双向文本控制符"),
    "\u202d": gettext_lazy("从左至右强制符"),
    "\u202e": gettext_lazy("从右至左强制符"),
    "\u2066": gettext_lazy("双向文本控制符"),
    "\u2067": gettext_lazy("双向文本控制符"),
    "\u2068": gettext_lazy("双向文本控制符"),
    "\u2069": gettext_lazy("双向文本控制符"),
}

SCRIPT_NAMES = {
    "CYRILLIC": gettext_lazy("西里尔字母"),
    "GREEK": gettext_lazy("希腊字母"),
    "TIBETAN": gettext_lazy("藏文"),
    "ARABIC": gettext_lazy("阿拉伯字母（维吾尔文、哈萨克文）"),
    "MONGOLIAN": gettext_lazy("蒙古文"),
    "HIRAGANA": gettext_lazy("日文假名"),
    "KATAKANA": gettext_lazy("日文假名"),
    "HANGUL": gettext_lazy("韩文"),
}


def _invisible(c: str) -> bool:
    if ud.category(c) == "Cf":
        return True
    cp = ord(c)
    return any(lo <= cp <= hi for lo, hi in _IGNORABLE)


def _space(c: str) -> bool:
    return c in "\t\n\r\v\f" or ud.category(c) in ("Zs", "Zl", "Zp")


def _script(c: str) -> str:
    """HAN, LATIN, CYRILLIC …: the first word of the character's Unicode name (enough for letters)."""
    name = ud.name(c, "")
    if name.startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH")) or c == "〇":
        return "HAN"
    return name.split(" ", 1)[0]


def _han(c: str) -> bool:
    return _script(c) == "HAN"


def _letter(c: str) -> bool:
    return ud.category(c).startswith("L") or c == "〇"  # 〇 is a number (Nl) but a name's character


def _radical(c: str) -> bool:
    return 0x2E80 <= ord(c) <= 0x2FDF or 0x31C0 <= ord(c) <= 0x31EF  # radicals, Kangxi, strokes


def _once(name: str, drop_invisible: bool) -> str:
    name = ud.normalize("NFKC", name).translate(_RADICALS)
    if drop_invisible:
        name = "".join(c for c in name if not _invisible(c))
    name = "".join(" " if _space(c) else c for c in name)
    if any(_han(c) for c in name):
        return name.translate(_DOTS).replace(" ", "")
    return " ".join(part for part in name.split(" ") if part)


@functools.lru_cache(maxsize=65536)  # every save and lookup of a name passes here; names repeat
def normalise(name: str, *, drop_invisible: bool = False) -> str:
    """The form a name is stored and compared in (see the module's docstring). Idempotent.

    Invisible characters are kept (so that ``refusal`` can name them) unless ``drop_invisible``:
    search queries, and stored names that the data migration repairs."""
    for _round in range(3):  # a removed space can bring a mark next to a letter NFKC then composes
        cleaned = _once(name, drop_invisible)
        if cleaned == name:
            break
        name = cleaned
    return name


def clean(name: str) -> str:
    return normalise(name)


def query(text: str) -> str:
    """A search query in the form of a stored name: normalised, invisible characters dropped."""
    return normalise(text, drop_invisible=True)


def _shown(c: str) -> str:
    """``U+200B 零宽空格`` for an invisible character, ``“😀” U+1F600`` for a visible one."""
    code = f"U+{ord(c):04X}"
    if _invisible(c) or ud.category(c) in ("Cc", "Cn", "Co", "Cs") or _space(c):
        selector = 0xFE00 <= ord(c) <= 0xFE0F or 0xE0100 <= ord(c) <= 0xE01EF
        label = CHARACTER_NAMES.get(c) or (_("异体字选择符") if selector else ud.name(c, ""))
        return f"{code} {label}".strip()
    return f"“{c}” {code}"


# The basic block of CJK unified ideographs, every code point of it assigned: letters of one script,
# none invisible, a radical or a symbol.
_PLAIN_HAN = re.compile("[\u4e00-\u9fff]+")


def refusal(name: str) -> str | None:
    """Why ``name`` (normalised) cannot be a person's name, in the user's language; None if it can."""
    if not name:
        return _("请填写姓名。")
    if _PLAIN_HAN.fullmatch(name):  # most names: ideographs of the basic block, nothing to look at
        return None
    for check in (_refuse_invisible, _refuse_unusable, _refuse_radical, _refuse_symbol, _refuse_script):
        why = check(name)
        if why:
            return why
    return _refuse_punctuation(name)


# The checks of ``refusal``, in order: each says why, or None.


def _refuse_invisible(name: str) -> str | None:
    for c in name:
        if _invisible(c):
            return _("姓名中不能含有不可见字符（%(char)s），请删除后重新输入。") % {"char": _shown(c)}
    return None


def _refuse_unusable(name: str) -> str | None:
    """Control, private-use, unassigned and surrogate code points."""
    for c in name:
        category = ud.category(c)
        if category == "Cc":
            return _("姓名中不能含有控制字符（%(char)s）。") % {"char": _shown(c)}
        if category == "Co":
            return _(
                "姓名中不能含有私用区字符（%(char)s），它在别的设备上显示不出来。生僻字请用输入法中的标准汉字。"
            ) % {"char": _shown(c)}
        if category in ("Cn", "Cs"):
            return _("姓名中含有尚未定义的字符（%(char)s）。") % {"char": _shown(c)}
    return None


def _refuse_radical(name: str) -> str | None:
    for c in name:
        if _radical(c):
            return _("姓名中含有部首字符（%(char)s），请输入完整的汉字。") % {"char": _shown(c)}
    return None


def _refuse_symbol(name: str) -> str | None:
    for c in name:
        if ud.category(c) in ("So", "Sk", "Sm", "Sc", "Me") and not c.isascii():  # < > = … below
            return _("姓名中不能含有符号或表情（%(char)s）。") % {"char": _shown(c)}
    return None


def _refuse_script(name: str) -> str | None:
    """Letters of Han or Latin script only, never both."""
    letters = [c for c in name if _letter(c)]
    for c in letters:
        script = _script(c)
        if script not in ("HAN", "LATIN"):
            return _(
                "姓名中不能含有%(script)s（%(char)s）。请按户口簿填写汉字姓名，外籍人员按护照填写拉丁字母姓名。"
            ) % {"script": SCRIPT_NAMES.get(script, _("其他文字")), "char": _shown(c)}
    latin = next((c for c in letters if not _han(c)), None)
    if latin and any(_han(c) for c in letters):
        return _("姓名中混用了汉字和拉丁字母（%(char)s）：中国公民请填写汉字姓名，外籍人员只填拉丁字母。") % {
            "char": _shown(latin)
        }
    return None


def _refuse_punctuation(name: str) -> str | None:
    """Between the letters only what a name may hold: a combining accent on a Latin letter, the dot
    between the parts of a Han name, spaces and the marks of a Latin name."""
    letters = [c for c in name if _letter(c)]
    han = any(_han(c) for c in letters)
    punctuation = _("姓名中不能有数字、标点或符号（如 < > / &），少数民族姓名中间可用“·”。")
    previous = ""
    for i, c in enumerate(name):
        if _letter(c):
            pass
        elif ud.category(c) == "Mn":
            # A combining accent of a Latin letter that has no precomposed form; never on Han.
            if han or not previous or not (previous.isalpha() or ud.category(previous) == "Mn"):
                return _("姓名中不能含有符号或表情（%(char)s）。") % {"char": _shown(c)}
        elif c == DOT and han:
            if i == 0 or i == len(name) - 1 or previous == DOT:
                return _("“·”只能写在姓名的两部分之间。")
        elif not _allowed_between(c, han=han, letters=letters):
            return punctuation
        previous = c
    return None if letters else punctuation


def _allowed_between(c: str, *, han: bool, letters: list[str]) -> bool:
    return (c == " " and not han) or (c in _LATIN_MARKS and not han and bool(letters))


def _chars(text: str) -> list[str]:
    return [c for c in query(text) if c not in (DOT, " ")]


def tokens(text: str) -> set[str]:
    """Every character and every bigram of adjacent characters (the dot separates nothing)."""
    chars = _chars(text)
    return set(chars) | {a + b for a, b in zip(chars, chars[1:], strict=False)}


def query_tokens(text: str) -> set[str]:
    """The tokens a name must carry to contain ``text``: its bigrams, or the single character."""
    chars = _chars(text)
    if len(chars) == 1:
        return set(chars)
    return {a + b for a, b in zip(chars, chars[1:], strict=False)}


_LATIN_WORD = re.compile(r"[^\W\d_]+")


@functools.lru_cache(maxsize=65536)  # names repeat: an import of a county reads each a few times
def syllables(name: str) -> tuple[str, ...]:
    name = query(name).replace(DOT, "")
    if not is_han(name):
        # A Latin name: its words without accents (José → jose), found as pinyin is.
        plain = "".join(c for c in ud.normalize("NFKD", name) if ud.category(c) != "Mn")
        words = ("".join(ch for ch in w if ch.isascii()).lower() for w in _LATIN_WORD.findall(plain))
        return tuple(w for w in words if w)
    for surname in sorted(SURNAME_READINGS, key=len, reverse=True):
        if name.startswith(surname):
            rest = name[len(surname) :]
            return tuple(
                SURNAME_READINGS[surname]
                + (lazy_pinyin(rest, style=Style.NORMAL, errors="ignore") if rest else [])
            )
    return tuple(lazy_pinyin(name, style=Style.NORMAL, errors="ignore"))


def pinyin(name: str) -> str:
    return "".join(syllables(name)).lower()


def initials(name: str) -> str:
    return "".join(s[0] for s in syllables(name) if s).lower()


def is_han(text: str) -> bool:
    return any(_han(c) for c in text)
