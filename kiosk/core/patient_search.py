"""Staff search of the registry: one text box, read the way a reception clerk types.

Each word is read as what it can be — kana (any width, hiragana or katakana), a kanji name (variants folded),
a birthdate (和暦 or 西暦), or digits (患者番号, 保険者番号 or 被保険者番号; eight digits may also be a date).
Different kinds narrow each other (しけん S45.3.3 is the 試験 born on that day); the digits of one word match
any of their meanings. Back-ends find people with `SearchQuery` and the core filters and ranks what they return,
so the embedded registry, the mirror and ORCA's own name search answer alike.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from kiosk.core.birthdates import parse_birthdate
from kiosk.core.normalize import insurance_key, kana_loose, kanji_key
from kiosk.core.registry import PatientRecord

SEARCH_LIMIT = 20
FETCH_LIMIT = 200  # what a back-end may return before ranking (enough for a common surname on one day)


@dataclass(frozen=True)
class SearchQuery:
    text: str
    kana: str | None = None  # kana_loose of the kana words, joined
    kana_words: tuple[str, ...] = ()  # as typed, for back-ends that search themselves (ORCA)
    kanji: str | None = None  # kanji_key of the other words, joined
    kanji_words: tuple[str, ...] = ()
    birthdate: date | None = None
    digits: str | None = None  # one number: 患者番号, 保険者番号 or 被保険者番号

    @property
    def empty(self) -> bool:
        return not (self.kana or self.kanji or self.birthdate or self.digits)

    @property
    def kinds(self) -> list[str]:
        """What the text was read as (for the audit trail: the kinds, never the text)."""
        named = (("kana", self.kana), ("kanji", self.kanji), ("birthdate", self.birthdate), ("number", self.digits))
        return [kind for kind, value in named if value]

    @property
    def digits_birthdate(self) -> date | None:
        """The number read as a date too: YYYYMMDD, or the レセプト form 3550401 (era digit + YYMMDD)."""
        digits = self.digits
        return parse_birthdate(digits) if digits and len(digits) in (7, 8) else None

    @property
    def number_keys(self) -> tuple[str, ...]:
        """The digits as a 患者番号 may be stored: as typed and without leading zeros (a 診察券 printed unpadded)."""
        if not self.digits:
            return ()
        return tuple(dict.fromkeys((self.digits, self.digits.lstrip("0") or "0")))


def _is_kana(word: str) -> bool:
    for char in unicodedata.normalize("NFKC", word):
        if char in "ー・":
            continue
        name = unicodedata.name(char, "")
        if not (name.startswith("HIRAGANA") or name.startswith("KATAKANA")):
            return False
    return True


def parse_search(text: str) -> SearchQuery:
    """The words of the search box, each read as the first kind it can be."""
    kana_words: list[str] = []
    kanji_words: list[str] = []
    birthdate: date | None = None
    digits: str | None = None
    for word in unicodedata.normalize("NFKC", text).replace("\u3000", " ").split():
        if not any(unicodedata.category(char)[0] in "LN" for char in word):
            continue  # punctuation alone says nothing
        compact = word.replace("-", "")
        if compact.isascii() and compact.isdigit() and ("-" not in word or parse_birthdate(word) is None):
            if digits is not None and len(compact) == 8 and parse_birthdate(compact) is not None:
                birthdate = parse_birthdate(compact)  # a second number of eight digits: the birthdate
            else:
                digits = compact
            continue
        born = parse_birthdate(word)
        if born is not None:
            birthdate = born
        elif _is_kana(word):
            kana_words.append(word)
        else:
            kanji_words.append(word)
    return SearchQuery(
        text=text,
        kana=kana_loose("".join(kana_words)) or None if kana_words else None,
        kana_words=tuple(kana_words),
        kanji=kanji_key("".join(kanji_words)) or None if kanji_words else None,
        kanji_words=tuple(kanji_words),
        birthdate=birthdate,
        digits=digits,
    )


def _text_score(wanted: str, have: str) -> int:
    if have == wanted:
        return 40
    if have.startswith(wanted):
        return 30
    return 20 if wanted in have else 0


def search_score(query: SearchQuery, record: PatientRecord) -> int | None:
    """How well a record answers the query, or None when it does not (every kind typed must match)."""
    score = 0
    for wanted, key, spelled in ((query.kana, kana_loose, "name_kana"), (query.kanji, kanji_key, "name")):
        if not wanted:
            continue
        texts = [getattr(n, spelled) for n in record.names]
        best = max((_text_score(wanted, key(text)) + (2 if i == 0 else 0)  # the current name first
                    for i, text in enumerate(texts) if text), default=0)  # fmt: skip
        if best < 20:
            return None
        score += best
    if query.birthdate is not None:
        if record.birthdate != query.birthdate:
            return None
        score += 10
    if query.digits:
        number = 0
        if record.patient_id in query.number_keys or record.patient_id.lstrip("0") in query.number_keys:
            number = 100
        elif any(query.digits in (insurance_key(i.insured_identification_number), insurance_key(i.insurer_number))
                 for i in record.insurances):  # fmt: skip
            number = 60
        elif query.digits_birthdate is not None and record.birthdate == query.digits_birthdate:
            number = 10
        if not number:
            return None
        score += number
    return score


def _id_order(patient_id: str) -> tuple[int, str]:
    return (len(patient_id.lstrip("0")), patient_id)


def rank(query: SearchQuery, records: list[PatientRecord], limit: int = SEARCH_LIMIT) -> list[PatientRecord]:
    """Best first (then by 患者番号), each patient once, only records that answer every kind typed."""
    scored: dict[str, tuple[int, PatientRecord]] = {}
    for record in records:
        score = search_score(query, record)
        if score is not None and (record.patient_id not in scored or scored[record.patient_id][0] < score):
            scored[record.patient_id] = (score, record)
    ordered = sorted(scored.values(), key=lambda pair: (-pair[0], _id_order(pair[1].patient_id)))
    return [record for _score, record in ordered[:limit]]
