"""What a face-auth result (顔認証結果) means to reception, independent of XML and storage."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

FACE_FILE_PATTERN = re.compile(r"(?i)^OQSsiquc01res_face_.*\.xml$")
_NAME_TIMESTAMP = re.compile(r"_(\d{14})(?=[^0-9]|$)")

#: InsuredCardClassification for 医療扶助 (public assistance) results.
PUBLIC_ASSISTANCE_CLASSIFICATION = "A1"


def is_face_file_name(name: str) -> bool:
    return FACE_FILE_PATTERN.match(name) is not None


def timestamp_from_name(name: str) -> datetime | None:
    """The terminal's local timestamp in the file name (last `_yyyyMMddHHmmss`), if valid."""
    found = _NAME_TIMESTAMP.findall(name)
    if not found:
        return None
    try:
        return datetime.strptime(found[-1], "%Y%m%d%H%M%S")
    except ValueError:
        return None


def parse_yyyymmdd(value: str | None) -> date | None:
    """Strict YYYYMMDD: exactly eight ASCII digits forming a real calendar date."""
    if value is None or len(value) != 8 or not value.isascii() or not value.isdigit():
        return None
    try:
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        return None


class EntryStatus(StrEnum):
    AUTO_LINKED = "auto_linked"
    NEEDS_REVIEW = "needs_review"
    NO_MATCH = "no_match"
    LINKED = "linked"
    REJECTED = "rejected"
    ERROR = "error"


#: An entry tied to a patient, by the matcher or by staff.
LINKED_STATUSES = (EntryStatus.AUTO_LINKED.value, EntryStatus.LINKED.value)


class LinkMethod(StrEnum):
    REFERENCE_NUMBER = "reference_number"
    MATCH = "match"
    MANUAL = "manual"


@dataclass(frozen=True)
class Identity:
    """The fields used to find the patient; strings exactly as the terminal sent them."""

    name: str | None = None
    name_kana: str | None = None
    birthdate: str | None = None
    sex: str | None = None
    insurer_number: str | None = None
    insured_card_symbol: str | None = None
    insured_identification_number: str | None = None
    insured_branch_number: str | None = None
    postcode: str | None = None
    address: str | None = None
    reference_number: str | None = None
    name_of_other: str | None = None  # 通称 (NameOfOther): charts are often kept under it
    name_of_other_kana: str | None = None

    def cleaned(self) -> Identity:
        """Empty or blank strings are missing values (`"reference_number": ""` is no 照会番号)."""
        values = {f: getattr(self, f) for f in self.__dataclass_fields__}
        return Identity(**{f: (v if v is not None and v.strip() else None) for f, v in values.items()})


@dataclass(frozen=True)
class QualificationResult:
    """One ResultOfQualificationConfirmation: one CR利用者リスト entry."""

    identity: Identity
    classification: str | None
    details: dict[str, Any] = field(default_factory=dict)
    qualification: str | None = None  # kiosk.core.qualification.Qualification value, None when the file says nothing
    validity: str | None = None  # the file's QualificationValidity code as sent
    notice: str | None = None  # a terminal notice on a successful result (ProcessingResultCode/Message)

    @property
    def is_public_assistance(self) -> bool:
        return self.classification == PUBLIC_ASSISTANCE_CLASSIFICATION


@dataclass(frozen=True)
class FaceDocument:
    """A usable face file: its header facts and one result per ResultOfQualificationConfirmation."""

    encoding: str
    header: dict[str, str]
    results: tuple[QualificationResult, ...]
    warnings: tuple[str, ...] = ()
    encoding_basis: str | None = None  # "bom" | "declared" | "detected": what decided the encoding


@dataclass(frozen=True)
class FaceProblem:
    """Why a face file cannot be used. `maybe_incomplete` means it may still be being written."""

    code: str
    ja: str
    en: str
    maybe_incomplete: bool = False

    @property
    def reason(self) -> str:
        return f"{self.ja} / {self.en}"
