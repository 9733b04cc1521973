"""Whether a face result's insurance qualification can carry today's visit (research oqs-interface.md §2.2–2.3).

`QualificationValidity` (資格有効性, OQSCD006) is stated once per file; a result whose 資格喪失年月日 has come is
lapsed whatever the file says. Only a valid qualification may be received automatically: anything else goes to a
person, with the code's meaning in words.
"""

from __future__ import annotations

from enum import StrEnum

from kiosk.core.face import Identity, QualificationResult, parse_yyyymmdd
from kiosk.core.normalize import kana_strict, kanji_key


class Qualification(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    LAPSED = "lapsed"


#: OQSCD006 資格有効性: the code and what staff read.
VALIDITY_MEANING = {
    "1": "有効",
    "2": "無効",
    "3": "無効（新しい資格があります）",
    "4": "該当する資格がありません",
    "5": "複数の資格が該当します（医療保険）",
    "6": "有効（未登録・医療扶助）",
}
_VALID_CODES = {"1", "6"}

#: 資格喪失事由 (ReasonOfLoss).
REASON_OF_LOSS = {"01": "死亡", "02": "生活保護受給開始", "03": "医療保険等の資格取得", "99": "その他"}


def qualification_of(validity: str | None, disqualified: str | None, confirmed: str | None) -> Qualification | None:
    """`lapsed` when the 資格喪失年月日 is on or before the confirmation date (the loss date is the first day without
    the qualification); else valid for codes 1 and 6, invalid for any other code; None when the file says nothing."""
    lost, on = parse_yyyymmdd(disqualified), parse_yyyymmdd(confirmed)
    if lost is not None and on is not None and lost <= on:
        return Qualification.LAPSED
    if validity is None or not validity.strip():
        return None
    return Qualification.VALID if validity.strip() in _VALID_CODES else Qualification.INVALID


def is_valid(qualification: str | None) -> bool:
    return qualification == Qualification.VALID.value


def validity_words(code: str | None) -> str:
    if code is None:
        return "記載なし"
    return VALIDITY_MEANING.get(code, f"不明なコード {code}")


def same_person(left: Identity, right: Identity) -> bool:
    """Two results of one file that are one person: the same birthdate and sex, and the same kana or name."""
    if not left.birthdate or left.birthdate != right.birthdate or left.sex != right.sex:
        return False
    if left.name_kana and right.name_kana and kana_strict(left.name_kana) == kana_strict(right.name_kana):
        return True
    return bool(left.name and right.name and kanji_key(left.name) == kanji_key(right.name))


def lapsed_history(results: list[QualificationResult] | tuple[QualificationResult, ...]) -> dict[int, int]:
    """Lapsed results that belong to the person of a current result in the same file: index → that result's index.
    They are that visit's history (an old insurance), not visits of their own."""
    history: dict[int, int] = {}
    for index, result in enumerate(results):
        if result.qualification != Qualification.LAPSED.value:
            continue
        current = next(
            (other for other, candidate in enumerate(results)
             if candidate.qualification != Qualification.LAPSED.value
             and same_person(candidate.identity, result.identity)),
            None,
        )  # fmt: skip
        if current is not None:
            history[index] = current
    return history
