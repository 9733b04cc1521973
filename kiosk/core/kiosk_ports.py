"""What the patient kiosk needs from the rest of the system, as small ports.

The kiosk flow (kiosk_flow.py) only talks to these; the store-backed desk lives in kiosk/services, the card
readers and the printer in drivers/. Everything here is plain data so the flow can be tested without Qt,
a database or hardware.
"""

from __future__ import annotations

import queue
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from kiosk.core.check_in import PlanKind
from kiosk.core.face import Identity
from kiosk.core.registry import Department


class DeskUnavailable(Exception):
    """The store (or the registry behind it) cannot be reached: the kiosk pauses instead of failing."""


class DeskRefused(Exception):
    """The registry refused a step (e.g. the reception); the patient is sent to the counter with `code`."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class FaceResult:
    """One person's face-auth result (one face file, perhaps several insurance entries), as the kiosk shows it."""

    face_file_id: int
    name: str | None
    name_kana: str | None
    birthdate: date | None
    received_at: datetime


class LinkState(StrEnum):
    LINKED = "linked"  # a patient is known (auto-linked, or staff linked it)
    WAITING = "waiting"  # staff has to decide
    REJECTED = "rejected"  # staff rejected it, or it cannot be used
    NOT_COVERED = "not_covered"  # the patient is known, but the file's qualification is not valid today


@dataclass(frozen=True)
class Link:
    state: LinkState
    patient_id: str | None = None


@dataclass(frozen=True)
class PatientLabel:
    """What the kiosk may show of a patient it identified (name for the confirmation screen)."""

    patient_id: str
    name: str | None
    name_kana: str | None


@dataclass(frozen=True)
class Ticket:
    number: int
    department: str | None  # display name
    reception_id: str
    already: bool = False  # the patient was already received today: the same number is shown again
    appointment_at: str | None = None  # HH:MM of the 予約 it was checked in against (「10:30 内科 のご予約…」)


@dataclass(frozen=True)
class BookedVisit:
    """One of the identified patient's 予約 today, as the kiosk shows it."""

    appointment_id: str
    at: str  # HH:MM
    department: str | None  # display name


@dataclass(frozen=True)
class CheckIn:
    """What the patient's appointments today mean at the kiosk (kiosk/core/check_in.py decides)."""

    kind: PlanKind
    appointments: list[BookedVisit]


class KioskDesk(Protocol):
    """The services the kiosk calls. Any method may raise DeskUnavailable."""

    def healthy(self) -> bool: ...

    def face_results(self, since: datetime, until: datetime, birthdate: date | None = None) -> list[FaceResult]:
        """Results received in [since, until] that no kiosk has claimed yet, oldest first, with nothing personal
        (no name or kana; no birthdate). With the birthdate the patient typed: only the results with it."""
        ...

    def claim(self, face_file_id: int, session_id: str) -> bool:
        """Reserve a result for this kiosk session; False when another kiosk was quicker."""
        ...

    def claimed_result(self, face_file_id: int, session_id: str) -> FaceResult | None:
        """The result this session claimed, now with its name and kana (for the masked confirmation)."""
        ...

    def release(self, face_file_id: int, session_id: str) -> None: ...

    def confirm(self, face_file_id: int, session_id: str) -> Link:
        """The patient said はい: where linking stands now (staff are asked when it needs them)."""
        ...

    def link_state(self, face_file_id: int) -> Link: ...

    def patient_for_card(self, card_id: str) -> PatientLabel | None: ...

    def patient_for_identity(self, identity: Identity) -> PatientLabel | None:
        """Only a safe automatic match (the matcher's auto_link); anything doubtful is None."""
        ...

    def label(self, patient_id: str) -> PatientLabel | None: ...

    def face_result_of(self, patient_id: str, since: datetime, until: datetime) -> FaceResult | None:
        """An unclaimed face result in the window that is this patient's (for the マイナ診察券 offer)."""
        ...

    def link_face_result(self, face_file_id: int, patient_id: str, session_id: str) -> bool:
        """Link a result to a card-identified patient and ask for the 照会番号 registration."""
        ...

    def departments(self) -> list[Department]: ...

    def already_received(self, patient_id: str, face_file_id: int | None) -> Ticket | None:
        """The patient's reception today if there is one (the face result then carries it too)."""
        ...

    def check_in(self, patient_id: str) -> CheckIn:
        """The patient's 予約 today: none (予約外), one to check in against, several to choose from, or too early /
        too late for the kiosk."""
        ...

    def register(self, patient_id: str, department: Department | None, key: str, face_file_id: int | None,
                 appointment_id: str | None = None) -> Ticket:  # fmt: skip
        """Register the visit once: the same key, or a reception already made today, returns the same ticket.
        With `appointment_id` (one check_in offered) the reception is made against that 予約; one that is no
        longer offered is refused (DeskRefused)."""
        ...

    def counter_number(self) -> int:
        """A waiting number for patients sent to the counter (初めての方)."""
        ...

    def alert(self, code: str, session_id: str, face_file_id: int | None = None, patient_id: str | None = None) -> int:
        """Tell staff a patient needs them (who, when the kiosk knows); returns the alert id."""
        ...

    def alert_open(self, alert_id: int) -> bool:
        """False once staff have cleared the alert (the kiosk then returns to the start)."""
        ...

    def session_ended(self, session_id: str, received: bool) -> None:
        """The patient left the kiosk: what only this session waited for is over (its 確認待ち alert and waiting
        claim; every alert of the session when the patient was received). An alert that sent the patient to the
        counter stays until staff clear it."""
        ...


class CardKind(StrEnum):
    IC = "ic"  # IC 診察券 on the kiosk's PC/SC reader
    MAGNETIC = "magnetic"  # a magnetic 診察券 read by the serial 再来受付機
    MYNUMBER = "mynumber"  # a マイナンバーカード on the kiosk's contact reader


@dataclass(frozen=True)
class CardRead:
    kind: CardKind
    card_id: str | None = None  # IC / magnetic
    tries_left: int | None = None  # My Number: the PIN counter, read without spending a try
    token: str | None = None  # what the device needs to get its answer (serial sequence number)


@dataclass(frozen=True)
class CardIdentity:
    """券面事項 (basic 4) read after the PIN; never the 個人番号."""

    identity: Identity


@dataclass(frozen=True)
class CardFailure:
    code: str  # removed | wrong_pin | pin_locked | one_try_left | not_mynumber | unreadable | reader_gone
    tries_left: int | None = None


CardEvent = CardRead | CardIdentity | CardFailure


class CardInput(Protocol):
    """Card readers of the kiosk, event driven: readers run in their own threads and never block the screen."""

    def poll(self) -> CardEvent | None: ...

    def read_mynumber(self, pin: str) -> None:
        """Verify the PIN and read the 券面事項 of the inserted card; the answer arrives through poll()."""
        ...

    def answer(self, card: CardRead, ticket: Ticket | None) -> None:
        """Tell the device that read the card what happened (the 再来受付機 shows the number or 窓口へ)."""
        ...

    def discard(self) -> None:
        """Forget pending events (the session was wiped)."""
        ...


class PrintStatus(StrEnum):
    PRINTED = "printed"
    PAPER_OUT = "paper_out"
    OFFLINE = "offline"
    NONE = "none"  # no printer configured


@dataclass(frozen=True)
class Slip:
    clinic: str
    number: int
    when: datetime
    department: str | None = None
    name: str | None = None
    note: str | None = None  # e.g. 受付窓口へお越しください with a reason code


class SlipPrinter(Protocol):
    def print_slip(self, slip: Slip) -> PrintStatus: ...


class NoPrinter:
    def print_slip(self, slip: Slip) -> PrintStatus:
        return PrintStatus.NONE


class NoCards:
    """A kiosk without readers (マイナ through the face-auth reader only)."""

    def poll(self) -> CardEvent | None:
        return None

    def read_mynumber(self, pin: str) -> None:
        return None

    def answer(self, card: CardRead, ticket: Ticket | None) -> None:
        return None

    def discard(self) -> None:
        return None


class QueuedCardInput:
    """The queue half of a card input: reader threads put events, the kiosk polls them."""

    def __init__(self) -> None:
        self._events: queue.Queue[CardEvent] = queue.Queue()

    def poll(self) -> CardEvent | None:
        try:
            return self._events.get_nowait()
        except queue.Empty:
            return None

    def discard(self) -> None:
        while self.poll() is not None:
            pass


class CardInputs:
    """Several readers as one input (a PC/SC reader and the 再来受付機, say)."""

    def __init__(self, inputs: list[CardInput]) -> None:
        self.inputs = inputs

    def poll(self) -> CardEvent | None:
        for source in self.inputs:
            event = source.poll()
            if event is not None:
                return event
        return None

    def read_mynumber(self, pin: str) -> None:
        for source in self.inputs:
            source.read_mynumber(pin)

    def answer(self, card: CardRead, ticket: Ticket | None) -> None:
        for source in self.inputs:
            source.answer(card, ticket)

    def discard(self) -> None:
        for source in self.inputs:
            source.discard()
