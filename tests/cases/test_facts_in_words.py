"""An alert's facts are stored as the rules wrote them and shown in the reader's language."""

from django.utils import translation

from shouhu.cases import facts


def test_the_facts_of_a_child_alone_read_in_english():
    with translation.override("en"):
        words = facts.in_words({"年龄": 14, "情形": "独自居住"})

    assert words == [("Age", "14"), ("Situation", "Lives alone")]


def test_the_parents_situation_reads_in_english_from_codes_and_from_older_rows():
    with translation.override("en"):
        new = facts.value("父母状况", "father：deceased（自 2024-03-01）；mother：migrant")
        old = facts.value("父母状况", "父亲：imprisoned")

    assert new == "Father: Deceased (since 2024-03-01); Mother: Migrant worker"
    assert old == "Father: Imprisoned"


def test_a_households_children_keep_their_names_with_their_ages_in_words():
    with translation.override("en"):
        assert facts.value("儿童", "毕大娃（13周岁）、毕二娃（9周岁）") == "毕大娃 (aged 13), 毕二娃 (aged 9)"


def test_the_facts_read_as_stored_in_chinese():
    assert facts.line({"年龄": 14, "情形": "独自居住"}) == "年龄：14；情形：独自居住"


def test_an_unknown_fact_is_shown_as_stored():
    with translation.override("en"):
        assert facts.in_words({"自定义": "某某"}) == [("自定义", "某某")]
