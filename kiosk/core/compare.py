"""Field-by-field comparison of a face result with a registry patient, for the staff review screen.

Differences are judged on normalised values (research kiosk-packaging.md §2.2): half/full width and
hiragana/katakana are not differences, 髙/高 is a variant (shown, not a mismatch), a different 枝番 stands
out because it usually means another family member on the same insurance.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kiosk.core.address import AddressLevel, compare_addresses, parse_address, postcode_key
from kiosk.core.birthdates import parse_birthdate, wareki
from kiosk.core.face import Identity
from kiosk.core.normalize import (
    branch_key,
    insurance_key,
    kana_loose,
    kana_strict,
    kanji_key,
    kanji_plain,
)
from kiosk.core.registry import Insurance, PatientRecord


class Verdict(StrEnum):
    SAME = "same"  # identical as written
    NORMALISED = "normalised"  # equal after width / kana / spacing normalisation
    VARIANT = "variant"  # equal after folding 異体字 (髙/高) or small-kana and long-vowel forms
    DIFFERENT = "different"
    MISSING = "missing"  # one side has no value


VERDICT_LABEL = {
    Verdict.SAME: "一致",
    Verdict.NORMALISED: "表記ゆれ",
    Verdict.VARIANT: "異体字・近似",
    Verdict.DIFFERENT: "相違",
    Verdict.MISSING: "なし",
}


@dataclass(frozen=True)
class FieldComparison:
    label: str
    face: str
    record: str
    verdict: Verdict
    warning: str | None = None  # something staff must notice (e.g. a different 枝番)


def _verdict(face: str | None, record: str | None, *keys: object) -> Verdict:
    if not face or not record:
        return Verdict.MISSING
    if face == record:
        return Verdict.SAME
    normalise, *folds = keys
    assert callable(normalise)
    if normalise(face) == normalise(record):
        return Verdict.NORMALISED
    for fold in folds:
        assert callable(fold)
        if fold(face) == fold(record):
            return Verdict.VARIANT
    return Verdict.DIFFERENT


def _insurance(record: PatientRecord, identity: Identity) -> Insurance | None:
    """The registry insurance closest to the face result's (same insurer and number first)."""
    wanted = (insurance_key(identity.insurer_number), insurance_key(identity.insured_identification_number))
    for insurance in record.insurances:
        have = (insurance_key(insurance.insurer_number), insurance_key(insurance.insured_identification_number))
        if have == wanted:
            return insurance
    return record.insurances[0] if record.insurances else None


_ADDRESS_NOTES = {
    AddressLevel.ROOM_DIFFERS: "同じ建物の別の部屋です",
    AddressLevel.BLOCK: "同じ丁目の別の家です（近所の同姓同名に注意）",
    AddressLevel.TOWN: "同じ町名の別の場所です",
    AddressLevel.POSTCODE: "郵便番号だけが同じです（本人の裏付けにはなりません）",
}


def _address(identity: Identity, record: PatientRecord) -> FieldComparison:
    """住所 judged at the house level: 丁目-番-号 written differently is 表記ゆれ; a neighbour is a difference."""
    face, have = identity.address, record.address
    if not face or not have:
        return FieldComparison("住所", face or "", have or "", Verdict.MISSING)
    face_key, have_key = parse_address(face), parse_address(have)
    face_code = postcode_key(identity.postcode) or (face_key.postcode if face_key else None)
    have_code = postcode_key(record.postcode) or (have_key.postcode if have_key else None)
    level = compare_addresses(face_key, have_key, face_code, have_code)
    if face == have:
        verdict = Verdict.SAME
    elif level is AddressLevel.HOUSE:
        verdict = Verdict.NORMALISED
    else:
        verdict = Verdict.DIFFERENT
    return FieldComparison("住所", face, have, verdict, _ADDRESS_NOTES.get(level))


def compare(identity: Identity, record: PatientRecord) -> list[FieldComparison]:
    name = record.names[0] if record.names else None
    rows = [
        FieldComparison("氏名", identity.name or "", name.name or "" if name else "",
                        _verdict(identity.name, name.name if name else None, kanji_plain, kanji_key)),
        FieldComparison("カナ氏名", identity.name_kana or "", name.name_kana or "" if name else "",
                        _verdict(identity.name_kana, name.name_kana if name else None, kana_strict, kana_loose)),
    ]  # fmt: skip
    born = parse_birthdate(identity.birthdate or "")
    rows.append(FieldComparison(
        "生年月日", wareki(born) if born else identity.birthdate or "",
        wareki(record.birthdate) if record.birthdate else "",
        Verdict.MISSING if born is None or record.birthdate is None
        else Verdict.SAME if born == record.birthdate else Verdict.DIFFERENT,
    ))  # fmt: skip
    sex = {"1": "男", "2": "女"}
    rows.append(FieldComparison(
        "性別", sex.get(identity.sex or "", identity.sex or ""), sex.get(record.sex or "", record.sex or ""),
        Verdict.MISSING if not identity.sex or not record.sex
        else Verdict.SAME if identity.sex == record.sex else Verdict.DIFFERENT,
    ))  # fmt: skip
    insurance = _insurance(record, identity)
    pairs = [
        ("保険者番号", identity.insurer_number, insurance.insurer_number if insurance else None, insurance_key),
        ("記号", identity.insured_card_symbol, insurance.insured_card_symbol if insurance else None, insurance_key),
        ("番号", identity.insured_identification_number,
         insurance.insured_identification_number if insurance else None, insurance_key),
    ]  # fmt: skip
    for label, face, have, key in pairs:
        rows.append(FieldComparison(label, face or "", have or "", _verdict(face, have, key)))
    face_branch, have_branch = identity.insured_branch_number, insurance.insured_branch_number if insurance else None
    branch = _verdict(face_branch, have_branch, branch_key)
    warning = "枝番が違います（同じ保険の別の家族の可能性）" if branch is Verdict.DIFFERENT else None
    rows.append(FieldComparison("枝番", face_branch or "", have_branch or "", branch, warning))
    rows.append(FieldComparison("郵便番号", identity.postcode or "", record.postcode or "",
                                _verdict(identity.postcode, record.postcode, postcode_key)))  # fmt: skip
    rows.append(_address(identity, record))
    reference = identity.reference_number
    rows.append(FieldComparison(
        "照会番号", reference or "", record.patient_id if reference else "",
        Verdict.MISSING if not reference else Verdict.SAME if reference == record.patient_id else Verdict.DIFFERENT,
        "照会番号が別の患者を指しています" if reference and reference != record.patient_id else None,
    ))  # fmt: skip
    return rows
