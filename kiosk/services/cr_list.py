"""The 顔認証付きCR利用者リスト as staff, the CLI and the kiosk read it."""

from __future__ import annotations

from datetime import date
from typing import Any

from kiosk.store.face_repository import FaceRepository
from kiosk.store.models import CrEntry, FaceFile

IDENTITY_KEYS = (
    "name",
    "name_kana",
    "birthdate",
    "sex",
    "insurer_number",
    "insured_card_symbol",
    "insured_identification_number",
    "insured_branch_number",
    "reference_number",
)


def entry_line(entry: CrEntry, face_file: FaceFile) -> dict[str, Any]:
    """One JSON line exactly as DESIGN.md's CR利用者リスト contract says."""
    line: dict[str, Any] = {
        "entry_id": entry.id,
        "file_name": face_file.file_name,
        "sha256": face_file.sha256,
        "captured_at": entry.captured_at.isoformat(timespec="seconds"),
    }
    for key in IDENTITY_KEYS:
        line[key] = getattr(entry, key)
    line.update(
        status=entry.status,
        patient_id=entry.patient_id,
        link_method=entry.link_method,
        reception_id=entry.reception_id,
        reason=entry.reason,
        qualification=entry.qualification,
        qualification_validity=entry.qualification_validity,
        appointment_id=entry.appointment_id,
    )
    return line


def cr_list(repository: FaceRepository, day: date) -> list[dict[str, Any]]:
    return [entry_line(entry, face_file) for entry, face_file in repository.entries_on(day)]
