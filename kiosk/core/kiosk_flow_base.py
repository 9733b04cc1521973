"""The kiosk flow's shared state and the steps every path ends in (the counter, the departments, the number).

KioskFlow (kiosk_flow.py) is this base plus the face-result steps (kiosk_face_steps.py) and the card steps
(kiosk_card_steps.py); the split keeps each part small enough to read. Pure Python: no Qt, no store.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from kiosk.core.check_in import PlanKind
from kiosk.core.clock import Clock
from kiosk.core.face_binding import FaceBinding
from kiosk.core.kiosk_ports import (
    CardInput,
    DeskRefused,
    DeskUnavailable,
    KioskDesk,
    PrintStatus,
    Slip,
    SlipPrinter,
    Ticket,
)
from kiosk.core.kiosk_states import KioskTimings, Reason, Screen, Visit


class FlowBase:
    def __init__(
        self,
        desk: KioskDesk,
        clock: Clock,
        *,
        cards: CardInput,
        printer: SlipPrinter,
        clinic: str,
        kiosk_id: str = "kiosk-1",
        timings: KioskTimings | None = None,
        mynumber_reader: bool = False,
        default_language: str = "ja",
        name_on_slip: bool = False,
        face_binding: FaceBinding = FaceBinding.BIRTHDATE,
    ) -> None:
        self.desk = desk
        self.clock = clock
        self.cards = cards
        self.printer = printer
        self.clinic = clinic
        self.kiosk_id = kiosk_id
        self.timings = timings or KioskTimings()
        self.mynumber_reader = mynumber_reader
        self.default_language = default_language
        self.name_on_slip = name_on_slip
        self.face_binding = face_binding
        self.screen = Screen.WELCOME
        self.visit = self._new_visit()
        self.last_touch = clock.now()
        self.warning_until: datetime | None = None
        self._health_check_at: datetime | None = None
        self._unreleased: tuple[int, str] | None = None  # a claim an outage kept us from giving back
        self._listeners: list[Callable[[], None]] = []

    def subscribe(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in self._listeners:
            listener()

    def _go(self, screen: Screen, *, deadline: timedelta | None = None) -> None:
        self.screen = screen
        self.visit.notice = None
        self.visit.deadline = self.clock.now() + deadline if deadline is not None else None
        self._changed()

    def _new_visit(self) -> Visit:
        return Visit(session_id=f"{self.kiosk_id}-{uuid.uuid4().hex[:12]}", started_at=self.clock.now(),
                     language=self.default_language)  # fmt: skip

    def _remaining(self) -> timedelta | None:
        """A screen's own deadline survives a detour through 係員を呼ぶ."""
        deadline = self.visit.deadline
        return None if deadline is None else max(deadline - self.clock.now(), timedelta(0))

    def _expired(self, now: datetime) -> bool:
        return self.visit.deadline is not None and now >= self.visit.deadline

    def _guard(self, step: Callable[[], None]) -> None:
        try:
            step()
        except DeskUnavailable:
            visit = self.visit
            if visit.face is not None and visit.ticket is None:
                self._unreleased = (visit.face.face_file_id, visit.session_id)  # given back once the desk is back
            self.visit = self._new_visit()
            self._health_check_at = self.clock.now() + self.timings.health_retry
            self._go(Screen.UNAVAILABLE)
        except DeskRefused:
            self._counter(Reason.REGISTRY)

    def _counter(self, reason: Reason) -> None:
        """The one error screen: go to the counter; staff are alerted and can clear it from the console."""
        self.visit.reason = reason
        face_id = self.visit.face.face_file_id if self.visit.face else None
        patient_id = self.visit.patient.patient_id if self.visit.patient else None
        try:
            self.visit.alert_id = self.desk.alert(reason.value, self.visit.session_id, face_id, patient_id)
        except DeskUnavailable:
            self.visit.alert_id = None
        if self.visit.card is not None:
            self.cards.answer(self.visit.card, None)
            self.visit.card = None
        self._go(Screen.COUNTER)

    def reset(self) -> None:
        """End the session: release what it held and forget every patient detail."""
        if self.screen is not Screen.UNAVAILABLE:
            self._release_held()
            with contextlib.suppress(DeskUnavailable, DeskRefused):  # staff then clear the alert by hand
                self.desk.session_ended(self.visit.session_id, self.visit.ticket is not None)
        self.cards.discard()
        self.visit = self._new_visit()
        self.warning_until = None
        self.last_touch = self.clock.now()
        self._go(Screen.WELCOME)

    def _release_held(self) -> None:
        """Give back the face result this session claimed but did not use — and, after an outage, the one the
        interrupted session held (otherwise that result would stay hidden from every kiosk all day)."""
        visit = self.visit
        held = [(visit.face.face_file_id, visit.session_id)] if visit.face is not None and visit.ticket is None else []
        if self._unreleased is not None:
            held.append(self._unreleased)
        for face_file_id, session_id in held:
            with contextlib.suppress(DeskUnavailable, DeskRefused):
                self.desk.release(face_file_id, session_id)
                if (face_file_id, session_id) == self._unreleased:
                    self._unreleased = None

    def _choose_department(self) -> None:
        visit = self.visit
        assert visit.patient is not None
        face_id = visit.face.face_file_id if visit.face is not None else None
        earlier = self.desk.already_received(visit.patient.patient_id, face_id)
        if earlier is not None:
            self._finish(earlier)  # 本日はすでに受付しています, before any department is asked
            return
        plan = self.desk.check_in(visit.patient.patient_id)
        if plan.kind is PlanKind.ONE:  # 予約受付: the appointment's 診療科, no question asked
            visit.appointment = plan.appointments[0]
            self._register()
            return
        if plan.kind is PlanKind.CHOOSE:
            visit.appointments = list(plan.appointments)
            self._go(Screen.APPOINTMENT)
            return
        if plan.kind in (PlanKind.TOO_EARLY, PlanKind.TOO_LATE):
            self._counter(Reason.APPOINTMENT_EARLY if plan.kind is PlanKind.TOO_EARLY else Reason.APPOINTMENT_LATE)
            return
        self.visit.departments = self.desk.departments()
        if len(self.visit.departments) > 1:
            self._go(Screen.DEPARTMENT)
            return
        self.visit.department = self.visit.departments[0] if self.visit.departments else None
        self._go(Screen.CONFIRM)

    def _register(self) -> None:
        visit = self.visit
        assert visit.patient is not None
        face_id = visit.face.face_file_id if visit.face is not None else None
        key = f"face:{face_id}" if face_id is not None else f"kiosk:{visit.session_id}"
        appointment_id = visit.appointment.appointment_id if visit.appointment is not None else None
        self._finish(self.desk.register(visit.patient.patient_id, visit.department, key, face_id, appointment_id))

    def _finish(self, ticket: Ticket) -> None:
        """The number is known: tell the device, print the slip, and ask for the card back before the number."""
        visit = self.visit
        assert visit.patient is not None
        face_id = visit.face.face_file_id if visit.face is not None else None
        visit.ticket = ticket
        if visit.card is not None:
            self.cards.answer(visit.card, ticket)
            visit.card = None
        name = visit.patient.name if self.name_on_slip else None
        booked = f"ご予約 {ticket.appointment_at}" if ticket.appointment_at else None
        visit.printed = self.printer.print_slip(
            Slip(self.clinic, ticket.number, self.clock.now(), ticket.department, name, note=booked)
        )
        if visit.printed in (PrintStatus.PAPER_OUT, PrintStatus.OFFLINE):
            visit.alert_id = self.desk.alert(Reason.PRINTER.value, visit.session_id, face_id,
                                             visit.patient.patient_id)  # fmt: skip
        if visit.card_on_reader and visit.path in ("card", "mynumber"):
            self._go(Screen.TAKE_CARD, deadline=self.timings.take_card)
        else:
            self._go(Screen.DONE, deadline=self.timings.done_return)

    def _card_left(self) -> None:
        """Nobody took the card: the number is shown anyway and staff are told a card lies on the reader."""
        visit = self.visit
        patient_id = visit.patient.patient_id if visit.patient else None
        self.desk.alert(Reason.CARD_LEFT.value, visit.session_id, None, patient_id)
        self._go(Screen.DONE, deadline=self.timings.done_return)

    def start(self) -> None:
        if self.screen is not Screen.WELCOME:
            return
        language, large = self.visit.language, self.visit.large_text
        self.visit = self._new_visit()
        self.visit.language, self.visit.large_text = language, large
        self.touch()
        self._go(Screen.METHOD)

    def touch(self) -> None:
        """Any tap: the patient is still there."""
        self.last_touch = self.clock.now()
        if self.warning_until is not None:
            self.warning_until = None
            self._changed()
