"""The マイナンバーカード 券面事項 rule: exactly one patient with identical kanji name, birthdate, sex, address."""

from __future__ import annotations

from datetime import date

from kiosk.core.card_identity import card_patient, card_query
from kiosk.core.face import Identity
from kiosk.core.registry import PatientName, PatientRecord

CARD = Identity(name="試験　太郎", birthdate="19800401", sex="1", address="試験県試験市試験町１丁目２番３号")


def record(pid: str, name: str = "試験 太郎", born: date = date(1980, 4, 1), sex: str = "1",
           address: str = "試験県試験市試験町1丁目2番3号") -> PatientRecord:  # fmt: skip
    return PatientRecord(pid, (PatientName(name, "シケン タロウ"),), born, sex, address=address)


def test_exactly_one_identical_patient() -> None:
    assert card_patient(CARD, [record("1")]) == "1"
    query = card_query(CARD)
    assert query is not None and query.birthdate == date(1980, 4, 1)


def test_doubt_is_never_a_match() -> None:
    assert card_patient(CARD, [record("1"), record("2")]) is None  # a duplicate chart
    assert card_patient(CARD, [record("1", name="試験 太朗")]) is None
    assert card_patient(CARD, [record("1", name="髙試験 太郎")]) is None
    assert card_patient(CARD, [record("1", address="試験県試験市別町1")]) is None  # moved
    assert card_patient(CARD, [record("1", sex="2")]) is None
    assert card_patient(CARD, [record("1", born=date(1980, 4, 2))]) is None
    assert card_patient(Identity(name="試験 太郎", birthdate="19800401", sex="1"), [record("1")]) is None
    assert card_patient(CARD, [record("1", name="髙 太郎")]) is None


def test_the_address_is_compared_at_the_house_level() -> None:
    """The card has the 住民票 form; clinics type addresses their own way (issue 16's normaliser)."""
    for typed in ("試験県試験市試験町1-2-3", "試験市試験町一丁目二番三号", "試験県試験市試験町1-2-3 メゾン青葉803"):
        assert card_patient(CARD, [record("1", address=typed)]) == "1", typed
    for other in ("試験県試験市試験町1-2-4", "試験県試験市試験町1丁目", "試験県試験市別町1-2-3"):
        assert card_patient(CARD, [record("1", address=other)]) is None, other
    in_a_flat = Identity(name="試験　太郎", birthdate="19800401", sex="1", address="試験市試験町1-2-3 メゾン青葉803")
    assert card_patient(in_a_flat, [record("1", address="試験市試験町1-2-3 メゾン青葉305")]) is None  # another room


def test_a_variant_kanji_is_doubt() -> None:
    card = Identity(name="髙橋 一郎", birthdate="19800401", sex="1", address="試験県試験市試験町1丁目2番3号")
    assert card_patient(card, [record("1", name="高橋 一郎")]) is None
    assert card_patient(card, [record("1", name="髙橋 一郎")]) == "1"
