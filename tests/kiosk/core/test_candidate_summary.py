"""What the review shows about a candidate: band, reasons in plain words, situation hints, character marks."""

from __future__ import annotations

from datetime import date

from kiosk.core.candidate_summary import (
    Band,
    band,
    char_marks,
    duplicate_chart_hint,
    hints,
    main_reason,
    plain_reasons,
)
from kiosk.core.compare import compare
from kiosk.core.face import Identity
from kiosk.core.registry import Insurance, PatientName, PatientRecord

FACE = Identity(name="試験 彩音", name_kana="シケン アヤネ", birthdate="19900101", sex="2", insurer_number="06999991",
                insured_card_symbol="試", insured_identification_number="1234", insured_branch_number="01",
                postcode="999-0001", address="試験県試験市1-2-3")  # fmt: skip


HOME = Insurance("06999991", "試", "1234", "01")


def record(name: str = "試験 彩音", kana: str = "シケン アヤネ", born: date = date(1990, 1, 1),
           insurance: Insurance = HOME,
           address: str = "試験県試験市1-2-3", pid: str = "1001") -> PatientRecord:  # fmt: skip
    return PatientRecord(pid, (PatientName(name, kana),), born, "2", (insurance,), "999-0001", address)


def test_bands_follow_the_matchers_own_thresholds() -> None:
    assert band(40.0, [5.0]) is Band.CERTAIN
    assert band(40.0, [35.0]) is Band.LIKELY  # twins: high but not clear of the other
    assert band(20.0, []) is Band.LIKELY and band(9.0, []) is Band.POSSIBLE and band(None, []) is None


def test_reasons_in_plain_words_strongest_first() -> None:
    raw = ["性別:一致(+0.9)", "生年月日:完全一致(+14)", "保険:同じ世帯の別の被保険者(枝番が異なる)(-12)",
           "照会番号なし"]
    reasons = plain_reasons(raw)
    assert [r.text for r in reasons][:2] == ["生年月日：完全一致", "保険：同じ世帯の別の被保険者(枝番が異なる)"]
    assert [r.mark for r in reasons] == ["＋", "－", "＋", "・"]
    assert all("(+" not in r.text and "(-" not in r.text for r in reasons)
    assert main_reason(raw) == "生年月日：完全一致"
    assert main_reason(["生年月日:不一致(-10)"]) is None


def test_hint_insurance_changed() -> None:
    changed = record(insurance=Insurance("01999991", None, "77", "00"))
    assert [h[:6] for h in hints(compare(FACE, changed))] == ["保険変更の可"]


def test_hint_moved() -> None:
    assert any(h.startswith("転居") for h in hints(compare(FACE, record(address="試験県別市5-6"))))


def test_hint_married() -> None:
    married = record(name="田中 彩音", kana="タナカ アヤネ")
    assert any(h.startswith("改姓") for h in hints(compare(FACE, married)))
    assert not any(h.startswith("双子") for h in hints(compare(FACE, married)))


def test_hint_twins() -> None:
    twin = record(name="試験 彩花", kana="シケン アヤカ", insurance=Insurance("06999991", "試", "1234", "02"))
    found = hints(compare(FACE, twin))
    assert any(h.startswith("双子") for h in found) and not any(h.startswith("改姓") for h in found)


def test_no_hint_when_everything_agrees() -> None:
    assert hints(compare(FACE, record())) == []


def test_duplicate_charts_among_the_candidates() -> None:
    one, two = compare(FACE, record(pid="1")), compare(FACE, record(pid="2"))
    assert duplicate_chart_hint([one, two]) is not None
    other = compare(FACE, record(name="別人 花子", kana="ベツジン ハナコ", pid="3"))
    assert duplicate_chart_hint([one, other]) is None


def test_character_marks() -> None:
    left, right = char_marks("試験 彩音", "試験 彩花")
    assert [(s.text, s.differs) for s in left] == [("試験 彩", False), ("音", True)]
    assert [(s.text, s.differs) for s in right] == [("試験 彩", False), ("花", True)]
    left, right = char_marks("0012345", "0012354")
    assert "".join(s.text for s in left if s.differs) and "".join(s.text for s in left) == "0012345"
    assert [s.differs for s in char_marks("同じ", "同じ")[0]] == [False]
