"""照会番号 (ReferenceNumber) registration rules: what is sent, when an answer counts as success,
and the states a registration goes through. Pure: files and storage live in adapters and services.

A registration is never resent automatically: after a timeout or any doubt it becomes `uncertain`
and staff decide (research oqs-interface.md §3, MynaReception's rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kiosk.core.normalize import insurance_key

MAX_REFERENCE_LENGTH = 50
PUBLIC_ASSISTANCE_PREFIX = "12"  # 法別12: 生活保護 (医療扶助) 公費負担者番号


class RegistrationState(StrEnum):
    PENDING = "pending"  # wanted, nothing written yet
    PUBLISHING = "publishing"  # file name reserved; the request may or may not be in req
    PUBLISHED = "published"  # the request is in req
    ANSWERED = "answered"  # a result file was read (transient, within one transaction)
    DONE = "done"
    FAILED = "failed"
    UNCERTAIN = "uncertain"  # timeout or doubt: staff decide, nothing is resent


ACTIVE_STATES = frozenset({RegistrationState.PENDING, RegistrationState.PUBLISHING, RegistrationState.PUBLISHED})


@dataclass(frozen=True)
class ReferenceRequest:
    """One ReferenceNumberRegistrationInfo, strings as they will be sent."""

    reference_number: str
    insurer_number: str
    insured_card_symbol: str | None
    insured_identification_number: str
    insured_branch_number: str | None

    def key(self) -> tuple[str | None, str | None, str | None, str | None]:
        """Comparison key of the qualification (padding and width ignored), to match echoes."""
        return (
            insurance_key(self.insurer_number),
            insurance_key(self.insured_card_symbol),
            insurance_key(self.insured_identification_number),
            insurance_key(self.insured_branch_number),
        )


class ReferenceRuleError(ValueError):
    def __init__(self, ja: str, en: str) -> None:
        super().__init__(f"{ja} / {en}")
        self.ja, self.en = ja, en


def build_request(
    reference_number: str,
    insurer_number: str | None,
    insured_card_symbol: str | None,
    insured_identification_number: str | None,
    insured_branch_number: str | None,
) -> ReferenceRequest:
    """Apply the request rules: insurer as 8 characters left-padded with spaces, 記号 omitted when
    empty, 枝番 only when known (never invented), 照会番号 ≤ 50 characters with leading zeros kept."""
    if not reference_number or len(reference_number) > MAX_REFERENCE_LENGTH:
        raise ReferenceRuleError("照会番号は1〜50文字です", "the reference number must be 1 to 50 characters")
    insurer = (insurer_number or "").strip()
    if not insurer or len(insurer) > 8 or not insurer.isascii() or not insurer.isdigit():
        raise ReferenceRuleError("保険者番号が正しくありません", "the insurer number is missing or not 6-8 digits")
    number = (insured_identification_number or "").strip()
    if not number:
        raise ReferenceRuleError("被保険者証番号がありません", "the insured person's number is missing")
    symbol = (insured_card_symbol or "").strip() or None
    branch = (insured_branch_number or "").strip() or None
    return ReferenceRequest(reference_number, insurer.rjust(8), symbol, number, branch)


@dataclass(frozen=True)
class InsuranceChoice:
    classification: str | None
    insurer_number: str | None
    insured_card_symbol: str | None
    insured_identification_number: str | None
    insured_branch_number: str | None

    @property
    def is_public_assistance(self) -> bool:
        return self.classification == "A1" or (self.insurer_number or "").strip().startswith(PUBLIC_ASSISTANCE_PREFIX)


def choose_insurance(options: list[InsuranceChoice]) -> InsuranceChoice | None:
    """Health insurance first; 医療扶助 only when the patient has no health insurance."""
    usable = [o for o in options if o.insurer_number and o.insured_identification_number]
    health = [o for o in usable if not o.is_public_assistance]
    chosen = health or usable
    return chosen[0] if chosen else None


@dataclass(frozen=True)
class Answer:
    """What a result file said, reduced to what the state machine needs."""

    segment_of_result: str | None
    error_code: str | None
    processing_status: str | None
    processing_code: str | None
    arbitrary_file_identifier: str | None
    echoed: ReferenceRequest | None
    reception_number: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.segment_of_result == "1" and not self.error_code and self.processing_status == "1"

    @property
    def in_progress(self) -> bool:
        return self.segment_of_result == "2"

    def failure_reason(self) -> str:
        code = self.error_code or self.processing_code or f"SegmentOfResult={self.segment_of_result}"
        return f"資格確認端末が登録を受け付けませんでした（{code}） / the terminal refused the registration ({code})"
