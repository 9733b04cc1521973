"""予約受付 without the kiosk (`[reception] register_on_link`): a linked face result is received against the
patient's one appointment in its window; several, or one not yet due, are left for a person."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from kiosk.bootstrap import Store
from kiosk.core.appointments import Appointment, AppointmentState, rows_from_csv
from kiosk.core.clock import FixedClock, SteppingClock
from kiosk.services.cr_list import cr_list
from kiosk.services.reception import ReceptionService
from kiosk.settings import Settings
from kiosk.store.models import AuditRecord
from tests.kiosk.services.test_qualification import DAY, linked_entry


def book(store: Store, *rows: tuple[str, str, str]) -> None:
    lines = ["appointment_id,patient_id,date,time,department_code,physician_code,note"]
    lines += [f"{aid},3001,{DAY.date().isoformat()},{at},{dept},D7," for aid, at, dept in rows]
    store.registry.book.import_rows(rows_from_csv("\n".join(lines)))


def receive(store: Store, when: datetime = DAY) -> int:
    return ReceptionService(store.sessions, store.registry, FixedClock(when), department="01").register_linked()


def test_a_linked_result_is_received_against_the_appointment(settings: Settings, store: Store,
                                                              face_dir: Path) -> None:  # fmt: skip
    book(store, ("Y-1", "12:30", "02"))
    linked_entry(settings, store, face_dir)
    assert receive(store) == 1
    (reception,) = store.registry.list_receptions(DAY.date())
    assert (reception.department, reception.appointment_id, reception.physician_code) == ("02", "Y-1", "D7")
    (appointment,) = store.registry.appointments_of("3001", DAY.date())
    assert appointment.state is AppointmentState.ARRIVED and appointment.reception_id == reception.reception_id
    (line,) = cr_list(store.faces, DAY.date())
    assert line["appointment_id"] == "Y-1" and line["reception_id"] == reception.reception_id
    with store.sessions() as session:
        audited = [r.after or {} for r in session.scalars(
            select(AuditRecord).where(AuditRecord.action == "reception"))]  # fmt: skip
    assert [a.get("appointment_id") for a in audited] == ["Y-1"]


def test_several_appointments_are_left_for_staff(settings: Settings, store: Store, face_dir: Path) -> None:
    book(store, ("Y-1", "12:30", "01"), ("Y-2", "13:00", "02"))
    linked_entry(settings, store, face_dir)
    assert receive(store) == 0 and receive(store) == 0
    assert store.registry.list_receptions(DAY.date()) == []
    (line,) = cr_list(store.faces, DAY.date())
    assert line["reception_id"] is None and line["appointment_id"] is None


def test_an_early_patient_is_received_once_the_window_opens(settings: Settings, store: Store,
                                                           face_dir: Path) -> None:  # fmt: skip
    book(store, ("Y-1", "15:00", "02"))  # three hours ahead; the window opens two hours before
    linked_entry(settings, store, face_dir)
    assert receive(store) == 0 and store.registry.list_receptions(DAY.date()) == []
    assert receive(store, DAY + timedelta(hours=1, minutes=5)) == 1
    (reception,) = store.registry.list_receptions(DAY.date())
    assert reception.appointment_id == "Y-1" and reception.department == "02"


def test_without_appointments_the_configured_department_is_used(settings: Settings, store: Store,
                                                                 face_dir: Path) -> None:  # fmt: skip
    linked_entry(settings, store, face_dir)
    assert receive(store) == 1
    (reception,) = store.registry.list_receptions(DAY.date())
    assert (reception.department, reception.appointment_id) == ("01", None)


def test_an_entry_left_for_staff_is_looked_at_again_once_a_minute(settings: Settings, store: Store,
                                                                  face_dir: Path) -> None:  # fmt: skip
    """The agent passes every second; the registry (ORCA is a server) is asked about a left entry once a minute."""
    book(store, ("Y-1", "15:00", "02"))
    linked_entry(settings, store, face_dir)
    asked: list[str] = []
    real = store.registry.appointments_of

    def counted(patient_id: str, day: date) -> list[Appointment]:
        asked.append(patient_id)
        return real(patient_id, day)

    store.registry.appointments_of = counted  # type: ignore[method-assign]
    clock = SteppingClock(DAY)
    service = ReceptionService(store.sessions, store.registry, clock, department="01")
    assert service.register_linked() == 0 and len(asked) == 1
    for _second in range(30):
        clock.advance(1)
        assert service.register_linked() == 0
    assert len(asked) == 1
    clock.moment = DAY + timedelta(hours=1, minutes=1)  # the window has opened
    assert service.register_linked() == 1 and len(asked) >= 2
