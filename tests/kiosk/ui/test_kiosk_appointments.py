"""予約受付 at the kiosk, end to end (Qt offscreen → flow → desk, locally and through the agent's API → the
embedded registry): one appointment is checked in without a department question, several are the patient's
choice, too late goes to the counter, and an appointment cancelled meanwhile is never used."""

from __future__ import annotations

from datetime import datetime, time

from PySide6.QtWidgets import QLabel
from sqlalchemy import select

from kiosk.core.appointments import AppointmentState, rows_from_csv
from kiosk.core.kiosk_flow import Reason, Screen
from kiosk.store.models import CrEntry, StaffAlert
from tests.kiosk.ui.conftest import TARO, Clinic


def book(clinic: Clinic, *rows: tuple[str, str, str]) -> None:
    """(appointment_id, HH:MM, 診療科) for 試験 太郎 (2001) today, as the clinic's CSV would give them."""
    today = clinic.clock.now().date().isoformat()
    lines = ["appointment_id,patient_id,date,time,department_code,physician_code,note"]
    lines += [f"{aid},2001,{today},{at},{dept},D1," for aid, at, dept in rows]
    report = clinic.store.registry.book.import_rows(rows_from_csv("\n".join(lines)))
    assert report.added == len(rows)


def at_ten(clinic: Clinic) -> None:
    clinic.clock.moment = datetime.combine(clinic.clock.now().date(), time(10, 0))


def to_yes(clinic: Clinic) -> None:
    kiosk = clinic.kiosk()
    clinic.to_face_reader(kiosk, TARO)
    clinic.enter_birthdate(kiosk, TARO.birthdate)
    clinic.tap(kiosk, "btn_yes")


def shown(clinic: Clinic) -> str:
    return "\n".join(clinic.kiosks[0].window.visible_texts())


def test_one_appointment_is_checked_in_without_a_department_question(clinic: Clinic) -> None:
    at_ten(clinic)
    book(clinic, ("Y-1", "10:30", "02"))
    to_yes(clinic)
    assert clinic.kiosks[0].flow.screen is Screen.DONE  # no department screen, no confirmation
    assert "10:30 小児科 のご予約を受け付けました" in shown(clinic)
    (reception,) = clinic.receptions()
    assert (reception.department, reception.appointment_id, reception.physician_code) == ("02", "Y-1", "D1")
    number = clinic.kiosks[0].window.current_page().findChild(QLabel, "ticketNumber")
    assert number is not None and number.text() == str(reception.number)
    (appointment,) = clinic.store.registry.appointments_of("2001", reception.day)
    assert appointment.state is AppointmentState.ARRIVED and appointment.reception_id == reception.reception_id
    with clinic.store.sessions() as session:
        assert set(session.scalars(select(CrEntry.appointment_id))) == {"Y-1"}  # the CR entry is tied to it


def test_several_appointments_are_the_patients_choice(clinic: Clinic) -> None:
    at_ten(clinic)
    book(clinic, ("Y-1", "10:30", "01"), ("Y-2", "11:00", "02"))
    to_yes(clinic)
    kiosk = clinic.kiosks[0]
    assert kiosk.flow.screen is Screen.APPOINTMENT
    text = shown(clinic)
    assert "10:30 内科" in text and "11:00 小児科" in text
    clinic.tap(kiosk, "appt_1")
    assert kiosk.flow.screen is Screen.DONE
    (reception,) = clinic.receptions()
    assert (reception.department, reception.appointment_id) == ("02", "Y-2")
    states = {a.appointment_id: a.state for a in clinic.store.registry.appointments_of("2001", reception.day)}
    assert states == {"Y-1": AppointmentState.BOOKED, "Y-2": AppointmentState.ARRIVED}


def test_too_late_goes_to_the_counter_with_its_reason(clinic: Clinic) -> None:
    at_ten(clinic)
    book(clinic, ("Y-1", "08:30", "01"))  # 90 minutes ago; the window allows 60
    to_yes(clinic)
    kiosk = clinic.kiosks[0]
    assert kiosk.flow.screen is Screen.COUNTER and kiosk.flow.visit.reason is Reason.APPOINTMENT_LATE
    assert "ご予約の 時間を 過ぎているため" in shown(clinic) and "I-APPT-02" in shown(clinic)
    assert clinic.receptions() == []
    with clinic.store.sessions() as session:
        assert "I-APPT-02" in set(session.scalars(select(StaffAlert.code)))


def test_an_appointment_cancelled_while_the_patient_chooses_is_never_used(clinic: Clinic) -> None:
    at_ten(clinic)
    book(clinic, ("Y-1", "10:30", "01"), ("Y-2", "11:00", "02"))
    to_yes(clinic)
    kiosk = clinic.kiosks[0]
    assert kiosk.flow.screen is Screen.APPOINTMENT
    clinic.store.registry.set_appointment_state("Y-2", AppointmentState.CANCELLED)  # staff, at the counter
    clinic.tap(kiosk, "appt_1")
    assert kiosk.flow.screen is Screen.COUNTER and kiosk.flow.visit.reason is Reason.REGISTRY
    assert clinic.receptions() == []


def test_an_appointment_in_another_department_is_another_visit(clinic: Clinic) -> None:
    """A hospital day: 内科 at the counter in the morning, a 小児科 予約 in the afternoon — the kiosk checks the
    afternoon in as its own visit; a 予約 in the morning's 診療科 is that same visit (本日はすでに受付しています)."""
    at_ten(clinic)
    morning = clinic.store.registry.register_reception("2001", clinic.clock.now().date(), "01", "counter:1")
    book(clinic, ("Y-PM", "14:00", "02"), ("Y-SAME", "14:30", "01"))
    clinic.clock.moment = clinic.clock.moment.replace(hour=13, minute=20)
    to_yes(clinic)
    kiosk = clinic.kiosks[0]
    # both are due, but the 内科 one is the morning's visit: only 小児科 is open, and it is checked in at once
    assert kiosk.flow.screen is Screen.DONE and "14:00 小児科 のご予約を受け付けました" in shown(clinic)
    receptions = clinic.receptions()
    assert [(r.department, r.appointment_id) for r in receptions] == [("01", None), ("02", "Y-PM")]
    assert receptions[0].reception_id == morning.reception.reception_id
    kiosk.flow.reset()
    clinic.to_face_reader(kiosk, TARO)
    clinic.enter_birthdate(kiosk, TARO.birthdate)
    clinic.tap(kiosk, "btn_yes")
    # now every due 予約 is covered (Y-SAME by the morning's 内科): the same visit, not a third reception
    assert kiosk.flow.screen is Screen.DONE and kiosk.flow.visit.ticket is not None
    assert kiosk.flow.visit.ticket.already
    assert len(clinic.receptions()) == 2
