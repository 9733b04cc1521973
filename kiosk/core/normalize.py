"""Matching keys for Japanese names, dates and insurance numbers (research matching.md §1.5).

Originals are never changed: these keys exist only for comparison and lookup. Every key is
computed in Python so SQLite and PostgreSQL hold identical values.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

NORM_VERSION = 2  # 2: all comparison keys stored with each name (rows of version 1 are recomputed)

_DASHES = re.compile("[-‐‑‒–—―−ーｰ－〜～]")
_SEPARATORS = re.compile(r"[\s\u3000・=＝･]+")
_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
_PLACEHOLDERS = re.compile("[●〓■□◆◇○？?＊*]")
WILDCARD = "\ufffd"

_SMALL_TO_LARGE = str.maketrans("ァィゥェォャュョッヮヵヶ", "アイウエオヤユヨツワカケ")
_LOOSE_SINGLE = str.maketrans(
    {"ヂ": "ジ", "ヅ": "ズ", "ヲ": "オ", "ヰ": "イ", "ヱ": "エ", "ヴ": "ブ", "ヷ": "バ", "ヺ": "ボ"}
)
_VU_PAIRS = (("ヴァ", "バ"), ("ヴィ", "ビ"), ("ヴェ", "ベ"), ("ヴォ", "ボ"), ("ヴ", "ブ"))
_LONG_VOWELS = re.compile(r"(?<=[オコソトノホモヨロゴゾドボポョ])[ウオ]|(?<=[エケセテネヘメレゲゼデベペ])[イエ]|"
                          r"(?<=[ウクスツヌフムユルグズブプュ])ウ|(?<=[イキシチニヒミリギジビピ])イ|"
                          r"(?<=[アカサタナハマヤラワガザダバパャ])ア")  # fmt: skip
_SEION = str.maketrans(
    "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポ",
    "カキクケコサシスセソタチツテトハヒフヘホハヒフヘホ",
)


# Keys are pure functions of short strings and are asked for again and again while scoring
# candidates, so they are memoised.
@lru_cache(maxsize=1 << 16)
def kana_base(text: str) -> str:
    """Width, script and punctuation folded; one ASCII space between 姓 and 名 where there was one."""
    text = text.replace("\u309b", "\u3099").replace("\u309c", "\u309a")  # spacing marks before NFKC
    text = unicodedata.normalize("NFKC", text)
    text = "".join(chr(ord(ch) + 0x60) if "\u3041" <= ch <= "\u3096" else ch for ch in text)
    text = text.replace("\u3099", "").replace("\u309a", "")
    text = _DASHES.sub("ー", text)
    return _SEPARATORS.sub(" ", text).strip()


@lru_cache(maxsize=1 << 16)
def kana_strict(text: str) -> str:
    return kana_base(text).replace(" ", "")


def _loose_part(part: str) -> str:
    for before, after in _VU_PAIRS:
        part = part.replace(before, after)
    part = part.translate(_SMALL_TO_LARGE).translate(_LOOSE_SINGLE).replace("ー", "")
    previous = None
    while previous != part:
        previous, part = part, _LONG_VOWELS.sub("", part)
    return part


@lru_cache(maxsize=1 << 16)
def kana_loose(text: str) -> str:
    """表記ゆれ folded: small kana, ヂ/ジ, ヅ/ズ, ヲ/オ, ヴ, long vowels. For lookups and "loose" equality."""
    return _loose_part(kana_strict(text))


@lru_cache(maxsize=1 << 16)
def kana_seion(text: str) -> str:
    """Loose with dakuten removed: only for the "1文字違い/濁点ゆれ" level, never for lookups."""
    return kana_loose(text).translate(_SEION)


@dataclass(frozen=True)
class NameParts:
    family: str | None
    given: str | None
    full: str


@lru_cache(maxsize=1 << 16)
def kana_parts(text: str) -> NameParts:
    """Loose keys of 姓 and 名 when the source separates them."""
    base = kana_base(text)
    pieces = base.split(" ")
    full = _loose_part(base.replace(" ", ""))
    if len(pieces) >= 2:
        return NameParts(_loose_part(pieces[0]), "".join(_loose_part(p) for p in pieces[1:]), full)
    return NameParts(None, None, full)


@cache
def _fold_table() -> dict[str, str]:
    table: dict[str, str] = {}
    data = resources.files("kiosk.core.data").joinpath("kanji_variants.tsv").read_text(encoding="utf-8")
    for line in data.splitlines():
        if not line or line.startswith("#"):
            continue
        variant, standard = line.split("\t")[:2]
        table[variant] = standard
    return table


def fold_kanji(text: str) -> str:
    """Each 異体字 replaced by its representative (髙→高, 﨑→崎); everything else unchanged."""
    return text.translate(_fold_translation())


@cache
def _fold_translation() -> dict[int, str]:
    return str.maketrans(_fold_table())


def fold_translation(extra: dict[str, str]) -> dict[int, str]:
    """The 異体字 table plus `extra` single-character folds, for one `str.translate` pass."""
    return {**_fold_translation(), **str.maketrans(extra)}


@lru_cache(maxsize=1 << 16)
def kanji_key(text: str) -> str:
    """Kanji name for comparison: IVS stripped, NFKC, variants folded, placeholders → wildcard, no spaces."""
    text = _VARIATION_SELECTORS.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    text = _PLACEHOLDERS.sub(WILDCARD, text)
    return _SEPARATORS.sub("", text).translate(_fold_translation())


@lru_cache(maxsize=1 << 16)
def kanji_plain(text: str) -> str:
    """NFKC without separators and without folding: tells a variant (髙/高) from an identical spelling."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", _VARIATION_SELECTORS.sub("", text)))


@lru_cache(maxsize=1 << 16)
def kanji_parts(text: str) -> tuple[str | None, str | None]:
    pieces = [p for p in _SEPARATORS.split(unicodedata.normalize("NFKC", _VARIATION_SELECTORS.sub("", text))) if p]
    if len(pieces) >= 2:
        return kanji_key(pieces[0]), kanji_key("".join(pieces[1:]))
    return None, None


def kanji_equal(left: str, right: str) -> bool:
    """Folded equality where a wildcard (● from the insurer) matches any one character."""
    if len(left) != len(right):
        return False
    return all(a == b or WILDCARD in (a, b) for a, b in zip(left, right, strict=True))


def has_wildcard(text: str) -> bool:
    return WILDCARD in text


@lru_cache(maxsize=1 << 16)
def insurance_key(value: str | None) -> str | None:
    """記号・番号 and 保険者番号 for comparison: NFKC, no spaces, hyphens or ・ (the original is kept to send back)."""
    if value is None:
        return None
    key = re.sub(r"[\s\-‐−－・･]", "", unicodedata.normalize("NFKC", value))
    return key or None


@lru_cache(maxsize=1 << 16)
def branch_key(value: str | None) -> str | None:
    """枝番: a known 1-digit 枝番 is padded to 2; an unknown one stays None (never invent 00)."""
    key = insurance_key(value)
    if key is None:
        return None
    return key.zfill(2) if key.isdigit() and len(key) == 1 else key



@dataclass(frozen=True, slots=True)
class NameKeys:
    """Every comparison key of one (name, kana) pair; stored with registry rows so matching only compares."""

    strict: str | None
    loose: str | None
    seion: str | None
    family: str | None
    given: str | None
    kanji: str | None
    kanji_plain: str | None
    kanji_given: str | None


def name_keys(name: str | None, kana: str | None) -> NameKeys:
    """All keys in one pass (registry imports call this for every row)."""
    strict = loose = seion = family = given = None
    if kana:
        base = kana_base(kana)
        strict = base.replace(" ", "") or None
        loose = (_loose_part(strict) or None) if strict else None
        seion = loose.translate(_SEION) if loose else None
        pieces = base.split(" ")
        if len(pieces) >= 2:
            family, given = _loose_part(pieces[0]), _loose_part("".join(pieces[1:]))
    kanji = plain = kanji_given = None
    if name:
        kanji = kanji_key(name) or None
        plain = kanji_plain(name) or None
        kanji_given = kanji_parts(name)[1]
    return NameKeys(strict, loose, seion, family, given, kanji, plain, kanji_given)
