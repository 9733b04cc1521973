"""Birthdates as clinics type them: 西暦 in three shapes and 和暦 (S55.4.1, 昭和55年4月1日, 令和元年5月1日)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

# Era: (first day, last day or None). A date outside its era (昭和64年1月8日) is invalid.
ERAS: dict[str, tuple[date, date | None]] = {
    "M": (date(1868, 10, 23), date(1912, 7, 29)),
    "T": (date(1912, 7, 30), date(1926, 12, 24)),
    "S": (date(1926, 12, 25), date(1989, 1, 7)),
    "H": (date(1989, 1, 8), date(2019, 4, 30)),
    "R": (date(2019, 5, 1), None),
}
_ERA_NAMES = {"明治": "M", "大正": "T", "昭和": "S", "平成": "H", "令和": "R"}
_ERA_DIGITS = {"1": "M", "2": "T", "3": "S", "4": "H", "5": "R"}  # レセプト style 3550401
_WAREKI = re.compile(r"^([MTSHR])\s*(元|\d{1,2})[.\-/年](\d{1,2})[.\-/月](\d{1,2})日?$")
_SEIREKI = re.compile(r"^(\d{4})[-/]?(\d{1,2})[-/]?(\d{1,2})$")
_PLACEHOLDERS = {date(1900, 1, 1), date(1800, 1, 1), date(1000, 1, 1)}


def parse_birthdate(text: str) -> date | None:
    """None when the text is not a real date in any accepted form."""
    if len(text) == 8 and text.isascii() and text.isdigit():  # the common YYYYMMDD, fast
        try:
            fast = date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            return None
        return fast if fast.year >= 1868 else None
    value = unicodedata.normalize("NFKC", text).strip().upper()
    for name, letter in _ERA_NAMES.items():
        value = value.replace(name, letter)
    if len(value) == 7 and value.isdigit() and value[0] in _ERA_DIGITS:
        value = f"{_ERA_DIGITS[value[0]]}{value[1:3]}.{value[3:5]}.{value[5:7]}"
    wareki = _WAREKI.match(value)
    if wareki:
        era, year_text, month, day = wareki.groups()
        year = 1 if year_text == "元" else int(year_text)
        start, end = ERAS[era]
        try:
            result = date(start.year + year - 1, int(month), int(day))
        except ValueError:
            return None
        if result < start or (end is not None and result > end):
            return None
        return result
    seireki = _SEIREKI.match(value)
    if seireki and (len(value) == 8 or not value.isdigit()):
        try:
            result = date(int(seireki.group(1)), int(seireki.group(2)), int(seireki.group(3)))
        except ValueError:
            return None
        return result if result.year >= 1868 else None
    return None


def is_placeholder(day: date) -> bool:
    """Dates clinics type when the real one is unknown: treated as missing, never auto-linked."""
    return day in _PLACEHOLDERS


def near_variants(day: date) -> set[date]:
    """Typing slips staff make: ±1 day, ±10 days, month/day swap, ±1 year, 和暦 era slips."""
    variants: set[date] = set()
    for delta in (1, -1, 10, -10):
        variants.add(day + timedelta(days=delta))
    candidates = [(day.year, day.day, day.month)] + [
        (day.year + years, day.month, day.day) for years in (1, -1, 14, -14, 25, -25, 63, -63, 12, -12)
    ]
    for year, month, dom in candidates:
        try:
            variants.add(date(year, month, dom))
        except ValueError:
            continue
    variants.discard(day)
    return variants


_ERA_LABELS = {"M": "明治", "T": "大正", "S": "昭和", "H": "平成", "R": "令和"}


def wareki_short(day: date) -> str:
    """S55.4.1 — the 和暦 clerks write on charts, narrow enough for a list column."""
    for letter, (start, end) in ERAS.items():
        if start <= day and (end is None or day <= end):
            return f"{letter}{day.year - start.year + 1}.{day.month}.{day.day}"
    return f"{day.year}.{day.month}.{day.day}"


def wareki(day: date) -> str:
    """昭和55年4月1日 — how most elderly patients know their birthdate."""
    for letter, (start, end) in ERAS.items():
        if start <= day and (end is None or day <= end):
            year = day.year - start.year + 1
            return f"{_ERA_LABELS[letter]}{'元' if year == 1 else year}年{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"
