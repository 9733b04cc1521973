"""The search box read as a clerk types: each word as kana, kanji, birthdate or number, ranked in the core."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.core.patient_search import parse_search, rank, search_score
from kiosk.core.registry import Insurance, PatientName, PatientRecord


def person(pid: str, *names: tuple[str, str], born: date = date(1970, 3, 3), number: str = "1234") -> PatientRecord:
    return PatientRecord(pid, tuple(PatientName(n, k) for n, k in names), born, "2",
                         (Insurance("06999991", "試", number, "01"),))  # fmt: skip


@pytest.mark.parametrize(("text", "kinds"), [
    ("しけん はなこ", ["kana"]), ("ｼｹﾝ", ["kana"]), ("シケン・ハナコ", ["kana"]), ("試験 花子", ["kanji"]),
    ("S45.3.3", ["birthdate"]), ("昭和45年3月3日", ["birthdate"]), ("1970-03-03", ["birthdate"]),
    ("令和元年5月1日", ["birthdate"]), ("00123", ["number"]), ("０６９９９９９１", ["number"]),
    ("06-999-991", ["number"]), ("しけん 1970/3/3", ["kana", "birthdate"]), ("1234 19700303", ["birthdate", "number"]),
    ("！ ・", []),
])  # fmt: skip
def test_each_word_is_read_as_what_it_can_be(text: str, kinds: list[str]) -> None:
    assert parse_search(text).kinds == kinds


def test_a_lone_eight_digit_number_may_be_a_birthdate_or_a_number() -> None:
    query = parse_search("19700303")
    assert query.digits == "19700303" and query.digits_birthdate == date(1970, 3, 3)
    assert search_score(query, person("5", ("試験 花子", "シケン ハナコ"))) is not None  # born that day
    assert parse_search("3450303").digits_birthdate == date(1970, 3, 3)  # レセプト form S45.03.03


def test_every_kind_typed_must_match() -> None:
    hanako = person("5", ("試験 花子", "シケン ハナコ"))
    assert search_score(parse_search("しけん S45.3.3"), hanako) is not None
    assert search_score(parse_search("しけん S45.3.4"), hanako) is None
    assert search_score(parse_search("たなか"), hanako) is None
    assert search_score(parse_search("はなこ"), hanako) is not None  # the 名 alone, anywhere in the name


def test_an_earlier_name_finds_the_chart() -> None:
    """Married: the chart's current name is new, the clerk searches by the name the patient used to have."""
    married = person("7", ("田中 花子", "タナカ ハナコ"), ("試験 花子", "シケン ハナコ"))
    assert [r.patient_id for r in rank(parse_search("しけん はなこ"), [married])] == ["7"]


def test_ranking_exact_then_prefix_then_inside_then_number() -> None:
    exact = person("30", ("試験 花", "シケン ハナ"))
    prefix = person("4", ("試験 花子", "シケン ハナコ"))
    inside = person("2", ("大試験 花", "オオシケン ハナ"))
    assert [r.patient_id for r in rank(parse_search("しけん はな"), [inside, prefix, exact])] == ["30", "4", "2"]
    by_id, by_insurance = person("1234", ("甲", "コウ"), number="9"), person("9", ("乙", "オツ"), number="1234")
    assert [r.patient_id for r in rank(parse_search("1234"), [by_insurance, by_id])] == ["1234", "9"]
    assert [r.patient_id for r in rank(parse_search("01234"), [by_id])] == ["1234"]  # typed with a leading zero


def test_at_most_the_limit_and_each_patient_once() -> None:
    many = [person(str(n), ("試験 花子", "シケン ハナコ")) for n in range(30)]
    ranked = rank(parse_search("しけん"), many + many[:5])
    assert len(ranked) == 20 and len({r.patient_id for r in ranked}) == 20
    assert [r.patient_id for r in ranked[:3]] == ["0", "1", "2"]  # ties by 患者番号, numerically
