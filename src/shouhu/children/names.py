"""Search keys for Chinese names: character bigrams and pinyin.

Most given names are two characters, which a trigram index cannot serve; we index every single
character and every bigram of the name in ``NameToken`` (a plain B-tree index, the same on SQLite and
PostgreSQL). A query is split the same way and a child must carry all its bigrams; the name itself is
then compared, so "建国强" does not match "建国" + "国强" in two places.

Pinyin: full syllables without tones and initials, with the surname read as a surname — 单 Shan,
曾 Zeng, 解 Xie — which a character-by-character reading gets wrong.
"""

import functools
import unicodedata

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


def clean(name: str) -> str:
    """NFC, no spaces; the middle dot of transcribed names in one form (·)."""
    name = unicodedata.normalize("NFC", name).strip()
    for dot in ("•", "・", "‧", "∙", "．", "."):
        name = name.replace(dot, "·")
    return "".join(name.split())


def _chars(text: str) -> list[str]:
    return [c for c in clean(text) if c != "·"]


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


@functools.lru_cache(maxsize=65536)  # names repeat: an import of a county reads each a few times
def syllables(name: str) -> tuple[str, ...]:
    name = clean(name).replace("·", "")
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
    return any(
        "\u3400" <= c <= "\u9fff" or "\U00020000" <= c <= "\U0003134f" or "\uf900" <= c <= "\ufaff"
        for c in text
    )
