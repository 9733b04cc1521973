"""予約 through ORCA as its API pages document it: lists that are cut (20) rather than empty, 来院済 made
elsewhere, and a WebORCA that closes the write routes."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from adapters.registry.orca.registry import OrcaRegistry
from kiosk.core.appointments import AppointmentState
from kiosk.core.registry import RegistryError
from tests.simulators.orca_double import OrcaDouble

TODAY = date.today()


def test_a_patients_list_cut_at_50_falls_back_to_the_days_list(double: OrcaDouble, orca: OrcaRegistry) -> None:
    """appointlst2v2 lists the latest first and answers 20 beyond its cap: today's may be the ones cut off."""
    double.appointlst2_cap = 3
    double.add_booking("1001", TODAY.isoformat(), "10:30", "02")
    for days in range(1, 5):
        double.add_booking("1001", (TODAY + timedelta(days=days)).isoformat(), "09:00")
    double.add_booking("1002", TODAY.isoformat(), "10:30")
    (found,) = orca.appointments_of("1001", TODAY)
    assert (found.at, found.department_code, found.patient_id) == (time(10, 30), "02", "1001")
    assert ("POST", "/api01rv2/appointlstv2") in double.calls  # asked for the day, filtered to the patient


def test_a_day_of_500_or_more_is_narrowed_by_physician(double: OrcaDouble, orca: OrcaRegistry) -> None:
    double.masters["physicians"].append({"Code": "10002", "WholeName": "試験　二医師"})
    double.appointlst_cap = 3
    for at in ("09:00", "09:30"):
        double.add_booking("1001", TODAY.isoformat(), at, physician="10001")
    double.add_booking("1002", TODAY.isoformat(), "09:15", physician="10002")
    day = orca.appointments_on(TODAY)
    assert [(a.at.strftime("%H:%M"), a.physician_code) for a in day] == [
        ("09:00", "10001"), ("09:15", "10002"), ("09:30", "10001")]  # fmt: skip
    double.appointlst_cap = 2  # one doctor alone has too many: loud, never a partial list
    with pytest.raises(RegistryError) as failed:
        orca.appointments_on(TODAY)
    assert failed.value.code == "orca_too_many_appointments"


def test_an_arrival_made_at_orca_is_arrived_without_our_reception(double: OrcaDouble, orca: OrcaRegistry) -> None:
    booking = double.add_booking("1001", TODAY.isoformat(), "10:30")
    booking.visited = True  # received at ORCA's own screen
    (found,) = orca.appointments_of("1001", TODAY)
    assert found.state is AppointmentState.ARRIVED and found.reception_id is None
    with pytest.raises(RegistryError) as refused:
        orca.register_reception("1001", TODAY, None, "kiosk:x", None, found)
    assert refused.value.code == "appointment_not_booked"


def test_cancel_is_appointmodv2_and_a_closed_route_says_so(double: OrcaDouble, orca: OrcaRegistry) -> None:
    double.add_booking("1001", TODAY.isoformat(), "10:30")
    double.add_booking("1001", TODAY.isoformat(), "11:30")
    first, second = orca.appointments_of("1001", TODAY)
    orca.set_appointment_state(first.appointment_id, AppointmentState.CANCELLED)
    assert [a.at for a in orca.appointments_of("1001", TODAY)] == [time(11, 30)]
    double.writes_closed = True  # WebORCA's trial server: HTTP 405 on the write routes
    with pytest.raises(RegistryError) as closed:
        orca.set_appointment_state(second.appointment_id, AppointmentState.CANCELLED)
    assert closed.value.code == "orca_http_405" and closed.value.ja
    assert len(orca.appointments_of("1001", TODAY)) == 1


def test_orca_numbers_may_be_padded_and_ids_are_ours(double: OrcaDouble, orca: OrcaRegistry) -> None:
    """The same ORCA Appointment_Id on two days or for two patients is two appointments here."""
    double.add_booking("1001", TODAY.isoformat(), "10:30")
    double.add_booking("1002", TODAY.isoformat(), "10:30")
    double.bookings[1].appointment_id = double.bookings[0].appointment_id
    ids = {a.appointment_id for a in orca.appointments_on(TODAY)}
    assert len(ids) == 2
    mine = orca.appointments_of("1001", TODAY)[0]
    result = orca.register_reception("1001", TODAY, None, "kiosk:y", None, mine)
    assert result.reception.appointment_id == mine.appointment_id
    states = {a.patient_id: a.state for a in orca.appointments_on(TODAY)}
    assert states == {"1001": AppointmentState.ARRIVED, "1002": AppointmentState.BOOKED}
