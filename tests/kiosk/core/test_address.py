"""Address normalisation: the ways clinics and insurers write one house compare equal at the house level,
another house on the same street does not, and a postcode is never more than a postcode (issue 16)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.address import (
    AddressLevel,
    compare_addresses,
    parse_address,
    postcode_key,
    registry_postcode_key,
)
from tests.bench.synthetic import kanji_number

# Town names that trap a naive normaliser: kanji numerals that are part of the name (千年, 三軒茶屋, 二の宮),
# 番 inside a name (一番町), ケ/ヶ/が (緑が丘), の/ノ (一ノ瀬), 条 in Hokkaido (北3条西).
TOWNS = ["千年", "三軒茶屋", "一ノ瀬", "二の宮", "一番町", "緑が丘", "錦町", "八幡町", "十日町", "五反田", "霞ケ関",
         "北3条西", "九十九里", "百人町", "六本木"]  # fmt: skip
CITIES = [("神奈川県", "川崎市高津区"), ("長野県", "松本市"), ("東京都", "目黒区"), ("千葉県", "山武郡九十九里町")]


def house(addr: str, other: str) -> AddressLevel:
    return compare_addresses(parse_address(addr), parse_address(other), None, None)


# -- the cases the issue names ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("registry", "face"),
    [
        ("神奈川県川崎市高津区千年4丁目18-14", "千年４丁目１８番１４号"),
        ("神奈川県川崎市高津区千年4丁目18-14", "神奈川県川崎市高津区千年４丁目１８番１４号"),
        ("長野県松本市錦町3-23-15 メゾン青葉803", "錦町３丁目２３番１５号"),
        ("長野県松本市錦町3-23-15 メゾン青葉803", "長野県松本市錦町３丁目２３番１５号　メゾン青葉８０３号室"),
        ("目黒区緑が丘4丁目1番4号", "東京都目黒区緑が丘４丁目１番４号"),
        ("目黒区緑ヶ丘4-1-4", "東京都目黒区緑ケ丘４丁目１番４号"),
        ("〒217-5955 神奈川県川崎市高津区千年四丁目十八番十四号", "神奈川県川崎市高津区千年４丁目１８番１４号"),
        ("千年4-18-14-803", "千年４丁目１８番１４号"),
        ("大字山田字中田123番地の4", "長野県松本市山田中田１２３番地４"),
        ("札幌市中央区北3条西4丁目1-2", "北海道札幌市中央区北３条西４丁目１番２号"),
        ("黒滝村東勝原1174番地5-305", "奈良県吉野郡黒滝村東勝原１１７４番地５"),  # 番地-号 and a room
    ],
)
def test_one_house_written_differently_is_the_same_house(registry: str, face: str) -> None:
    assert house(registry, face) is AddressLevel.HOUSE
    assert house(face, registry) is AddressLevel.HOUSE


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        ("神奈川県川崎市高津区千年4丁目18-14", "千年４丁目１８番１５号", AddressLevel.BLOCK),  # next door
        ("神奈川県川崎市高津区千年4丁目18-14", "千年３丁目１８番１４号", AddressLevel.TOWN),  # another 丁目
        ("神奈川県川崎市高津区千年4丁目18-14", "神奈川県川崎市高津区末長４丁目１８番１４号", AddressLevel.DIFFERENT),
        ("千代田区一番町5-3", "千代田区一番町7-1", AddressLevel.TOWN),  # 一番町 is a name, not 1番
        ("松本市錦町3-23-15 メゾン青葉803", "錦町３丁目２３番１５号　メゾン青葉３０５", AddressLevel.ROOM_DIFFERS),
        ("東京都目黒区緑が丘4-1-4", "大阪府大阪市北区緑が丘4-1-4", AddressLevel.DIFFERENT),  # 都道府県 differ
        ("京都府京都市北区緑が丘4-1-4", "東京都目黒区緑が丘4-1-4", AddressLevel.DIFFERENT),
    ],
)
def test_other_houses_are_not_the_same_house(left: str, right: str, level: AddressLevel) -> None:
    assert house(left, right) is level
    assert house(right, left) is level


def test_a_postcode_alone_is_only_a_postcode() -> None:
    left, right = parse_address("千年4丁目18-14"), parse_address("末長1丁目2-3")
    assert compare_addresses(left, right, "2175955", "2175955") is AddressLevel.POSTCODE
    assert compare_addresses(None, right, "2175955", "2175955") is AddressLevel.POSTCODE
    assert compare_addresses(None, right, None, None) is AddressLevel.UNKNOWN


@pytest.mark.parametrize(
    "text", ["〒217-5955", "217-5955", "2175955", "〒２１７－５９５５", "郵便番号：217-5955", " 〒 217ー5955 "]
)
def test_postcodes_in_every_form(text: str) -> None:
    assert postcode_key(text) == "2175955"


def test_postcode_written_inside_the_address_field() -> None:
    key = parse_address("〒217-5955 神奈川県川崎市高津区千年4丁目18-14")
    assert key is not None and key.postcode == "2175955" and key.numbers == ("4", "18", "14")
    assert registry_postcode_key(None, "〒217-5955 神奈川県川崎市高津区千年4丁目18-14") == "2175955"
    assert registry_postcode_key("〒100-0001", "〒217-5955 千年4-18-14") == "1000001"  # the column wins
    assert registry_postcode_key(None, "千年4-18-14") is None
    assert postcode_key("神奈川県") is None and postcode_key("123456") is None and postcode_key("") is None


def test_building_and_room_kept_for_display_not_required() -> None:
    key = parse_address("長野県松本市錦町3-23-15 メゾン青葉803")
    assert key is not None
    assert (key.locality, key.numbers) == ("松本市錦町", ("3", "23", "15"))
    assert (key.building, key.room) == ("メゾン青葉803", "803")


# -- properties -------------------------------------------------------------------------------------
@settings(max_examples=300)
@given(st.integers(min_value=1, max_value=9999))
def test_kanji_numerals_become_digits(n: int) -> None:
    key = parse_address(f"千年{kanji_number(n)}番地")
    assert key is not None and key.numbers == (str(n),) and key.locality == "千年"


def _styles(pref: str, city: str, town: str, chome: int, ban: int, go: int, building: str) -> list[str]:
    full = f"{pref}{city}{town}"
    tail = f" {building}" if building else ""
    return [
        f"{full}{chome}丁目{ban}-{go}{tail}",
        f"{city}{town}{chome}-{ban}-{go}{tail}",
        f"{town}{chome}丁目{ban}番{go}号{tail}",
        f"{full}{kanji_number(chome)}丁目{kanji_number(ban)}番{kanji_number(go)}号",
        "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in f"{full}{chome}丁目{ban}番{go}号") + tail,
        f"〒123-4567 {full}{chome}丁目{ban}番地{go}",
        f"{full}{chome}ー{ban}ー{go}",
    ]


ADDRESS_PARTS = st.tuples(
    st.sampled_from(CITIES), st.sampled_from(TOWNS), st.integers(1, 9), st.integers(1, 60), st.integers(1, 40),
    st.sampled_from(["", "メゾン青葉803", "コーポ試験 101号室"]),
)  # fmt: skip


@settings(max_examples=300)
@given(ADDRESS_PARTS)
def test_every_style_of_one_house_compares_as_the_house(parts: tuple) -> None:  # type: ignore[type-arg]
    (pref, city), town, chome, ban, go, building = parts
    styles = _styles(pref, city, town, chome, ban, go, building)
    face = f"{pref}{city}{town}{chome}丁目{ban}番{go}号"
    for style in styles:
        assert house(style, face) is AddressLevel.HOUSE, style


@settings(max_examples=300)
@given(ADDRESS_PARTS, st.integers(1, 5))
def test_a_neighbour_is_never_the_same_house(parts: tuple, step: int) -> None:  # type: ignore[type-arg]
    (pref, city), town, chome, ban, go, building = parts
    face = f"{pref}{city}{town}{chome}丁目{ban}番{go}号"
    for style in _styles(pref, city, town, chome, ban, go + step, building):
        assert house(style, face) is AddressLevel.BLOCK, style
    for style in _styles(pref, city, town, chome, ban + step, go, building):
        assert house(style, face) is AddressLevel.BLOCK, style
    for style in _styles(pref, city, town, chome + step, ban, go, building):
        assert house(style, face) is AddressLevel.TOWN, style


@settings(max_examples=300)
@given(st.text(max_size=40), st.text(max_size=40))
def test_never_raises_and_is_symmetric(left: str, right: str) -> None:
    a, b = parse_address(left), parse_address(right)
    assert compare_addresses(a, b, postcode_key(left), postcode_key(right)) is compare_addresses(
        b, a, postcode_key(right), postcode_key(left)
    )
