"""Addresses as clinics and insurers write them, reduced to what can be compared.

Registry rows are typed by hand (`川崎市高津区千年4丁目18-14`, `錦町3-23-15 メゾン青葉803`, `〒217-5955 …`)
while a face result carries the insurer's form (`神奈川県川崎市高津区千年４丁目１８番１４号`). Both become an
`AddressKey`: prefecture, the locality (市区町村 and 町名, variants folded), the street numbers (丁目-番-号 or
番地-号), the room, and any postcode written in the text. Two keys are then compared at the house level (same
locality and street numbers: evidence of one household) and at the block level (same 丁目: a neighbourhood,
never evidence of a person). A postcode is an area of hundreds of households and is never more than a hint.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from functools import cache, lru_cache
from typing import NamedTuple

from kiosk.core.normalize import fold_translation

PREFECTURES = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県", "埼玉県",
    "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県", "静岡県",
    "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県",
    "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県", "熊本県", "大分県",
    "宮崎県", "鹿児島県", "沖縄県",
)  # fmt: skip
_PREFECTURE = re.compile("^(" + "|".join(PREFECTURES) + ")")

_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMERALS = "〇一二三四五六七八九十百千"
# A kanji numeral is a number only where an address number stands: before 丁目/番地/番/号, before の + number,
# before a dash or a space, or at the end. 千年, 三軒茶屋, 一ノ瀬, 二の宮 and 一番町 keep their kanji.
_KANJI_NUMBER = re.compile(
    rf"[{_NUMERALS}]+(?=丁目|番地|番(?=[0-9{_NUMERALS}]|号|[の\s-]|$)|号|[のノ](?=[0-9{_NUMERALS}])|[\s-]|$)"
)
_DASHES = r"\-‐‑‒–—―−ーｰ－"
_CHOME = re.compile(r"\d\s*丁目")
_SEPARATOR = re.compile(rf"(?<=\d)\s*(?:丁目|番地の|番地|番|号|の|ノ|[{_DASHES}])\s*(?=\d)")
_TRAILING_MARK = re.compile(r"(?<=\d)(?:丁目|番地|番|号)(?![室町丁])")
_RUN = re.compile(r"\d+(?:-\d+)*")
# After a number these characters mean the place name goes on (北3条西, 4番町, 第2地割), not the street number.
_LOCALITY_GOES_ON = set("条線区町丁通番目割地組班")
_ROOM_AT_END = re.compile(r"(\d+)\s*(?:号室|号|室)?\s*$")
_POSTCODE_MARKED = re.compile(rf"(?:〒|郵便番号\s*[:：]?)\s*(\d{{3}})\s*[{_DASHES}]?\s*(\d{{4}})(?!\d)")
_POSTCODE_LEADING = re.compile(rf"^\s*(\d{{3}})[{_DASHES}](\d{{4}})(?!\d)|^\s*(\d{{7}})(?=\s)")
_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
_LOCALITY_FOLDS = {"ヶ": "ケ", "が": "ケ", "ガ": "ケ", "ヵ": "ケ", "の": "ノ", "之": "ノ", " ": "", "字": ""}
_NUMERAL_OR_MARK = re.compile(f"[{_NUMERALS}]")
_MUNICIPALITY_END = set("都道府県市区町村郡")


def _kanji_to_digits(run: str) -> str:
    if any(ch in _UNITS for ch in run):
        total = current = 0
        for ch in run:
            if ch in _UNITS:
                total += (current or 1) * _UNITS[ch]
                current = 0
            else:
                current = current * 10 + _DIGITS[ch]
        return str(total + current)
    return "".join(str(_DIGITS[ch]) for ch in run)


def _convert_numeral(match: re.Match[str]) -> str:
    run = match.group(0)
    if len(run) == 1 or "〇" in run or any(ch in _UNITS for ch in run):
        return _kanji_to_digits(run)
    # 安行藤八 + 一丁目: a run like 八一 without 十/百/〇 is a name ending in a numeral, then the number.
    return run[:-1] + _kanji_to_digits(run[-1])


def _prepare(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFKC", _VARIATION_SELECTORS.sub("", text))
    return " ".join(text.split())


def _postcode_in(text: str) -> tuple[str | None, str]:
    """A postcode written in the text (〒217-5955, 郵便番号 2175955, or a leading 217-5955) and the rest."""
    found = _POSTCODE_MARKED.search(text) if "〒" in text or "郵便番号" in text else None
    if found:
        return found.group(1) + found.group(2), (text[: found.start()] + " " + text[found.end() :]).strip()
    found = _POSTCODE_LEADING.search(text)
    if found:
        code = found.group(3) or (found.group(1) + found.group(2))
        return code, text[found.end() :].strip()
    return None, text


@lru_cache(maxsize=1 << 14)
def postcode_key(value: str | None) -> str | None:
    """Seven digits from `217-5955`, `〒217-5955`, `〒２１７－５９５５`, `2175955`, or None."""
    if not value:
        return None
    text = _prepare(value)
    code, _rest = _postcode_in(text)
    if code is not None:
        return code
    digits = re.sub(rf"[\s{_DASHES}]", "", text)
    return digits if len(digits) == 7 and digits.isascii() and digits.isdigit() else None


class AddressKey(NamedTuple):
    """What an address says, folded for comparison (the original is kept for display). A named tuple, not
    a dataclass: matching builds one for every candidate."""

    prefecture: str | None
    locality: str  # 市区町村 + 町名 as far as written (a side may lack the prefecture or the city)
    numbers: tuple[str, ...]  # 丁目-番-号 / 番地-号, leading zeros dropped
    chome_marked: bool  # 丁目 was written, so numbers[0] is the 丁目
    room: str | None
    building: str | None  # display only: never needed for a match
    postcode: str | None  # a postcode written inside the address text

    @property
    def chome(self) -> str | None:
        if self.numbers and (self.chome_marked or len(self.numbers) >= 3):
            return self.numbers[0]
        return None


@cache
def _locality_translation() -> dict[int, str]:
    return fold_translation(_LOCALITY_FOLDS)


def _fold_locality(text: str) -> str:
    """Spaces, 大字/字, ケ/ヶ/が, の/ノ and 異体字 folded in one pass."""
    return text.replace("大字", "").translate(_locality_translation()).rstrip("-")


@lru_cache(maxsize=1 << 16)
def parse_address(text: str | None) -> AddressKey | None:
    """None for an empty address; never raises."""
    if not text or text.isspace():
        return None
    text = _prepare(text)
    postcode, text = _postcode_in(text)
    if _NUMERAL_OR_MARK.search(text):
        text = _KANJI_NUMBER.sub(_convert_numeral, text)
    chome_marked = "丁目" in text and _CHOME.search(text) is not None
    text = _SEPARATOR.sub("-", text)
    text = _TRAILING_MARK.sub("", text)
    street = None
    for found in _RUN.finditer(text):
        following = text[found.end() : found.end() + 1]
        if following and following in _LOCALITY_GOES_ON:
            continue
        street = found
        break
    prefecture = None
    head = text if street is None else text[: street.start()]
    matched = _PREFECTURE.match(head.strip())
    if matched:
        prefecture = matched.group(1)
        head = head.strip()[matched.end() :]
    locality = _fold_locality(head)
    if street is None:
        if not locality and postcode is None:
            return None
        return AddressKey(prefecture, locality, (), False, None, None, postcode)
    numbers: tuple[str, ...] = tuple(n.lstrip("0") or "0" for n in street.group(0).split("-"))
    rest = text[street.end() :]
    room = None
    for suffix in ("号室", "室"):
        if rest.startswith(suffix) and len(numbers) >= 2:  # 18-14-803号室
            numbers, room, rest = numbers[:-1], numbers[-1], rest[len(suffix) :]
            break
    if len(numbers) >= 4:  # 3-23-15-803: the fourth number is a room
        numbers, room = numbers[:3], "-".join(numbers[3:])
    elif len(numbers) == 3 and not chome_marked and len(numbers[-1]) >= 3 and len(numbers[1]) <= 2:
        room = numbers[-1]  # 1174番地5-305: a 番地-号 and a room, not 丁目-番-号
        numbers = numbers[:-1]
    building = rest.strip(" -") or None
    if room is None and building:
        at_end = _ROOM_AT_END.search(building)
        if at_end:
            room = str(int(at_end.group(1)))
    return AddressKey(prefecture, locality, numbers, chome_marked, room, building, postcode)


def registry_postcode_key(postcode: str | None, address: str | None) -> str | None:
    """The postcode key of a registry row: the postcode column, else a postcode written inside the address
    (`〒217-5955 神奈川県…`). Cheap: a registry import computes it for every row."""
    key = postcode_key(postcode)
    if key is None and address:
        key = _postcode_in(_prepare(address))[0]
    return key


class AddressLevel(StrEnum):
    HOUSE = "house"  # same locality and street numbers: one household (corroborates an identity)
    ROOM_DIFFERS = "room_differs"  # same building, another room
    BLOCK = "block"  # same 丁目
    TOWN = "town"  # same 町名, 丁目 different or unknown
    POSTCODE = "postcode"  # only the postcode agrees
    DIFFERENT = "different"
    UNKNOWN = "unknown"  # one side has no usable address


#: Words staff read, and the weight in bits. Only HOUSE corroborates; the others are hints.
ADDRESS_REASONS: dict[AddressLevel, tuple[str, float]] = {
    AddressLevel.HOUSE: ("住所:一致(番地まで)", 6.0),
    AddressLevel.ROOM_DIFFERS: ("住所:同じ建物・部屋番号が異なる", 1.0),
    AddressLevel.BLOCK: ("住所:同じ丁目(番地は不一致)", 2.0),
    AddressLevel.TOWN: ("住所:同じ町名(丁目・番地は不一致)", 1.0),
    AddressLevel.POSTCODE: ("住所:郵便番号のみ一致", 1.0),
    AddressLevel.DIFFERENT: ("住所:不一致", 0.0),
    AddressLevel.UNKNOWN: ("住所:情報なし", 0.0),
}


def same_locality(left: AddressKey, right: AddressKey) -> bool:
    """Equal, or one side lacks the prefecture or the city: `千年` = `川崎市高津区千年`, `目黒区緑が丘` =
    `東京都目黒区緑が丘`."""
    if left.prefecture and right.prefecture and left.prefecture != right.prefecture:
        return False
    a, b = left.locality, right.locality
    if len(a) < 2 or len(b) < 2:
        return False
    if a == b:
        return True
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    if not long_.endswith(short):
        return False
    return long_[-len(short) - 1] in _MUNICIPALITY_END  # what is missing ends a 市区町村 name


def compare_addresses(
    left: AddressKey | None, right: AddressKey | None, left_postcode: str | None, right_postcode: str | None
) -> AddressLevel:
    """How far two addresses agree; postcodes come from the postcode fields or, failing that, the text."""
    postcodes_equal = left_postcode is not None and left_postcode == right_postcode
    if left is None or right is None or not same_locality(left, right):
        if postcodes_equal:
            return AddressLevel.POSTCODE
        if left is None or right is None or len(left.locality) < 2 or len(right.locality) < 2:
            return AddressLevel.UNKNOWN
        return AddressLevel.DIFFERENT
    if left.numbers and left.numbers == right.numbers:
        if left.room and right.room and left.room != right.room:
            return AddressLevel.ROOM_DIFFERS
        return AddressLevel.HOUSE
    if left.chome is not None and left.chome == right.chome:
        return AddressLevel.BLOCK
    return AddressLevel.TOWN
