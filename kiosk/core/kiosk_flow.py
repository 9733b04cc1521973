"""The patient kiosk as a pure state machine: screens, the patient's visit, and every transition.

The Qt window only renders `flow.screen` / `flow.visit` and forwards taps; timers run through `tick()`,
which the window calls a few times a second. Nothing here blocks: card reads happen in the readers'
own threads and arrive as events. Any failure ends on one screen, "受付窓口へお越しください", with a
reason code and a staff alert; a lost store shows "ただいま受付できません" until it is back.
"""

from __future__ import annotations

from datetime import date, datetime

from kiosk.core.face_binding import FaceBinding
from kiosk.core.kiosk_card_steps import CardSteps
from kiosk.core.kiosk_face_steps import FaceSteps
from kiosk.core.kiosk_ports import DeskUnavailable, Slip
from kiosk.core.kiosk_states import ERROR_SCREENS, IDLE_SCREENS, KioskTimings, Reason, Screen, Visit

__all__ = ["FaceBinding", "KioskFlow", "KioskTimings", "Reason", "Screen", "Visit"]


class KioskFlow(FaceSteps, CardSteps):
    """The patient's taps (public methods) and time (tick); the steps live in the base classes."""

    @property
    def idle_warning(self) -> bool:
        return self.warning_until is not None

    def seconds_left(self) -> int:
        """The idle warning's countdown, for the overlay."""
        if self.warning_until is None:
            return 0
        return max(0, int((self.warning_until - self.clock.now()).total_seconds() + 0.999))

    def set_language(self, language: str) -> None:
        self.visit.language = language
        self._changed()

    def toggle_large_text(self) -> None:
        """文字を大きく: for this patient only; the next session starts at the normal size."""
        self.visit.large_text = not self.visit.large_text
        self._changed()

    def choose_face(self) -> None:
        self.visit.path = "face"
        self.visit.asked_at = self.clock.now()
        self._go(Screen.FACE_WAIT, deadline=self.timings.face_window)
        self._guard(self._look_for_face)

    def choose_card(self) -> None:
        self.visit.path = "card"
        self._go(Screen.CARD_WAIT)

    def choose_mynumber_card(self) -> None:
        self.visit.path = "mynumber"
        self._go(Screen.CARD_WAIT)

    def choose_first_visit(self) -> None:
        self.visit.path = "first"
        self._guard(self._first_visit)

    def birthdate_entered(self, day: date) -> None:
        if self.screen is not Screen.PICK_BIRTHDATE:
            return
        self._guard(lambda: self._pick_by_birthdate(day))

    def birthdate_impossible(self) -> None:
        """決定 on a date that does not exist (昭和99年13月40日): say so, keep the screen."""
        if self.screen is Screen.PICK_BIRTHDATE:
            self.visit.notice = "birth.impossible"
            self._changed()

    def confirm_person(self, yes: bool) -> None:
        if self.screen is not Screen.CONFIRM_PERSON or self.visit.face is None:
            return
        self._guard(lambda: self._confirmed(yes))

    def pin_entered(self, pin: str) -> None:
        """The PIN goes straight to the card reader; it is never kept in the visit."""
        if self.screen is not Screen.PIN_ENTRY:
            return
        self.cards.read_mynumber(pin)
        self._go(Screen.READING, deadline=self.timings.reading)

    def accept_reference(self, yes: bool) -> None:
        if self.screen is not Screen.OFFER_REFERENCE:
            return

        def run() -> None:
            offer, patient = self.visit.offer, self.visit.patient
            if yes and offer is not None and patient is not None:
                self.desk.link_face_result(offer.face_file_id, patient.patient_id, self.visit.session_id)
                self.visit.face = offer
            self.visit.offer = None
            self._choose_department()

        self._guard(run)

    def choose_appointment(self, appointment_id: str) -> None:
        if self.screen is not Screen.APPOINTMENT:
            return
        self.visit.appointment = next((a for a in self.visit.appointments if a.appointment_id == appointment_id), None)
        if self.visit.appointment is not None:
            self._guard(self._register)

    def choose_department(self, code: str) -> None:
        if self.screen is not Screen.DEPARTMENT:
            return
        self.visit.department = next((d for d in self.visit.departments if d.code == code), None)
        if self.visit.department is not None:
            self._go(Screen.CONFIRM)

    def confirm_reception(self) -> None:
        if self.screen is not Screen.CONFIRM:
            return
        self._guard(self._register)

    def back(self) -> None:
        """もどる: one step back — from the confirmation to the departments, from 係員を呼びました to where the
        patient was."""
        if self.screen is Screen.CONFIRM and len(self.visit.departments) > 1:
            self.visit.department = None
            self._go(Screen.DEPARTMENT)
        elif self.screen is Screen.STAFF_CALLED and self.visit.back_to is not None:
            back_to, self.visit.back_to = self.visit.back_to, None
            self._go(back_to, deadline=self._remaining())

    def call_staff(self) -> None:
        """係員を呼ぶ: staff are alerted (once until they clear it) and the patient is told someone is coming."""
        if self.screen in (Screen.UNAVAILABLE, Screen.STAFF_CALLED):
            return
        visit = self.visit
        face_id = visit.face.face_file_id if visit.face else None
        patient_id = visit.patient.patient_id if visit.patient else None

        def run() -> None:
            if visit.call_id is None or not self.desk.alert_open(visit.call_id):
                visit.call_id = self.desk.alert(Reason.CALLED.value, visit.session_id, face_id, patient_id)
            visit.back_to = None if self.screen in ERROR_SCREENS or self.screen is Screen.WELCOME else self.screen
            self._go(Screen.STAFF_CALLED, deadline=self._remaining())

        self._guard(run)

    def cancel(self) -> None:
        """やめる / 最初にもどる: back to the start, wiping everything."""
        self.reset()

    def tick(self) -> None:
        now = self.clock.now()
        if self.screen is Screen.UNAVAILABLE:
            if self._health_check_at is None or now >= self._health_check_at:
                self._health_check_at = now + self.timings.health_retry
                try:
                    healthy = self.desk.healthy()
                except DeskUnavailable:
                    healthy = False
                if healthy:
                    self._release_held()
                    self.reset()
            return
        if self._idle(now):
            return
        event = self.cards.poll()
        if event is not None:
            self._guard(lambda: self._card_event(event))
            return
        if self.screen in (Screen.FACE_WAIT, Screen.PICK_BIRTHDATE):
            self._guard(self._look_for_face)
        elif self.screen is Screen.CHECKING:
            self._guard(self._check_link)
        elif self.screen is Screen.DONE and self._expired(now):
            self.reset()
        elif self.screen is Screen.TAKE_CARD and self._expired(now):
            self._guard(self._card_left)
        elif self.screen is Screen.READING and self._expired(now):
            self.cards.discard()  # a late answer from the reader belongs to no one now
            self._guard(lambda: self._counter(Reason.CARD_UNREADABLE))
        elif self.screen in ERROR_SCREENS and self.visit.alert_id is not None:
            alert_id = self.visit.alert_id
            self._guard(lambda: None if self.desk.alert_open(alert_id) else self.reset())
        elif self.screen is Screen.STAFF_CALLED and self.visit.call_id is not None:
            call_id = self.visit.call_id
            self._guard(lambda: None if self.desk.alert_open(call_id) else self.reset())

    def _idle(self, now: datetime) -> bool:
        if self.screen not in IDLE_SCREENS:
            self.warning_until = None
            return False
        if self.warning_until is not None:
            if now >= self.warning_until:
                self.reset()
            else:
                self._changed()  # the countdown moved
            return True
        if now - self.last_touch >= self.timings.idle:
            self.warning_until = now + self.timings.idle_warning
            self._changed()
            return True
        return False

    def _first_visit(self) -> None:
        visit = self.visit
        visit.counter_number = self.desk.counter_number()
        visit.reason = Reason.FIRST_VISIT
        visit.alert_id = self.desk.alert(Reason.FIRST_VISIT.value, visit.session_id)
        visit.printed = self.printer.print_slip(
            Slip(self.clinic, visit.counter_number, self.clock.now(), note="受付窓口へお越しください")
        )
        self._go(Screen.FIRST_VISIT)
