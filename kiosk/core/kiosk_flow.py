"""The patient kiosk as a pure state machine: screens, the patient's visit, and every transition.

The Qt window only renders `flow.screen` / `flow.visit` and forwards taps; timers run through `tick()`,
which the window calls a few times a second. Nothing here blocks: card reads happen in the readers'
own threads and arrive as events. Any failure ends on one screen, "受付窓口へお越しください", with a
reason code and a staff alert; a lost store shows "ただいま受付できません" until it is back.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta

from kiosk.core.clock import Clock
from kiosk.core.face_binding import (
    FaceBinding,
    Offer,
    Window,
    offer_for_birthdate,
    offer_without_birthdate,
    window,
)
from kiosk.core.kiosk_ports import (
    CardEvent,
    CardFailure,
    CardIdentity,
    CardInput,
    CardKind,
    CardRead,
    DeskRefused,
    DeskUnavailable,
    FaceResult,
    KioskDesk,
    Link,
    LinkState,
    PatientLabel,
    PrintStatus,
    Slip,
    SlipPrinter,
    Ticket,
)
from kiosk.core.kiosk_states import ERROR_SCREENS, IDLE_SCREENS, KioskTimings, Reason, Screen, Visit

__all__ = ["FaceBinding", "KioskFlow", "KioskTimings", "Reason", "Screen", "Visit"]


class KioskFlow:
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
        self._listeners: list[Callable[[], None]] = []

    # -- observing -------------------------------------------------------------------------------
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

    @property
    def idle_warning(self) -> bool:
        return self.warning_until is not None

    def seconds_left(self) -> int:
        """The idle warning's countdown, for the overlay."""
        if self.warning_until is None:
            return 0
        return max(0, int((self.warning_until - self.clock.now()).total_seconds() + 0.999))

    # -- the patient's taps ----------------------------------------------------------------------
    def touch(self) -> None:
        """Any tap: the patient is still there."""
        self.last_touch = self.clock.now()
        if self.warning_until is not None:
            self.warning_until = None
            self._changed()

    def set_language(self, language: str) -> None:
        self.visit.language = language
        self._changed()

    def toggle_large_text(self) -> None:
        """文字を大きく: for this patient only; the next session starts at the normal size."""
        self.visit.large_text = not self.visit.large_text
        self._changed()

    def start(self) -> None:
        if self.screen is not Screen.WELCOME:
            return
        language, large = self.visit.language, self.visit.large_text
        self.visit = self._new_visit()
        self.visit.language, self.visit.large_text = language, large
        self.touch()
        self._go(Screen.METHOD)

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
        self._go(Screen.READING)

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

    def _remaining(self) -> timedelta | None:
        """A screen's own deadline survives a detour through 係員を呼ぶ."""
        deadline = self.visit.deadline
        return None if deadline is None else max(deadline - self.clock.now(), timedelta(0))

    def cancel(self) -> None:
        """やめる / 最初にもどる: back to the start, wiping everything."""
        self.reset()

    def reset(self) -> None:
        """End the session: release what it held and forget every patient detail."""
        visit = self.visit
        if visit.face is not None and visit.ticket is None and self.screen is not Screen.UNAVAILABLE:
            with contextlib.suppress(DeskUnavailable):
                self.desk.release(visit.face.face_file_id, visit.session_id)
        self.cards.discard()
        self.visit = self._new_visit()
        self.warning_until = None
        self.last_touch = self.clock.now()
        self._go(Screen.WELCOME)

    # -- time and devices ------------------------------------------------------------------------
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

    def _expired(self, now: datetime) -> bool:
        return self.visit.deadline is not None and now >= self.visit.deadline

    # -- steps -----------------------------------------------------------------------------------
    def _guard(self, step: Callable[[], None]) -> None:
        try:
            step()
        except DeskUnavailable:
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

    def _window(self) -> Window:
        visit = self.visit
        return window(visit.started_at, visit.asked_at or visit.started_at, self.clock.now(),
                      lead=self.timings.face_lead, length=self.timings.face_window)  # fmt: skip

    def _results(self) -> list[FaceResult]:
        """Unclaimed results in this patient's window. Nothing of them is shown before one is bound."""
        found = self._window()
        return [r for r in self.desk.face_results(found.since, found.until) if found.holds(r)]

    def _look_for_face(self) -> None:
        visit = self.visit
        results = self._results()
        if self.screen is Screen.PICK_BIRTHDATE:
            visit.choices = results
            if visit.entered_birthdate is not None and results:
                # the patient typed their birthdate before their own result was written: it may be here now
                self._bind(offer_for_birthdate(results, visit.entered_birthdate), quiet=True)
            elif not results and self._expired(self.clock.now()):
                self._counter(Reason.FACE_TIMEOUT)
            return
        offer = offer_without_birthdate(results, self.face_binding, visit.asked_at or visit.started_at)
        if offer.result is not None:
            self._bind(offer)
        elif offer.ask_birthdate:
            visit.choices = results
            self._go(Screen.PICK_BIRTHDATE, deadline=self._remaining())
        elif self._expired(self.clock.now()):
            self._counter(Reason.FACE_TIMEOUT)

    def _pick_by_birthdate(self, day: date) -> None:
        visit = self.visit
        visit.entered_birthdate = day
        visit.choices = self._results()
        offer = offer_for_birthdate(visit.choices, day)
        if offer.result is None and not offer.ambiguous:
            visit.attempts += 1
            if visit.attempts >= 2:
                self._counter(Reason.BIRTHDATE)
            else:
                visit.notice = "birth.retry"
                self._changed()
            return
        self._bind(offer)

    def _bind(self, offer: Offer, *, quiet: bool = False) -> None:
        """Claim the one result the rule allows for this session; only then does its (masked) name appear."""
        if offer.ambiguous:
            self._counter(Reason.FACE_AMBIGUOUS)
            return
        result = offer.result
        if result is None:
            return
        if self.desk.claim(result.face_file_id, self.visit.session_id):
            self.visit.face = result
            self.visit.choices = []
            self._go(Screen.CONFIRM_PERSON)
        elif not quiet:
            self._changed()  # another kiosk took it a moment ago; the list refreshes

    def _confirmed(self, yes: bool) -> None:
        face = self.visit.face
        assert face is not None
        if not yes:
            self.desk.release(face.face_file_id, self.visit.session_id)
            self._counter(Reason.NOT_ME)  # the alert names the result, so staff see whom the patient was shown
            self.visit.face = None
            return
        self._after_link(self.desk.confirm(face.face_file_id, self.visit.session_id), waiting_allowed=True)

    def _check_link(self) -> None:
        face = self.visit.face
        assert face is not None
        link = self.desk.link_state(face.face_file_id)
        if link.state is LinkState.WAITING and self._expired(self.clock.now()):
            self._counter(Reason.REVIEW_TIMEOUT)
            return
        self._after_link(link, waiting_allowed=False)

    def _after_link(self, link: Link, *, waiting_allowed: bool) -> None:
        if link.state is LinkState.LINKED and link.patient_id is not None:
            self.visit.patient = self.desk.label(link.patient_id) or PatientLabel(link.patient_id, None, None)
            self._choose_department()
        elif link.state is LinkState.REJECTED:
            self._counter(Reason.REJECTED)
        elif link.state is LinkState.NOT_COVERED:
            self._counter(Reason.QUALIFICATION)
        elif waiting_allowed:
            self._go(Screen.CHECKING, deadline=self.timings.review_wait)

    def _card_event(self, event: CardEvent) -> None:
        if isinstance(event, CardRead) and event.kind is not CardKind.MAGNETIC:
            self.visit.card_on_reader = True
        if isinstance(event, CardFailure):
            self._card_failure(event)
        elif isinstance(event, CardIdentity):
            if self.screen is Screen.READING:
                patient = self.desk.patient_for_identity(event.identity)
                if patient is None:
                    self._counter(Reason.NO_MATCH)
                else:
                    self.visit.patient = patient
                    self._identified_by_card()
        elif event.kind is CardKind.MYNUMBER:
            # A My Number card put on the kiosk's reader starts its own path, even from the start screen.
            waiting = self.screen is Screen.CARD_WAIT and self.visit.path == "mynumber"
            if waiting or (self.mynumber_reader and self.screen in (Screen.WELCOME, Screen.METHOD)):
                if self.screen is Screen.WELCOME:
                    self.start()
                self.visit.path = "mynumber"
                self._pin_counter(event.tries_left)
        elif self.screen in (Screen.WELCOME, Screen.METHOD, Screen.CARD_WAIT):
            if self.screen is Screen.WELCOME:
                self.start()
            self.visit.path = "card"
            self.visit.card = event
            patient = self.desk.patient_for_card(event.card_id or "")
            if patient is None:
                self._counter(Reason.CARD_UNKNOWN)
                return
            self.visit.patient = patient
            self._identified_by_card()
        else:
            self.cards.answer(event, None)  # a card read in the middle of another step is not ours to use

    def _pin_counter(self, tries: int | None) -> None:
        self.visit.tries_left = tries
        if tries is None or tries <= 0:
            self._counter(Reason.PIN_LOCKED)
        elif tries == 1:
            self._counter(Reason.PIN_LAST_TRY)
        else:
            self._go(Screen.PIN_ENTRY)

    def _card_failure(self, failure: CardFailure) -> None:
        if failure.code == "removed":
            self.visit.card_on_reader = False
            if self.screen is Screen.TAKE_CARD:
                self._go(Screen.DONE, deadline=self.timings.done_return)
                return
        if failure.code == "wrong_pin" and self.screen is Screen.READING:
            self._pin_counter(failure.tries_left)
            return
        if self.screen not in (Screen.CARD_WAIT, Screen.PIN_ENTRY, Screen.READING):
            return  # a card pulled after it was read is not a problem
        if failure.code == "removed" and self.screen is Screen.CARD_WAIT:
            return  # nothing was being read: someone took an earlier card away
        codes = {"one_try_left": Reason.PIN_LAST_TRY, "pin_locked": Reason.PIN_LOCKED,
                 "removed": Reason.CARD_REMOVED}  # fmt: skip
        self._counter(codes.get(failure.code, Reason.CARD_UNREADABLE))

    def _identified_by_card(self) -> None:
        patient = self.visit.patient
        assert patient is not None
        offer = self.desk.face_result_of(patient.patient_id, self.visit.started_at - self.timings.face_lead,
                                         self.clock.now())  # fmt: skip
        if offer is not None and self.visit.path == "card":
            self.visit.offer = offer
            self._go(Screen.OFFER_REFERENCE)
            return
        self._choose_department()

    def _choose_department(self) -> None:
        visit = self.visit
        assert visit.patient is not None
        face_id = visit.face.face_file_id if visit.face is not None else None
        earlier = self.desk.already_received(visit.patient.patient_id, face_id)
        if earlier is not None:
            self._finish(earlier)  # 本日はすでに受付しています, before any department is asked
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
        self._finish(self.desk.register(visit.patient.patient_id, visit.department, key, face_id))

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
        visit.printed = self.printer.print_slip(
            Slip(self.clinic, ticket.number, self.clock.now(), ticket.department, name)
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

    def _first_visit(self) -> None:
        visit = self.visit
        visit.counter_number = self.desk.counter_number()
        visit.reason = Reason.FIRST_VISIT
        visit.alert_id = self.desk.alert(Reason.FIRST_VISIT.value, visit.session_id)
        visit.printed = self.printer.print_slip(
            Slip(self.clinic, visit.counter_number, self.clock.now(), note="受付窓口へお越しください")
        )
        self._go(Screen.FIRST_VISIT)
