"""Today's 予約 for the reception desk: who has arrived, who has not, who is late — and the clerk's three acts on
one (check in, cancel, no-show), each checked against the clerk's account and audited with the change.

A clerk's check-in is a person deciding, so the kiosk's window does not apply: a late patient is received at the
counter against their appointment. It goes through the same reception rule as every other path (one reception a
day per 診療科 visit: reception.todays_visit).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from kiosk.core.appointments import Appointment, AppointmentState
from kiosk.core.check_in import minutes_late
from kiosk.core.clock import Clock
from kiosk.core.errors import UketsukeError
from kiosk.core.registry import Reception, ReceptionRegistry, RegistryError
from kiosk.core.staff_roles import Action, Actor
from kiosk.services.accounts import StaffGate
from kiosk.services.audit import AuditEvent, record
from kiosk.services.reception import register_once

T = TypeVar("T")
DISPLAY_STATES = ("arrived", "waiting", "late", "cancelled", "no_show")  # 来院済 未来院 遅れ 取消 来院せず


@dataclass(frozen=True)
class DeskAppointment:
    appointment: Appointment
    shown: str  # one of DISPLAY_STATES
    number: int | None  # the reception's 受付番号 once arrived


def shown_state(appointment: Appointment, late: bool) -> str:
    if appointment.state is AppointmentState.BOOKED:
        return "late" if late else "waiting"
    return "arrived" if appointment.state is AppointmentState.ARRIVED else appointment.state.value


class AppointmentDesk:
    def __init__(self, sessions: sessionmaker[Session], registry: ReceptionRegistry, clock: Clock) -> None:
        self.sessions = sessions
        self.registry = registry
        self.clock = clock
        self.gate = StaffGate(sessions, clock)

    def today(self) -> list[DeskAppointment]:
        """The day's appointments in time order, each with its display state and 受付番号."""
        now = self.clock.now()
        day = now.date()
        numbers = {r.reception_id: r.number for r in self._receptions(day)}
        return [DeskAppointment(a, shown_state(a, minutes_late(a, now) > 0), numbers.get(a.reception_id or ""))
                for a in self._registry(lambda: self.registry.appointments_on(day))]  # fmt: skip

    def check_in(self, appointment_id: str, *, by: Actor) -> Reception:
        self.gate.require(by, Action.APPOINTMENT)
        appointment = self._find(appointment_id)
        day = self.clock.now().date()
        reception, already = self._registry(lambda: register_once(
            self.registry, appointment.patient_id, day, appointment.department_code, f"staff:{appointment_id}",
            None, appointment))  # a patient received already today keeps that reception (one a day)
        self._audit(by, "appointment_check_in", appointment, {"reception_id": reception.reception_id,
                                                              "number": reception.number, "already": already})
        return reception

    def set_state(self, appointment_id: str, state: AppointmentState, *, by: Actor) -> None:
        """取消 or 来院せず (or back to booked); an arrived 予約, or a back-end without the state, refuses it and
        nothing is recorded."""
        self.gate.require(by, Action.APPOINTMENT)
        appointment = self._find(appointment_id)
        self._registry(lambda: self.registry.set_appointment_state(appointment_id, state))
        self._audit(by, f"appointment_{state.value}", appointment, {"state": state.value})

    def _find(self, appointment_id: str) -> Appointment:
        day = self.clock.now().date()
        found = next((a for a in self._registry(lambda: self.registry.appointments_on(day))
                      if a.appointment_id == appointment_id), None)  # fmt: skip
        if found is None:
            raise UketsukeError("unknown_appointment", "本日の予約に見つかりません", "not among today's appointments")
        return found

    def _receptions(self, day: date) -> list[Reception]:
        return self._registry(lambda: self.registry.list_receptions(day))

    def _audit(self, by: Actor, action: str, appointment: Appointment, after: dict[str, object]) -> None:
        before = {"state": appointment.state.value, "time": appointment.at.strftime("%H:%M"),
                  "department": appointment.department_code}  # fmt: skip
        record(self.sessions, AuditEvent(by.login, action, None, appointment.patient_id, before,
                                         {"appointment_id": appointment.appointment_id, **after}),
               self.clock.now())  # fmt: skip

    @staticmethod
    def _registry(work: Callable[[], T]) -> T:
        """A registry refusal is the clerk's message, in both languages."""
        try:
            return work()
        except RegistryError as exc:
            raise UketsukeError(exc.code, exc.ja, exc.en) from None
