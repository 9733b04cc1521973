"""予約 (appointments): what the registry port offers about them, and how a row of an appointments file reads.

A 再来受付機's main job in most clinics is checking in patients who have a 予約; the back-ends (embedded SQL, ORCA's
appointlstv2, a file exchange) offer them through the registry port (kiosk/core/registry.py). Pure: no I/O here.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum
from typing import Any

from kiosk.core.errors import UketsukeError

CSV_COLUMNS = ("appointment_id", "patient_id", "date", "time", "department_code", "physician_code", "note")


class AppointmentState(StrEnum):
    BOOKED = "booked"
    ARRIVED = "arrived"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


@dataclass(frozen=True)
class Appointment:
    appointment_id: str
    patient_id: str
    day: date
    at: time
    department_code: str | None
    physician_code: str | None
    note: str | None = None
    state: AppointmentState = AppointmentState.BOOKED
    reception_id: str | None = None

    def as_json(self) -> dict[str, Any]:
        """DESIGN.md's `appointments list --json` line."""
        return {"appointment_id": self.appointment_id, "patient_id": self.patient_id, "date": self.day.isoformat(),
                "time": self.at.strftime("%H:%M"), "department_code": self.department_code,
                "physician_code": self.physician_code, "state": self.state.value,
                "reception_id": self.reception_id}  # fmt: skip


def parse_row(values: dict[str, str | None]) -> Appointment | str:
    """One row of an appointments CSV (DESIGN.md: date YYYY-MM-DD, time HH:MM), or why it cannot be used."""
    text = {key: (values.get(key) or "").strip() for key in CSV_COLUMNS}
    if not text["appointment_id"]:
        return "予約番号（appointment_id）がありません / no appointment_id"
    if not text["patient_id"]:
        return "患者番号（patient_id）がありません / no patient_id"
    try:
        day = date.fromisoformat(text["date"])
    except ValueError:
        return f"日付 {text['date']!r} は YYYY-MM-DD ではありません / date is not YYYY-MM-DD"
    try:
        hours, minutes = text["time"].split(":")
        at = time(int(hours), int(minutes))
        if len(minutes) != 2:
            raise ValueError
    except ValueError:
        return f"時刻 {text['time']!r} は HH:MM ではありません / time is not HH:MM"
    return Appointment(text["appointment_id"], text["patient_id"], day, at, text["department_code"] or None,
                       text["physician_code"] or None, text["note"] or None)  # fmt: skip


def rows_from_csv(text: str) -> list[tuple[int, Appointment | str]]:
    """Every data row of an appointments CSV (header with CSV_COLUMNS) with its line: the appointment, or why
    not (a repeated appointment_id is refused, not silently overwritten)."""
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise UketsukeError("csv_columns", f"列がありません: {', '.join(missing)}", f"missing columns: {missing}")
    rows: list[tuple[int, Appointment | str]] = []
    seen: set[str] = set()
    for line, values in enumerate(reader, start=2):
        parsed = parse_row(values)
        if isinstance(parsed, Appointment):
            if parsed.appointment_id in seen:
                parsed = f"予約番号 {parsed.appointment_id} が重複しています / duplicate appointment_id"
            else:
                seen.add(parsed.appointment_id)
        rows.append((line, parsed))
    return rows
