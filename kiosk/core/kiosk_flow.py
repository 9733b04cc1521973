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
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from kiosk.core.clock import Clock
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
from kiosk.core.registry import Department


class Screen(StrEnum):
    WELCOME = "welcome"
    METHOD = "method"
    FACE_WAIT = "face_wait"
    PICK_BIRTHDATE = "pick_birthdate"
    CONFIRM_PERSON = "confirm_person"
    CHECKING = "checking"
    CARD_WAIT = "card_wait"
    PIN_ENTRY = "pin_entry"
    READING = "reading"
    OFFER_REFERENCE = "offer_reference"
    DEPARTMENT = "department"
    CONFIRM = "confirm"
    DONE = "done"
    FIRST_VISIT = "first_visit"
    COUNTER = "counter"
    UNAVAILABLE = "unavailable"


class Reason(StrEnum):
    """Codes shown small on the counter screen and on the slip, so staff know what happened."""

    FACE_TIMEOUT = "E-FACE-01"  # no face result arrived for this session
    FACE_AMBIGUOUS = "E-FACE-02"  # several results with the same birthdate (e.g. twins at two readers)
    BIRTHDATE = "E-FACE-03"  # the birthdate matched none of the waiting results
    NOT_ME = "E-FACE-04"  # the patient said いいえ
    REVIEW_TIMEOUT = "E-LINK-01"  # staff did not decide in time
    REJECTED = "E-LINK-02"  # staff rejected the result
    QUALIFICATION = "E-QUAL-01"  # the insurance qualification is not valid today (無効・喪失・記載なし)
    NO_MATCH = "E-LINK-03"  # the card's 券面事項 matched no patient safely
    CARD_UNKNOWN = "E-CARD-01"
    CARD_UNREADABLE = "E-CARD-02"
    CARD_REMOVED = "E-CARD-03"
    PIN_LAST_TRY = "E-PIN-01"  # one try left: we never try it
    PIN_LOCKED = "E-PIN-02"
    REGISTRY = "E-REG-01"
    FIRST_VISIT = "I-NEW-01"
    PRINTER = "W-PRN-01"


@dataclass(frozen=True)
class KioskTimings:
    face_window: timedelta = timedelta(seconds=120)  # how long we wait for this patient's face result
    face_lead: timedelta = timedelta(seconds=0)  # results received this long before the start also count
    review_wait: timedelta = timedelta(seconds=90)  # how long 確認しています waits for staff
    idle: timedelta = timedelta(seconds=90)  # no touch for this long → "続けますか？"
    idle_warning: timedelta = timedelta(seconds=30)  # the warning's countdown (at least 20 s)
    done_return: timedelta = timedelta(seconds=15)  # the 受付番号 screen returns to the start
    health_retry: timedelta = timedelta(seconds=2)


@dataclass
class Visit:
    """Everything about the patient in front of the kiosk; replaced whole when the session ends."""

    session_id: str
    started_at: datetime
    language: str = "ja"
    path: str | None = None  # face | card | mynumber | first
    choices: list[FaceResult] = field(default_factory=list)
    face: FaceResult | None = None
    patient: PatientLabel | None = None
    card: CardRead | None = None
    offer: FaceResult | None = None
    departments: list[Department] = field(default_factory=list)
    department: Department | None = None
    ticket: Ticket | None = None
    printed: PrintStatus | None = None
    reason: Reason | None = None
    alert_id: int | None = None
    tries_left: int | None = None
    attempts: int = 0  # birthdate entries that matched nothing
    counter_number: int | None = None
    deadline: datetime | None = None


# Screens where the idle warning applies: waiting screens have their own timers, the start has nothing to wipe.
IDLE_SCREENS = frozenset({
    Screen.METHOD, Screen.PICK_BIRTHDATE, Screen.CONFIRM_PERSON, Screen.CARD_WAIT, Screen.PIN_ENTRY,
    Screen.OFFER_REFERENCE, Screen.DEPARTMENT, Screen.CONFIRM, Screen.COUNTER, Screen.FIRST_VISIT,
})  # fmt: skip


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

    def start(self) -> None:
        if self.screen is not Screen.WELCOME:
            return
        language = self.visit.language
        self.visit = self._new_visit()
        self.visit.language = language
        self.touch()
        self._go(Screen.METHOD)

    def choose_face(self) -> None:
        self.visit.path = "face"
        self._go(Screen.FACE_WAIT, deadline=self.timings.face_window)
        self._look_for_face()

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

    def cancel(self) -> None:
        """やめる / もどる: back to the start, wiping everything."""
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
        elif self.screen in (Screen.COUNTER, Screen.FIRST_VISIT) and self.visit.alert_id is not None:
            alert_id = self.visit.alert_id
            self._guard(lambda: None if self.desk.alert_open(alert_id) else self.reset())

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
        try:
            self.visit.alert_id = self.desk.alert(reason.value, self.visit.session_id, face_id)
        except DeskUnavailable:
            self.visit.alert_id = None
        if self.visit.card is not None:
            self.cards.answer(self.visit.card, None)
            self.visit.card = None
        self._go(Screen.COUNTER)

    def _look_for_face(self) -> None:
        visit = self.visit
        now = self.clock.now()
        results = self.desk.face_results(visit.started_at - self.timings.face_lead, now)
        if self.screen is Screen.PICK_BIRTHDATE:
            visit.choices = results
            if not results:
                self._counter(Reason.FACE_TIMEOUT)
            return
        if len(results) == 1:
            if self.desk.claim(results[0].face_file_id, visit.session_id):
                visit.face = results[0]
                self._go(Screen.CONFIRM_PERSON)
            return
        if len(results) > 1:
            visit.choices = results
            self._go(Screen.PICK_BIRTHDATE)
            return
        if self._expired(now):
            self._counter(Reason.FACE_TIMEOUT)

    def _pick_by_birthdate(self, day: date) -> None:
        visit = self.visit
        visit.choices = self.desk.face_results(visit.started_at - self.timings.face_lead, self.clock.now())
        same = [c for c in visit.choices if c.birthdate == day]
        if len(same) > 1:
            self._counter(Reason.FACE_AMBIGUOUS)
            return
        if not same:
            visit.attempts += 1
            if visit.attempts >= 2:
                self._counter(Reason.BIRTHDATE)
            else:
                self._changed()
            return
        if self.desk.claim(same[0].face_file_id, visit.session_id):
            visit.face = same[0]
            visit.choices = []
            self._go(Screen.CONFIRM_PERSON)
        else:
            self._changed()  # another kiosk took it a moment ago; the list refreshes

    def _confirmed(self, yes: bool) -> None:
        face = self.visit.face
        assert face is not None
        if not yes:
            self.desk.release(face.face_file_id, self.visit.session_id)
            self.visit.face = None
            self._counter(Reason.NOT_ME)
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
        ticket = self.desk.register(visit.patient.patient_id, visit.department, key, face_id)
        visit.ticket = ticket
        if visit.card is not None:
            self.cards.answer(visit.card, ticket)
            visit.card = None
        name = visit.patient.name if self.name_on_slip else None
        visit.printed = self.printer.print_slip(
            Slip(self.clinic, ticket.number, self.clock.now(), ticket.department, name)
        )
        if visit.printed in (PrintStatus.PAPER_OUT, PrintStatus.OFFLINE):
            visit.alert_id = self.desk.alert(Reason.PRINTER.value, visit.session_id, face_id)
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
