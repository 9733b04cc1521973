"""Linking during ingest: the matcher's decision applied according to `linking.auto`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from kiosk.core.face import EntryStatus, Identity, LinkMethod
from kiosk.core.linking import LinkOutcome
from kiosk.core.matching import Decision, Matcher, MatchResult

AutoMode = Literal["off", "reference_only", "on"]


class MatchingLinker:
    """`mode` may be a function, read at every decision, so an administrator's change applies at once."""

    def __init__(self, matcher: Matcher, mode: AutoMode | Callable[[], AutoMode]) -> None:
        self.matcher = matcher
        self._mode = mode

    @property
    def mode(self) -> AutoMode:
        return self._mode() if callable(self._mode) else self._mode

    def link(self, identity: Identity, *, actionable: bool) -> LinkOutcome:
        result = self.matcher.match(identity)
        refresh = getattr(self.matcher.directory, "refresh_patient", None)
        if result.decision is Decision.AUTO_LINK and result.patient_id and refresh is not None:
            # A mirrored registry (ORCA) is re-read for this patient before an auto-link is applied.
            refresh(result.patient_id)
            again = self.matcher.match(identity)
            if again.decision is not Decision.AUTO_LINK or again.patient_id != result.patient_id:
                result = again
        return outcome_for(result, self.mode)


def outcome_for(result: MatchResult, mode: AutoMode) -> LinkOutcome:
    decision = result.as_json() | {"method": result.method, "reference_correction": result.reference_correction,
                                   "why_not_auto": list(result.why_not_auto)}  # fmt: skip
    decision.pop("id")
    outcome = _outcome(result, mode)
    return LinkOutcome(outcome.status, outcome.patient_id, outcome.link_method, outcome.reason, decision)


def _outcome(result: MatchResult, mode: AutoMode) -> LinkOutcome:
    if result.decision is Decision.AUTO_LINK and result.patient_id is not None:
        by_reference = result.method == "reference_number"
        if mode == "on" or (mode == "reference_only" and by_reference):
            method = LinkMethod.REFERENCE_NUMBER if by_reference else LinkMethod.MATCH
            return LinkOutcome(EntryStatus.AUTO_LINKED, result.patient_id, method)
        return LinkOutcome(
            EntryStatus.NEEDS_REVIEW,
            reason=f"自動連携オフ: 候補 {result.patient_id} / auto-linking is off (suggested {result.patient_id})",
        )
    if result.decision is Decision.REVIEW:
        return LinkOutcome(EntryStatus.NEEDS_REVIEW, reason="要確認: " + "、".join(result.why_not_auto))
    return LinkOutcome(EntryStatus.NO_MATCH, reason="該当する患者が見つかりません / no matching patient")
