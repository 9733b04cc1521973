"""予約受付 without the kiosk (`[reception] register_on_link`): a linked face result is received against the
patient's one appointment in its window; several, or one not yet due, are left for a person."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from kiosk.bootstrap import Store
from kiosk.core.appointments import Appointment, AppointmentState, rows_from_csv
from kiosk.core.clock import FixedClock, SteppingClock
from kiosk.services.cr_list import cr_list
from kiosk.services.reception import ReceptionService, register_once
from kiosk.services.registry_import import import_csv
from kiosk.settings import Settings
from kiosk.store.models import AuditRecord
from tests.conftest import FIXTURES
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


def test_two_paths_checking_in_one_appointment_at_once_make_one_reception(store: Store) -> None:
    """A kiosk and the 再来受付機 at the same second (SQLite and PostgreSQL): one reception, both answered with it."""
    import_csv(store.sessions, FIXTURES / "registry" / "qualification_cases.csv")
    book(store, ("Y-1", "12:30", "02"))
    (appointment,) = store.registry.appointments_of("3001", DAY.date())
    start = threading.Barrier(2)
    answers: list[tuple[str, bool]] = []

    def path(key: str) -> None:
        start.wait()
        reception, already = register_once(store.registry, "3001", DAY.date(), None, key, None, appointment)
        answers.append((reception.reception_id, already))

    workers = [threading.Thread(target=path, args=(key,)) for key in ("kiosk:a", "serial:b")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(20)
    (reception,) = store.registry.list_receptions(DAY.date())
    assert sorted(answers) == sorted([(reception.reception_id, False), (reception.reception_id, True)])
