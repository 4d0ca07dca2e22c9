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


# --- the one rule for a person's name -------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def refused(name: str) -> str | None:
    return names.refusal(names.normalise(name))


@pytest.mark.parametrize(
    ("entered", "stored"),
    [
        ("⾼明", "高明"),  # Kangxi radical U+2F7C
        ("⻅明", "见明"),  # CJK Radicals Supplement, which NFKC leaves
        ("⺟亲", "母亲"),
        ("ＪＯＨＮ　ＳＭＩＴＨ", "JOHN SMITH"),  # full-width letters and the ideographic space
        ("张 明", "张明"),
        ("  张明 ", "张明"),
        ("John   Smith", "John Smith"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),
        ("阿依古丽 · 买买提", "阿依古丽·买买提"),
        ("阿依古丽．买买提", "阿依古丽·买买提"),
        ("㊥华", "中华"),  # a circled ideograph
        ("\ufa10明", "塚明"),  # a compatibility ideograph
        ("Jose\u0301", "José"),
    ],
)
def test_a_name_is_stored_in_its_ordinary_characters(entered, stored):
    assert names.normalise(entered) == stored
    assert refused(entered) is None


def test_every_kangxi_radical_becomes_an_ordinary_character():
    for cp in range(0x2F00, 0x2FD6):
        normal = names.normalise(chr(cp))
        assert names.is_han(normal), hex(cp)


def test_every_supplement_radical_is_mapped_to_a_character_or_refused_as_a_radical():
    import unicodedata2

    for cp in range(0x2E80, 0x2EF4):
        if unicodedata2.category(chr(cp)) == "Cn":
            continue
        reason = refused("明" + chr(cp))
        assert reason is None or "部首" in reason, hex(cp)
        if reason is None:
            assert names.is_han(names.normalise(chr(cp)))


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("张\u200b明", "不可见字符（U+200B 零宽空格）"),
        ("张\u200c明", "不可见字符（U+200C 零宽不连字）"),
        ("张\u200d明", "不可见字符（U+200D 零宽连字）"),
        ("\ufeff张明", "不可见字符（U+FEFF 字节顺序标记 BOM）"),
        ("张\u202e明", "不可见字符（U+202E 从右至左强制符）"),
        ("张\u2066明", "不可见字符（U+2066 双向文本控制符）"),
        ("张\u00ad明", "不可见字符（U+00AD 软连字符）"),
        ("张明\ufe0f", "不可见字符（U+FE0F 异体字选择符）"),
        ("张明\U000e0100", "不可见字符（U+E0100 异体字选择符）"),
        ("张\x07明", "控制字符（U+0007"),
        ("张\ue000明", "私用区字符（U+E000）"),
        ("张\U000f0000明", "私用区字符（U+F0000）"),
        ("张\U0003fffd明", "尚未定义的字符（U+3FFFD）"),
        ("张明😀", "符号或表情（“😀” U+1F600）"),
        ("张明★", "符号或表情（“★” U+2605）"),
        ("张明^", "不能有数字、标点或符号"),
        ("⺅明", "部首字符（“⺅” U+2E85）"),
        ("张㇀明", "部首字符"),  # a CJK stroke
        ("张明\u0301", "符号或表情（“́” U+0301）"),  # a combining accent on a Han character
        ("Jоhn", "西里尔字母（“о” U+043E）"),  # Cyrillic о among Latin letters
        ("张明а", "西里尔字母"),  # Han with a Cyrillic look-alike
        ("Иван", "西里尔字母"),
        ("Αlex", "希腊字母"),
        ("李Mary", "混用了汉字和拉丁字母（“M” U+004D）"),
        ("扎西\u0f51", "藏文"),
        ("\u0627\u064a\u06af\u06c7\u0644", "阿拉伯字母"),
        ("\u1820\u1837", "蒙古文"),
        ("さくら", "日文假名"),
        ("张1", "不能有数字、标点或符号"),
        ("张<明>", "不能有数字、标点或符号"),
        ("·阿依古丽", "“·”只能写在姓名的两部分之间"),
        ("阿依古丽··买买提", "“·”只能写在姓名的两部分之间"),
        ("", "请填写姓名"),
    ],
)
def test_a_character_that_hides_or_deceives_is_refused_and_named(name, said):
    reason = refused(name)
    assert reason is not None and said in reason


@pytest.mark.parametrize(
    "name",
    ["张明", "𠮷堃", "阿依古丽·买买提", "John Smith", "O'Neil", "Anne-Marie Dupont", "José", "〇明",
     "\U00031350明",  # CJK extension H (Unicode 15): unassigned in Python 3.11's own tables
     "\U0002ebf0明"],  # CJK extension I (Unicode 15.1), characters of personal names
)  # fmt: skip
def test_han_names_dotted_names_rare_characters_and_passport_names_are_accepted(name):
    assert refused(name) is None


def test_a_latin_name_is_found_by_its_letters_as_a_chinese_one_by_its_pinyin():
    assert names.pinyin("José Smith") == "josesmith"
    assert names.initials("José Smith") == "js"


def test_a_query_loses_invisible_characters_and_is_normalised_as_a_name():
    assert names.query("张\u200b明") == "张明"
    assert names.query("⾼明") == "高明"


def test_the_validator_refuses_on_the_stored_form_and_names_the_character():
    from django.core.exceptions import ValidationError

    from shouhu.children.validators import validate_person_name

    validate_person_name("⾼明")
    with pytest.raises(ValidationError, match="U\\+200B"):
        validate_person_name("张\u200b明")


def test_the_messages_are_in_english_for_an_english_reader():
    from django.utils import translation

    with translation.override("en"):
        reason = refused("张\u200b明")
    assert reason is not None and "U+200B" in reason


names_of_anything = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.sampled_from("张明高阿依古丽买提·•・ 　\u200b\u202e\ufeff⾼⻅⺅ＪＯＨＮJohnаé\u0301'-."),
    ),
    max_size=20,
)


@settings(max_examples=500, deadline=None)
@given(names_of_anything)
def test_normalising_is_idempotent_and_the_result_is_accepted_or_refused_with_a_reason(name):
    once = names.normalise(name)
    assert names.normalise(once) == once
    assert names.query(names.query(name)) == names.query(name)
    reason = names.refusal(once)
    assert reason is None or (isinstance(reason, str) and reason)
    if reason is None:
        assert once == once.strip() and "  " not in once
        assert not any(names._invisible(c) for c in once)
