"""Why a child holds a category is stored in the registry's language and read in the reader's."""

import datetime as dt

from django.utils import translation

from shouhu.children import classify as c
from shouhu.children.classify import ChildFacts, ParentFacts
from shouhu.children.reasons import in_words

ON = dt.date(2026, 11, 18)


def reasons(**kw) -> dict[str, str]:
    return c.classify(ChildFacts(birth_date=dt.date(2016, 5, 1), **kw), ON)


def test_each_national_reason_reads_in_english_with_no_chinese_left():
    found = {
        **reasons(father=ParentFacts("migrant"), mother=ParentFacts("migrant")),
        **reasons(father=ParentFacts("deceased"), mother=ParentFacts("deceased")),
        **reasons(assistance=("dibao",), health="disabled", living_arrangement="alone"),
    }
    with translation.override("en"):
        words = {code: in_words(reason) for code, reason in found.items()}

    assert words[c.LEFT_BEHIND] == "Both parents are migrant workers"
    assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in w) for w in words.values()), words


def test_reasons_are_written_in_chinese_whatever_the_language_of_the_page():
    with translation.override("en"):
        found = reasons(father=ParentFacts("deceased"), mother=ParentFacts("deceased"))

    assert found[c.ORPHAN] == "父亲死亡，母亲死亡"


def test_a_reason_typed_by_a_person_is_shown_as_typed():
    with translation.override("en"):
        assert in_words("村委会认定") == "村委会认定"
