"""予約 through the registry port: the same contract for the embedded registry (SQLite and PostgreSQL), ORCA (both
wire formats) and file exchange. ORCA numbers its own appointments, so the tests find them by patient and time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time, timedelta

import pytest

from kiosk.bootstrap import Store
from kiosk.core.appointments import Appointment, AppointmentState
from kiosk.core.registry import ReceptionRegistry, RegistryError
from tests.adapters.registry.test_registry_contract import BACKENDS, Booking

TODAY = date.today()
BOOKINGS: list[Booking] = [
    ("1131", TODAY, "10:30", "01", "10001"),
    ("1131", TODAY, "14:00", "02", "10001"),
    ("1001", TODAY, "09:15", "02", "10001"),
    ("1001", TODAY + timedelta(days=1), "09:15", "01", "10001"),  # tomorrow: not today's
]


@pytest.fixture(params=sorted(BACKENDS))
def booked(request: pytest.FixtureRequest, store: Store) -> Iterator[ReceptionRegistry]:
    with BACKENDS[request.param](store, BOOKINGS) as backend:
        yield backend


def at(registry: ReceptionRegistry, patient_id: str, hhmm: str) -> Appointment:
    (found,) = [a for a in registry.appointments_of(patient_id, TODAY) if a.at == time.fromisoformat(hhmm)]
    return found


def test_a_days_book_and_a_patients_day(booked: ReceptionRegistry) -> None:
    day = booked.appointments_on(TODAY)
    assert [(a.patient_id, a.at.strftime("%H:%M"), a.department_code) for a in day] == [
        ("1001", "09:15", "02"), ("1131", "10:30", "01"), ("1131", "14:00", "02")]  # fmt: skip
    assert all(a.state is AppointmentState.BOOKED and a.reception_id is None for a in day)
    assert len({a.appointment_id for a in day}) == 3
    mine = booked.appointments_of("1131", TODAY)
    assert [a.at for a in mine] == [time(10, 30), time(14)]
    assert all(a.physician_code == "10001" and a.day == TODAY for a in mine)
    assert [a.day for a in booked.appointments_of("1001", TODAY)] == [TODAY]  # tomorrow's is not today's
    assert booked.appointments_of("1002", TODAY) == []
    assert booked.appointments_of("nonexistent", TODAY) == []


def test_checking_in_takes_the_appointments_department_and_marks_it_arrived(booked: ReceptionRegistry) -> None:
    appointment = at(booked, "1131", "14:00")
    result = booked.register_reception("1131", TODAY, "01", "kiosk:appt-1", None, appointment)
    reception = result.reception
    assert result.status == "registered"
    assert reception.department == "02"  # the appointment's, not the one the caller had in mind
    assert reception.appointment_id == appointment.appointment_id
    assert reception.physician_code == "10001"
    arrived = at(booked, "1131", "14:00")
    assert arrived.state is AppointmentState.ARRIVED
    assert arrived.reception_id == reception.reception_id
    assert at(booked, "1131", "10:30").state is AppointmentState.BOOKED  # the other one is untouched
    again = booked.register_reception("1131", TODAY, "01", "kiosk:appt-1", None, appointment)
    assert again.status == "duplicate" and again.reception.reception_id == reception.reception_id


def test_an_appointment_is_checked_in_against_once(booked: ReceptionRegistry) -> None:
    appointment = at(booked, "1131", "10:30")
    booked.register_reception("1131", TODAY, None, "first", None, appointment)
    count = len(booked.list_receptions(TODAY))
    with pytest.raises(RegistryError) as refused:
        booked.register_reception("1131", TODAY, None, "second", None, appointment)
    assert refused.value.code == "appointment_not_booked"
    assert len(booked.list_receptions(TODAY)) == count  # nothing was registered


def test_another_patients_appointment_is_never_used(booked: ReceptionRegistry) -> None:
    theirs = at(booked, "1001", "09:15")
    with pytest.raises(RegistryError) as refused:
        booked.register_reception("1131", TODAY, None, "wrong", None, theirs)
    assert refused.value.code in ("appointment_of_another_patient", "unknown_appointment")
    assert booked.list_receptions(TODAY) == []
    assert at(booked, "1001", "09:15").state is AppointmentState.BOOKED


def test_a_walk_in_reception_carries_no_appointment(booked: ReceptionRegistry) -> None:
    reception = booked.register_reception("1002", TODAY, "01", "walk-in").reception
    assert reception.appointment_id is None
    assert all(a.state is AppointmentState.BOOKED for a in booked.appointments_on(TODAY))


def test_staff_cancel_and_no_show(booked: ReceptionRegistry) -> None:
    """Cancelled: no longer booked anywhere. No-show: kept where the back-end can, refused (never faked) where
    it cannot (ORCA has no such state)."""
    cancelled = at(booked, "1131", "10:30")
    booked.set_appointment_state(cancelled.appointment_id, AppointmentState.CANCELLED)
    still = {a.appointment_id: a.state for a in booked.appointments_on(TODAY)}
    assert still.get(cancelled.appointment_id, AppointmentState.CANCELLED) is AppointmentState.CANCELLED
    with pytest.raises(RegistryError):
        booked.register_reception("1131", TODAY, None, "after-cancel", None, cancelled)
    absent = at(booked, "1001", "09:15")
    try:
        booked.set_appointment_state(absent.appointment_id, AppointmentState.NO_SHOW)
    except RegistryError as refused:
        assert refused.code == "orca_appointment_state" and "来院せず" in refused.ja
        assert at(booked, "1001", "09:15").state is AppointmentState.BOOKED
    else:
        assert at(booked, "1001", "09:15").state is AppointmentState.NO_SHOW


def test_an_arrived_appointment_is_not_changed(booked: ReceptionRegistry) -> None:
    """Every back-end: the arrival came with a reception; a clerk's cancel is refused, the reception is what goes."""
    appointment = at(booked, "1131", "10:30")
    booked.register_reception("1131", TODAY, None, "kiosk:arrive", None, appointment)
    with pytest.raises(RegistryError) as refused:
        booked.set_appointment_state(appointment.appointment_id, AppointmentState.CANCELLED)
    assert refused.value.code == "appointment_arrived"
    assert at(booked, "1131", "10:30").state is AppointmentState.ARRIVED


def test_a_patients_receptions_of_the_day(booked: ReceptionRegistry) -> None:
    """What every check-in asks: one patient's receptions, in number order, no one else's."""
    first = booked.register_reception("1131", TODAY, "01", "walk-in:1").reception
    booked.register_reception("1002", TODAY, "01", "walk-in:2")
    second = booked.register_reception("1131", TODAY, None, "appt", None, at(booked, "1131", "14:00")).reception
    assert [r.reception_id for r in booked.receptions_of("1131", TODAY)] == [first.reception_id, second.reception_id]
    assert [r.patient_id for r in booked.receptions_of("1002", TODAY)] == ["1002"]
    assert booked.receptions_of("1001", TODAY) == []
