"""The reception half of the kiosk desk: the departments, a reception already made today, the 予約 question, and
registering the visit once (against the appointment the patient was offered, or 予約外), with the face result's
entries marked and the kiosk's audit record in the same transaction."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.core.appointments import Appointment
from kiosk.core.check_in import checked_in_against
from kiosk.core.kiosk_ports import BookedVisit, CheckIn, DeskRefused, Ticket
from kiosk.core.qualification import Qualification
from kiosk.core.registry import Department, Insurance, Reception
from kiosk.services.audit import AuditEvent, append
from kiosk.services.kiosk_desk_base import DeskBase, log
from kiosk.services.reception import (
    LINKED,
    insurance_of,
    mark_received,
    reception_event,
    register_once,
    todays_reception,
    todays_visit,
)
from kiosk.store.models import CrEntry, DailyNumber, KioskClaim


class DeskReception(DeskBase):
    def departments(self) -> list[Department]:
        with self._reachable():
            return self.registry.departments()

    def already_received(self, patient_id: str, face_file_id: int | None) -> Ticket | None:
        """None also when the patient's 予約 now due is in another 診療科 than this morning's reception: that is
        another visit, and check_in offers it."""
        now = self.clock.now()
        with self._reachable():
            earlier = todays_reception(self.registry, patient_id, now.date())  # a first visit: no 予約 asked here
            if earlier is not None:
                earlier = todays_visit(self.registry, patient_id, now, self.window).earlier
        if earlier is None:
            return None
        if face_file_id is not None:
            self._mark_received(face_file_id, earlier)
        log.info("kiosk_already_received", number=earlier.number, face_file_id=face_file_id)
        return self._ticket(earlier, already=True)

    def _ticket(self, reception: Reception, *, already: bool, appointment: Appointment | None = None) -> Ticket:
        names = {d.code: d.name for d in self.departments()}
        return Ticket(reception.number, names.get(reception.department or "", reception.department),
                      reception.reception_id, already,
                      appointment.at.strftime("%H:%M") if appointment and not already else None)  # fmt: skip

    def check_in(self, patient_id: str) -> CheckIn:
        with self._reachable():
            plan = todays_visit(self.registry, patient_id, self.clock.now(), self.window).plan
            names = {d.code: d.name for d in self.registry.departments()} if plan.appointments else {}
        log.info("kiosk_check_in", kind=plan.kind.value, appointments=len(plan.appointments))
        return CheckIn(plan.kind, [BookedVisit(a.appointment_id, a.at.strftime("%H:%M"),
                                               names.get(a.department_code or "", a.department_code))
                                   for a in plan.appointments])  # fmt: skip

    def register(self, patient_id: str, department: Department | None, key: str, face_file_id: int | None,
                 appointment_id: str | None = None) -> Ticket:  # fmt: skip
        now = self.clock.now()
        appointment = None
        with self._reachable():
            if appointment_id is not None:
                visit = todays_visit(self.registry, patient_id, now, self.window)
                appointment = checked_in_against(visit.plan, appointment_id)
                # cancelled or out of its window since it was offered — unless the patient was received meanwhile
                # (another kiosk): then that reception is the answer, as for any second visit
                if appointment is None and visit.earlier is None:
                    raise DeskRefused("appointment_gone")
            reception, already = register_once(self.registry, patient_id, now.date(),
                                               department.code if department else None, key,
                                               self._insurance(face_file_id), appointment)  # fmt: skip
        event = reception_event(self.actor, None, patient_id, reception, already=already)
        self._mark_received(face_file_id, reception, audit=event)
        log.info("kiosk_reception", number=reception.number, already=already, face_file_id=face_file_id,
                 appointment=appointment is not None)  # fmt: skip
        return self._ticket(reception, already=already, appointment=appointment)

    def _insurance(self, face_file_id: int | None) -> Insurance | None:
        """The insurance the face result carried (the first linked result), so the registry uses that one."""
        if face_file_id is None:
            return None

        def work(session: Session) -> Insurance | None:
            entry = session.scalars(
                select(CrEntry).where(CrEntry.face_file_id == face_file_id, CrEntry.status.in_(LINKED),
                                      CrEntry.qualification == Qualification.VALID.value)
                .order_by(CrEntry.result_index).limit(1)
            ).first()  # fmt: skip
            return insurance_of(entry) if entry is not None else None

        return self._read(work)

    def _mark_received(self, face_file_id: int | None, reception: Reception, *,
                       audit: AuditEvent | None = None) -> None:  # fmt: skip
        """The file's entries carry the reception and its claim is done; `audit` (the kiosk's reception) is
        recorded in the same transaction, on the file's first entry."""
        now = self.clock.now()

        def work(session: Session) -> None:
            if face_file_id is not None:
                mark_received(session, face_file_id, reception, now)
                session.execute(update(KioskClaim).where(KioskClaim.face_file_id == face_file_id)
                                .values(state="done", updated_at=now))  # fmt: skip
            if audit is not None:
                append(session, replace(audit, entry_id=self._first_entry(session, face_file_id)), now)

        self._write(work)

    def counter_number(self) -> int:
        return self.next_number("counter", self.clock.now().date())

    def next_number(self, series: str, day: date) -> int:
        def work(session: Session) -> int:
            row = session.get(DailyNumber, (series, day), with_for_update=True)
            if row is None:
                session.add(DailyNumber(series=series, day=day, last=1))
                return 1
            row.last += 1
            return row.last

        try:
            return self._write(work)
        except IntegrityError:
            return self._write(work)  # two kiosks created the day's row at once; the retry increments it
