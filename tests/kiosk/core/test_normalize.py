"""Normaliser properties (hypothesis) and the examples of research matching.md §1.2–§1.5."""

from __future__ import annotations

import jaconv
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.birthdates import near_variants, parse_birthdate
from kiosk.core.normalize import (
    branch_key,
    insurance_key,
    kana_base,
    kana_loose,
    kana_parts,
    kana_seion,
    kana_strict,
    kanji_equal,
    kanji_key,
    kanji_parts,
    name_keys,
)

KATAKANA = st.text(alphabet=st.characters(min_codepoint=0x30A1, max_codepoint=0x30F6), min_size=1, max_size=12)
NAMES = st.builds(lambda a, b: f"{a} {b}", KATAKANA, KATAKANA)


@settings(max_examples=300)
@given(NAMES)
def test_keys_are_idempotent(name: str) -> None:
    assert kana_base(kana_base(name)) == kana_base(name)
    assert kana_loose(kana_loose(name)) == kana_loose(name)
    assert kana_strict(kana_strict(name)) == kana_strict(name)


@settings(max_examples=300)
@given(NAMES)
def test_width_script_and_separator_insensitive(name: str) -> None:
    half = jaconv.z2h(name, kana=True, ascii=False, digit=False)
    hira = jaconv.kata2hira(name)
    for variant in (half, hira, name.replace(" ", "\u3000"), name.replace(" ", "")):
        assert kana_loose(variant) == kana_loose(name)
    for variant in (half, hira, name.replace(" ", "\u3000")):
        assert kana_strict(variant) == kana_strict(name)


@settings(max_examples=200)
@given(st.text(max_size=20))
def test_never_raises_on_any_text(text: str) -> None:
    assert isinstance(kana_loose(text), str)
    assert isinstance(kanji_key(text), str)
    assert len(kana_seion(text)) == len(kana_loose(text))


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("ｻｲﾄｳ ﾊﾅｺ", "サイトウ　はなこ"),
        ("ｵｵﾀ ﾕｳｺ", "オータ ユーコ"),
        ("ｵｵﾀ ﾕｳｺ", "ｵ-ﾀ ﾕｰｺ"),
        ("ｵｵﾀ", "オ−タ"),
        ("ﾁﾁﾞﾜ", "チジワ"),
        ("ﾐﾂﾞﾎ", "ミズホ"),
        ("ｼﾖｳｺ", "ショウコ"),
        ("ｷﾖｳｺ", "キョウコ"),
        ("ｺｳﾉ", "コノ"),
        ("ｹｲｺ", "ケーコ"),
        ("ｳﾞｨｸﾄﾙ", "ビクトル"),
        ("ｦｶﾞﾜ", "オガワ"),
        ("ｶ゛ｸ", "ガク"),
    ],
)
def test_loose_equal_spellings(left: str, right: str) -> None:
    assert kana_loose(left) == kana_loose(right)


def test_dakuten_omission_is_only_seion_equal() -> None:
    assert kana_loose("ｽｽﾞｷ") != kana_loose("ｽｽｷ")
    assert kana_seion("ｽｽﾞｷ") == kana_seion("ｽｽｷ")


def test_orphan_dakuten_is_dropped() -> None:
    assert kana_strict("ｱﾞｲ") == "アイ"


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("髙橋　一郎", "高橋 一郎"),
        ("山﨑", "山崎"),
        ("渡邊", "渡辺"),
        ("渡邉", "渡辺"),
        ("齋藤", "斎藤"),
        ("澤田", "沢田"),
        ("濱田", "浜田"),
        ("德永", "徳永"),
        ("𠮷田", "吉田"),
        ("栁田", "柳田"),
        ("桒原", "桑原"),
        ("嶋田", "島田"),
        ("葛\U000e0100西", "葛西"),
        ("\uf9dc", "隆"),
        ("●田 花子", "吉田 花子"),
    ],
)
def test_kanji_variants_fold(left: str, right: str) -> None:
    assert kanji_equal(kanji_key(left), kanji_key(right))


@pytest.mark.parametrize(("left", "right"), [("齊藤", "斎藤"), ("斉藤", "斎藤"), ("伊藤", "伊東"), ("渡辺", "渡部")])
def test_distinct_names_never_fold(left: str, right: str) -> None:
    assert not kanji_equal(kanji_key(left), kanji_key(right))
    assert kanji_key(left) != kanji_key(right)


def test_insurance_keys() -> None:
    assert insurance_key("  999991") == insurance_key("999991") == "999991"
    assert insurance_key("１２３") == "123"
    assert insurance_key("12-34") == "1234"
    assert insurance_key("0045678") == "0045678"  # leading zeros are significant
    assert branch_key("1") == "01" and branch_key(None) is None and branch_key("") is None


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("19800401", "1980-04-01"),
        ("1980-04-01", "1980-04-01"),
        ("1980/4/1", "1980-04-01"),
        ("S55.4.1", "1980-04-01"),
        ("昭和55年4月1日", "1980-04-01"),
        ("R1.5.1", "2019-05-01"),
        ("令和元年5月1日", "2019-05-01"),
        ("H1.1.8", "1989-01-08"),
        ("昭和64年1月7日", "1989-01-07"),
    ],
)
def test_birthdates_in_every_accepted_form(text: str, iso: str) -> None:
    parsed = parse_birthdate(text)
    assert parsed is not None and parsed.isoformat() == iso


@pytest.mark.parametrize("text", ["昭和64年1月8日", "平成31年5月1日", "20240230", "1980", "abc", "S0.1.1"])
def test_impossible_birthdates_are_rejected(text: str) -> None:
    assert parse_birthdate(text) is None


def test_birthdate_variants_include_the_typing_slips() -> None:
    day = parse_birthdate("1980-04-05")
    assert day is not None
    variants = {d.isoformat() for d in near_variants(day)}
    assert {"1980-05-04", "1980-04-06", "1981-04-05", "1917-04-05", "2043-04-05"} <= variants


@settings(max_examples=300)
@given(st.one_of(NAMES, st.text(max_size=12)), st.one_of(st.none(), st.text(max_size=8), st.just("髙橋　●子")))
def test_stored_keys_equal_the_keys_computed_at_match_time(kana: str, name: str | None) -> None:
    keys = name_keys(name, kana)
    parts = kana_parts(kana)
    assert keys.strict == (kana_strict(kana) or None)
    assert keys.loose == (kana_loose(kana) or None)
    assert keys.seion == (kana_seion(kana) or None)
    assert (keys.family, keys.given) == (parts.family, parts.given)
    if name:
        assert keys.kanji == (kanji_key(name) or None)
        assert keys.kanji_given == kanji_parts(name)[1]
