"""Review comparisons are made on normalised values: width and kana are not differences, 髙/高 is a variant."""

from __future__ import annotations

from datetime import date

from kiosk.core.compare import Verdict, compare
from kiosk.core.face import Identity
from kiosk.core.registry import Insurance, PatientName, PatientRecord

RECORD = PatientRecord("2001", (PatientName("髙橋 太郎", "タカハシ タロウ"),), date(1980, 4, 1), "1",
                       (Insurance("06999992", "試験", "3001", "01"),), "999-0002")  # fmt: skip


def verdicts(identity: Identity) -> dict[str, Verdict]:
    return {field.label: field.verdict for field in compare(identity, RECORD)}


def test_normalisation_is_not_a_difference() -> None:
    identity = Identity(name="髙橋　太郎", name_kana="ﾀｶﾊｼ ﾀﾛｳ", birthdate="19800401", sex="1",
                        insurer_number="０６９９９９９２", insured_card_symbol="試験",
                        insured_identification_number="3001", insured_branch_number="1",
                        postcode="9990002")  # fmt: skip
    found = verdicts(identity)
    assert found["氏名"] is Verdict.NORMALISED and found["カナ氏名"] is Verdict.NORMALISED
    assert found["生年月日"] is Verdict.SAME and found["保険者番号"] is Verdict.NORMALISED
    assert found["枝番"] is Verdict.NORMALISED and found["郵便番号"] is Verdict.NORMALISED


def test_variants_and_real_differences() -> None:
    fields = {f.label: f for f in compare(Identity(name="高橋 太郎", name_kana="タカハシ タロー", birthdate="19800402",
                                                   sex="2", insured_branch_number="02"), RECORD)}  # fmt: skip
    assert fields["氏名"].verdict is Verdict.VARIANT  # 髙/高
    assert fields["カナ氏名"].verdict is Verdict.VARIANT  # ロウ/ロー
    assert fields["生年月日"].verdict is Verdict.DIFFERENT and fields["性別"].verdict is Verdict.DIFFERENT
    assert fields["枝番"].verdict is Verdict.DIFFERENT and fields["枝番"].warning
    assert fields["保険者番号"].verdict is Verdict.MISSING


def test_address_is_judged_at_the_house_level() -> None:
    record = PatientRecord("2001", (PatientName("試験 太郎", "ｼｹﾝ ﾀﾛｳ"),), None, "1", postcode="〒217-5955",
                           address="川崎市高津区千年4丁目18-14 メゾン青葉803")  # fmt: skip
    same = {f.label: f for f in compare(Identity(address="神奈川県川崎市高津区千年４丁目１８番１４号"), record)}
    assert same["住所"].verdict is Verdict.NORMALISED and same["住所"].warning is None
    next_door = {f.label: f for f in compare(Identity(address="神奈川県川崎市高津区千年４丁目２０番３号"), record)}
    assert next_door["住所"].verdict is Verdict.DIFFERENT and "同じ丁目" in (next_door["住所"].warning or "")
    elsewhere = {f.label: f for f in compare(Identity(postcode="217-5955", address="末長１丁目２番３号"), record)}
    assert "郵便番号だけ" in (elsewhere["住所"].warning or "")
    assert {f.label: f for f in compare(Identity(), record)}["住所"].verdict is Verdict.MISSING
