"""The eligibility checks kept with an application are read in the reader's language."""

import datetime as dt

from django.utils import translation

from shouhu.assistance import eligibility
from shouhu.children import classify as c

ON = dt.date(2026, 11, 18)
RULE = {"categories": [c.ORPHAN, c.DE_FACTO_UNSUPPORTED], "max_age": 18, "excluded_assistance": ["tekun"]}


def kept(**subject) -> list[dict]:
    return eligibility.check_subject(eligibility.Subject(**subject), RULE, ON).as_list()


def test_a_refusal_is_kept_in_chinese_and_read_in_english():
    rows = kept(age=19, categories={c.LEFT_BEHIND: "父母双方外出务工"}, assistance=("tekun",))

    assert [r["text"] for r in rows if not r["passed"]][0].startswith("已满18周岁")
    with translation.override("en"):
        words = [eligibility.row_in_words(r) for r in rows]
    assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in f"{name}{text}") for name, text in words), words


def test_a_pass_names_the_category_held_and_why_in_english():
    rows = kept(age=9, categories={c.ORPHAN: "父亲死亡，母亲死亡"})

    with translation.override("en"):
        name, text = eligibility.row_in_words(next(r for r in rows if r["rule"] == "categories"))

    assert text == "Orphan (Father: Deceased; mother: Deceased)"


def test_a_row_kept_before_the_codes_shows_its_words():
    row = {"rule": "min_age", "name": "最低年龄", "passed": True, "text": "9周岁"}

    assert eligibility.row_in_words(row) == ("最低年龄", "9周岁")
