"""A row of the appointments CSV (DESIGN.md: date YYYY-MM-DD, time HH:MM) read or refused with its reason."""

from __future__ import annotations

from datetime import date, time

import pytest

from kiosk.core.appointments import Appointment, AppointmentState, parse_row

ROW = {"appointment_id": "A-1", "patient_id": "0012", "date": "2026-12-02", "time": "10:30", "department_code": "01",
       "physician_code": "10001", "note": ""}  # fmt: skip


def test_a_good_row() -> None:
    parsed = parse_row(ROW)
    assert parsed == Appointment("A-1", "0012", date(2026, 12, 2), time(10, 30), "01", "10001", None)
    assert isinstance(parsed, Appointment) and parsed.state is AppointmentState.BOOKED
    assert parsed.as_json() == {"appointment_id": "A-1", "patient_id": "0012", "date": "2026-12-02", "time": "10:30",
                                "department_code": "01", "physician_code": "10001", "state": "booked",
                                "reception_id": None}  # fmt: skip


@pytest.mark.parametrize(("field", "value", "says"), [
    ("appointment_id", "", "appointment_id"), ("patient_id", " ", "patient_id"), ("date", "2026/12/02", "YYYY-MM-DD"),
    ("date", "R8.12.2", "YYYY-MM-DD"), ("time", "10:3", "HH:MM"), ("time", "25:00", "HH:MM"), ("time", "", "HH:MM"),
])  # fmt: skip
def test_a_bad_row_says_why(field: str, value: str, says: str) -> None:
    parsed = parse_row(ROW | {field: value})
    assert isinstance(parsed, str) and says in parsed


def test_the_patient_number_is_kept_as_written() -> None:
    parsed = parse_row(ROW | {"patient_id": "00012"})
    assert isinstance(parsed, Appointment) and parsed.patient_id == "00012"
