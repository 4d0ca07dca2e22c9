"""Search keys for Chinese names: bigrams and pinyin with surname readings."""

import pytest

from shouhu.children import names


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("单丽", "shanli"),
        ("曾小明", "zengxiaoming"),
        ("解红", "xiehong"),
        ("尉迟敬", "yuchijing"),
        ("张建国", "zhangjianguo"),
    ],
)
def test_polyphonic_surnames_are_read_as_surnames(name, expected):
    assert names.pinyin(name) == expected


def test_the_surname_reading_applies_only_to_the_first_character():
    assert names.pinyin("王单") == "wangdan"


def test_initials():
    assert names.initials("曾小明") == "zxm"


def test_tokens_are_characters_and_adjacent_pairs():
    assert names.tokens("张建国") == {"张", "建", "国", "张建", "建国"}


def test_rare_characters_outside_the_basic_plane_are_single_characters():
    assert names.tokens("𠮷堃") == {"𠮷", "堃", "𠮷堃"}


def test_the_middle_dot_is_unified_and_does_not_split_tokens():
    assert names.clean("阿依古丽•买买提") == "阿依古丽·买买提"
    assert "丽买" in names.tokens("阿依古丽·买买提")


def test_query_tokens_of_two_characters_is_one_bigram():
    assert names.query_tokens("建国") == {"建国"}
