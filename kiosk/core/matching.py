"""Patient matching: candidates, per-field scores with Japanese reasons, and the auto-link guard.

A wrong automatic link is a medical-safety incident, so `auto_link` needs every guard of research
matching.md §3.3; anything doubtful becomes `review` with ranked candidates and reasons staff can act on.
Scoring (kiosk.core.scoring) is per candidate; this module decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kiosk.core.face import Identity
from kiosk.core.registry import Candidate, PatientDirectory
from kiosk.core.scoring import PreparedQuery, Scored, lookup, prepare, score_candidate

AUTO_MIN = 30.0
AUTO_MARGIN = 10.0
REVIEW_MIN = 8.0
MAX_CANDIDATES = 5

REASON_MARGIN = "2番目の候補との差が小さい(重複カルテの可能性)"
REASON_REFERENCE_WRONG = "照会番号が別の患者を指しています(照会番号訂正)"
REASON_REFERENCE_UNKNOWN = "照会番号の患者が台帳にありません(照会番号訂正)"
REASON_NO_CORROBORATION = "保険・照会番号・住所(番地まで)による裏付けがない(郵便番号・丁目だけでは本人と言えない)"
REASON_NO_KANA = "カナ氏名で確認できない"
REASON_LOW = "一致が弱い"
REASON_REFERENCE_OUTVOTED = "照会番号の患者より強く一致する別の患者がいます(照会番号訂正・重複カルテの可能性)"


class Decision(StrEnum):
    AUTO_LINK = "auto_link"
    REVIEW = "review"
    NO_MATCH = "no_match"


@dataclass(frozen=True)
class MatchResult:
    decision: Decision
    patient_id: str | None
    candidates: tuple[Scored, ...]
    reference_correction: bool = False
    method: str | None = None  # "reference_number" | "match" when auto-linked
    why_not_auto: tuple[str, ...] = ()

    def as_json(self, entry_id: object = None) -> dict[str, object]:
        return {
            "id": entry_id,
            "decision": self.decision.value,
            "patient_id": self.patient_id,
            "candidates": [
                {"patient_id": c.patient_id, "score": round(c.score, 1), "reasons": c.reasons} for c in self.candidates
            ],
        }


def _auto_blockers(top: Scored, second: Scored | None) -> list[str]:
    blockers = list(top.blockers)
    if top.kana_slip and top.insurance_individual and top.dob_exact and top.sex_agree:
        blockers = [b for b in blockers if b != "カナ氏名が一致しない"]  # 枝番 fast path tolerates one slip
    elif not top.kana_full:
        blockers.append(REASON_NO_KANA)
    if top.corroboration == 0 and not top.reference_verified:
        blockers.append(REASON_NO_CORROBORATION)
    if top.score < AUTO_MIN:
        blockers.append(REASON_LOW)
    if second is not None and top.score - second.score < AUTO_MARGIN:
        blockers.append(REASON_MARGIN)
    return blockers


def _may_be_the_person(s: Scored) -> bool:
    return s.dob_exact and s.sex_agree and not s.household_other_member


def _outvoting(referenced: Scored, others: list[Scored]) -> list[Scored]:
    """Candidates with stronger evidence than the 照会番号's chart: a 照会番号 can be registered on the wrong chart
    (or an old duplicate), so it never outvotes the individual insurance or a higher score."""
    return [
        o for o in others
        if _may_be_the_person(o) and (o.corroboration > referenced.corroboration or o.score > referenced.score)
    ]  # fmt: skip


def _best(options: list[Scored]) -> Scored:
    best = max(options, key=lambda s: s.score)
    best.by_other_name = best is not options[0]
    return best


class Matcher:
    """Decides one identity against a directory; never writes."""

    def __init__(self, directory: PatientDirectory) -> None:
        self.directory = directory

    def _candidates(self, queries: list[PreparedQuery]) -> list[Candidate]:
        found: dict[str, Candidate] = {}
        for q in queries:
            for candidate in self.directory.find_candidates(lookup(q)):
                known = found.get(candidate.record.patient_id)
                fired = candidate.fired | (known.fired if known else frozenset())
                found[candidate.record.patient_id] = Candidate(candidate.record, fired)
        return list(found.values())

    def match(self, identity: Identity) -> MatchResult:
        identity = identity.cleaned()
        queries = [prepare(identity)]
        if identity.name_of_other_kana or identity.name_of_other:
            queries.append(prepare(identity, other_name=True))
        scored = sorted(
            (_best([score_candidate(q, c) for q in queries]) for c in self._candidates(queries)),
            key=lambda s: (-s.score, s.patient_id),
        )
        correction = False
        correction_reasons: list[str] = []
        ref = identity.reference_number
        if ref is not None:
            referenced = next((s for s in scored if s.patient_id == ref), None)
            verified = (
                referenced is not None
                and referenced.dob_exact
                and referenced.kana_full
                and not any(b.startswith("性別が一致しない") for b in referenced.blockers)
            )
            if referenced is not None and verified:
                others = [s for s in scored if s is not referenced]
                stronger = _outvoting(referenced, others)
                if not stronger:
                    referenced.reference_verified = True
                    referenced.reasons.append("照会番号:生年月日とカナ氏名で確認済み")
                    return MatchResult(
                        Decision.AUTO_LINK, ref, (referenced, *others[: MAX_CANDIDATES - 1]), method="reference_number"
                    )
                referenced.reasons.append(REASON_REFERENCE_OUTVOTED)
                for other in stronger:
                    other.reasons.append("照会番号の患者より強く一致(照会番号訂正の候補)")
                correction_reasons.append(REASON_REFERENCE_OUTVOTED)
            elif referenced is None:
                correction_reasons.append(REASON_REFERENCE_UNKNOWN)
            else:
                referenced.reasons.append(REASON_REFERENCE_WRONG)
                correction_reasons.append(REASON_REFERENCE_WRONG)
            correction = True
        top_n = tuple(scored[:MAX_CANDIDATES])
        if not scored or (scored[0].score < REVIEW_MIN and not correction):
            return MatchResult(Decision.NO_MATCH, None, tuple(scored[:3]), correction)
        top = scored[0]
        second = scored[1] if len(scored) > 1 else None
        blockers = [*_auto_blockers(top, second), *correction_reasons]
        if blockers:
            for reason in dict.fromkeys(blockers):
                if reason not in top.reasons:
                    top.reasons.append(reason)
            return MatchResult(Decision.REVIEW, None, top_n, correction, why_not_auto=tuple(dict.fromkeys(blockers)))
        return MatchResult(Decision.AUTO_LINK, top.patient_id, top_n, correction, method="match")
