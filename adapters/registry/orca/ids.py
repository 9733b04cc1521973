"""ORCA's numbers as it answers them, and the ids we make of them."""

from __future__ import annotations

from datetime import date


def iso_date(text: str | None) -> date | None:
    """ORCA's YYYY-MM-DD, or None for blank or malformed (migrated records may have either)."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def reception_id(day: date, number: int) -> str:
    """ORCA's Acceptance_Id counts per day, so the day is part of our reception id."""
    return f"{day:%Y%m%d}-{number}"


def same_patient_number(answered: str, asked: str) -> bool:
    """ORCA pads a numeric 患者番号 to the clinic's 患者番号構成 (`id=1233` answers `01233`), so a 診察券 printed
    without the zeros still finds its chart; an alphanumeric number (自由構成) must match exactly
    (research recept-adapters.md: Value formats; ORCA API patientget.html)."""
    if answered == asked:
        return True
    return answered.isdigit() and asked.isdigit() and answered.lstrip("0") == asked.lstrip("0") != ""
