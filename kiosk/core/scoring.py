"""Per-field comparison of one identity with one registry patient: scores in bits and the reasons staff read.

Weights are fixed (not registry-size dependent, so 1k and 1M registries score alike); the decision that
uses them (the auto-link guards) is in kiosk.core.matching.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from kiosk.core.address import (
    ADDRESS_REASONS,
    AddressKey,
    AddressLevel,
    compare_addresses,
    parse_address,
    postcode_key,
)
from kiosk.core.birthdates import is_placeholder, near_variants
from kiosk.core.face import Identity, parse_yyyymmdd
from kiosk.core.normalize import (
    NameKeys,
    branch_key,
    has_wildcard,
    insurance_key,
    kana_loose,
    kana_parts,
    kana_seion,
    kana_strict,
    kanji_equal,
    kanji_key,
    kanji_parts,
    kanji_plain,
    name_keys,
)
from kiosk.core.registry import Candidate, CandidateQuery, PatientName, PatientRecord

OTHER_NAME = "(通称)"


@dataclass
class Scored:
    patient_id: str
    score: float
    reasons: list[str]
    fired: frozenset[str]
    dob_exact: bool = False
    sex_agree: bool = False
    kana_full: bool = False
    kana_slip: bool = False
    insurance_individual: bool = False
    insurance_household: bool = False
    household_other_member: bool = False
    address_level: AddressLevel = AddressLevel.UNKNOWN
    reference_verified: bool = False
    by_other_name: bool = False  # the 通称 (NameOfOther) matched better than the name
    blockers: list[str] = field(default_factory=list)

    @property
    def address_house(self) -> bool:
        return self.address_level is AddressLevel.HOUSE

    @property
    def corroboration(self) -> int:
        """Strength of the evidence that this is the person, not a namesake (照会番号 aside):
        2 the individual insurance (枝番 equal), 1 the household (insurance without 枝番, or the same house)."""
        if self.insurance_individual:
            return 2
        return 1 if self.insurance_household or self.address_house else 0


@dataclass(frozen=True)
class PreparedQuery:
    identity: Identity
    kana_strict: str | None
    kana_loose: str | None
    kana_seion: str | None
    family: str | None
    given: str | None
    kanji: str | None
    kanji_plain: str | None
    kanji_family: str | None
    kanji_given: str | None
    birthdate: date | None
    sex: str | None
    insurer: str | None
    symbol: str | None
    number: str | None
    branch: str | None
    postcode: str | None
    address: AddressKey | None
    birthdate_variants: frozenset[date]
    label: str = ""  # OTHER_NAME when this query is the 通称


def prepare(identity: Identity, *, other_name: bool = False) -> PreparedQuery:
    kana = identity.name_of_other_kana if other_name else identity.name_kana
    parts = kana_parts(kana) if kana else None
    kanji = identity.name_of_other if other_name else identity.name
    dob = parse_yyyymmdd(identity.birthdate)
    if dob is not None and is_placeholder(dob):
        dob = None
    kanji_family, kanji_given = kanji_parts(kanji) if kanji else (None, None)
    sex = identity.sex if identity.sex in ("1", "2") else None
    address = parse_address(identity.address)
    return PreparedQuery(
        identity=identity,
        kana_strict=kana_strict(kana) if kana else None,
        kana_loose=kana_loose(kana) if kana else None,
        kana_seion=kana_seion(kana) if kana else None,
        family=parts.family if parts else None,
        given=parts.given if parts else None,
        kanji=kanji_key(kanji) if kanji else None,
        kanji_plain=kanji_plain(kanji) if kanji else None,
        kanji_family=kanji_family,
        kanji_given=kanji_given,
        birthdate=dob,
        sex=sex,
        insurer=insurance_key(identity.insurer_number),
        symbol=insurance_key(identity.insured_card_symbol),
        number=insurance_key(identity.insured_identification_number),
        branch=branch_key(identity.insured_branch_number),
        postcode=postcode_key(identity.postcode) or (address.postcode if address else None),
        address=address,
        birthdate_variants=frozenset(near_variants(dob)) if dob else frozenset(),
        label=OTHER_NAME if other_name else "",
    )


def _one_edit(left: str, right: str) -> bool:
    if abs(len(left) - len(right)) > 1 or left == right:
        return False
    if len(left) == len(right):
        return sum(a != b for a, b in zip(left, right, strict=True)) == 1
    short, long_ = sorted((left, right), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _keys(name: PatientName) -> NameKeys:
    return name.keys if name.keys is not None else name_keys(name.name, name.name_kana)


def _score_kana(q: PreparedQuery, record: PatientRecord, s: Scored) -> None:
    if not q.kana_loose:
        s.reasons.append("カナ氏名なし")
        return
    best: tuple[float, str, str] | None = None
    for index, name in enumerate(record.names):
        keys = _keys(name)
        loose = keys.loose
        if not loose:
            continue
        history = "(旧姓・旧名)" if index else ""
        field = f"カナ氏名{q.label}"
        if keys.strict == q.kana_strict:
            option = (14.0, f"{field}:完全一致{history}(+14)", "full")
        elif loose == q.kana_loose:
            option = (13.0, f"{field}:表記ゆれで一致{history}(+13)", "full")
        elif keys.seion == q.kana_seion or _one_edit(loose, q.kana_loose):
            option = (5.0, f"{field}:1文字違い・濁点ゆれ(+5)", "slip")
        elif _given_only(q, keys.family, keys.given, loose):
            option = (6.0, f"{field}:名のみ一致・姓が異なる(改姓の可能性)(+6)", "given")
        elif _family_only(q, keys.family, keys.given, loose):
            option = (-6.0, f"{field}:姓のみ一致(家族の可能性)(-6)", "family")
        else:
            option = (-9.0, f"{field}:不一致(-9)", "none")
        if best is None or option[0] > best[0]:
            best = option
    if best is None:
        s.reasons.append("登録側にカナ氏名なし")
        s.blockers.append("登録側にカナ氏名がない")
        return
    s.score += best[0]
    s.reasons.append(best[1])
    s.kana_full = best[2] == "full"
    s.kana_slip = best[2] == "slip"
    if best[2] == "given":
        s.blockers.append("姓が異なる(改姓の可能性)")
    elif best[2] == "family":
        s.blockers.append("名が異なる(家族の可能性)")
    elif best[2] in ("none", "slip"):
        s.blockers.append("カナ氏名が一致しない")


def _given_only(q: PreparedQuery, family: str | None, given: str | None, loose: str) -> bool:
    if q.given is None or q.family is None:
        return False
    if given is not None:
        return given == q.given and family != q.family
    return loose.endswith(q.given) and not loose.startswith(q.family)  # registry without 姓名 separator


def _family_only(q: PreparedQuery, family: str | None, given: str | None, loose: str) -> bool:
    if q.family is None or q.given is None:
        return False
    if family is not None:
        return family == q.family and given != q.given
    return loose.startswith(q.family) and not loose.endswith(q.given)


def _score_kanji(q: PreparedQuery, record: PatientRecord, s: Scored) -> None:
    if not q.kanji:
        return
    field = f"漢字氏名{q.label}"
    best = (-3.0, f"{field}:不一致(-3)")
    for name in record.names:
        keys = _keys(name)
        if not keys.kanji:
            continue
        if kanji_equal(keys.kanji, q.kanji):
            gain = 2.0 if s.kana_full else 8.0
            variant = "(異体字・外字を含む)" if keys.kanji_plain != q.kanji_plain or has_wildcard(q.kanji) else ""
            option = (gain, f"{field}:一致{variant}(+{gain:g})")
        elif (
            keys.kanji_given is not None and q.kanji_given is not None and kanji_equal(keys.kanji_given, q.kanji_given)
        ):
            option = (1.0, f"{field}:名のみ一致(+1)")
        else:
            continue
        if option[0] > best[0]:
            best = option
    s.score += best[0]
    s.reasons.append(best[1])


def _score_household(q: PreparedQuery, record: PatientRecord, s: Scored) -> None:
    """Insurance and address both say "same household": the stronger one counts (capped), both are shown."""
    insurance_counted = _score_insurance(q, record, s)
    record_address = parse_address(record.address)
    record_postcode = postcode_key(record.postcode) or (record_address.postcode if record_address else None)
    s.address_level = compare_addresses(q.address, record_address, q.postcode, record_postcode)
    label, weight = ADDRESS_REASONS[s.address_level]
    if weight and s.household_other_member:
        s.reasons.append(f"{label}(同じ世帯の別の被保険者のため加点なし)")
    elif weight and insurance_counted >= weight:
        s.reasons.append(f"{label}(保険で加点済み)")
    elif weight:
        s.score += weight - insurance_counted
        s.reasons.append(f"{label}(+{weight - insurance_counted:g})")
    else:
        s.reasons.append(label)


def _score_insurance(q: PreparedQuery, record: PatientRecord, s: Scored) -> float:
    """Adds the insurance comparison; returns the weight counted (so the address is not counted twice)."""
    if q.insurer is None or q.number is None:
        s.reasons.append("保険:照会側に情報なし")
        return 0.0
    best = (0.0, "")
    for index, ins in enumerate(record.insurances):
        history = "(以前の保険)" if index else ""
        same_household = (
            insurance_key(ins.insurer_number) == q.insurer
            and insurance_key(ins.insured_identification_number) == q.number
            and insurance_key(ins.insured_card_symbol) == q.symbol
        )
        if not same_household:
            continue
        branch = branch_key(ins.insured_branch_number)
        if branch is not None and q.branch is not None:
            if branch == q.branch:
                option = (10.0, f"保険:保険者番号・記号・番号・枝番 一致{history}(+10)")
                s.insurance_individual = True
            else:
                option = (-12.0, "保険:同じ世帯の別の被保険者(枝番が異なる)(-12)")
                s.household_other_member = True
        else:
            option = (3.0, f"保険:保険者番号・記号・番号 一致(枝番なし＝世帯一致のみ){history}(+3)")
            s.insurance_household = True
        if best[1] == "" or option[0] > best[0] or option[0] < 0:
            best = option
    if s.household_other_member:
        best = (-12.0, "保険:同じ世帯の別の被保険者(枝番が異なる)(-12)")
        s.blockers.append("同じ世帯の別の被保険者(枝番が異なる)")
    if best[1]:
        s.score += best[0]
        s.reasons.append(best[1])
        return max(best[0], 0.0)
    s.reasons.append("保険:一致なし")
    return 0.0


def score_candidate(q: PreparedQuery, candidate: Candidate) -> Scored:
    record = candidate.record
    s = Scored(patient_id=record.patient_id, score=0.0, reasons=[], fired=candidate.fired)
    if q.birthdate is None or record.birthdate is None or is_placeholder(record.birthdate):
        s.reasons.append("生年月日:不明")
        s.blockers.append("生年月日が不明")
    elif record.birthdate == q.birthdate:
        s.score += 14.0
        s.dob_exact = True
        s.reasons.append("生年月日:完全一致(+14)")
    elif record.birthdate in q.birthdate_variants:
        s.score += 4.0
        s.reasons.append("生年月日:入力誤りの可能性(+4)")
        s.blockers.append("生年月日が一致しない")
    else:
        s.score -= 10.0
        s.reasons.append("生年月日:不一致(-10)")
        s.blockers.append("生年月日が一致しない")
    if q.sex is None or record.sex not in ("1", "2"):
        s.reasons.append("性別:不明")
        s.blockers.append("性別が不明")
    elif record.sex == q.sex:
        s.score += 0.9
        s.sex_agree = True
        s.reasons.append("性別:一致(+0.9)")
    else:
        s.score -= 6.0
        s.reasons.append("性別:不一致(-6)")
        s.blockers.append("性別が一致しない")
    _score_kana(q, record, s)
    _score_kanji(q, record, s)
    _score_household(q, record, s)
    ref = q.identity.reference_number
    if ref is not None and record.patient_id == ref:
        s.score += 8.0
        s.reasons.append("照会番号:一致(+8)")
    return s


def lookup(q: PreparedQuery) -> CandidateQuery:
    return CandidateQuery(
        patient_id=q.identity.reference_number,
        insurer_key=q.insurer,
        number_key=q.number,
        birthdate=q.birthdate,
        kana_loose=q.kana_loose or None,
        family_loose=q.family,
        given_loose=q.given,
        kana_seion=q.kana_seion or None,
        kanji_key=q.kanji or None,
        postcode_key=q.postcode,
        birthdate_variants=q.birthdate_variants,
    )
