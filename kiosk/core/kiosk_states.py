"""The kiosk's screens, reason codes, timings and the visit — the vocabulary the flow, the UI and staff share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from kiosk.core.kiosk_ports import BookedVisit, CardRead, FaceResult, PatientLabel, PrintStatus, Ticket
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
    APPOINTMENT = "appointment"  # several 予約 today: the patient chooses
    DEPARTMENT = "department"
    CONFIRM = "confirm"
    TAKE_CARD = "take_card"
    DONE = "done"
    FIRST_VISIT = "first_visit"
    COUNTER = "counter"
    STAFF_CALLED = "staff_called"
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
    APPOINTMENT_EARLY = "I-APPT-01"  # a 予約 today, but long before its time (the window is configured)
    APPOINTMENT_LATE = "I-APPT-02"  # a 予約 today, but later than the window allows
    FIRST_VISIT = "I-NEW-01"
    CALLED = "I-CALL-01"  # the patient pressed 係員を呼ぶ
    PRINTER = "W-PRN-01"
    CARD_LEFT = "W-CARD-01"  # the card stayed on the reader after the reception


@dataclass(frozen=True)
class KioskTimings:
    face_window: timedelta = timedelta(seconds=120)  # how long we wait for this patient's face result
    face_lead: timedelta = timedelta(seconds=0)  # results received this long before the start also count
    review_wait: timedelta = timedelta(seconds=90)  # how long 確認しています waits for staff
    idle: timedelta = timedelta(seconds=90)  # no touch for this long → "続けますか？"
    idle_warning: timedelta = timedelta(seconds=30)  # the warning's countdown (at least 20 s)
    done_return: timedelta = timedelta(seconds=15)  # the 受付番号 screen returns to the start
    take_card: timedelta = timedelta(seconds=30)  # カードをお取りください waits this long, then staff are told
    reading: timedelta = timedelta(seconds=20)  # a My Number read that has not answered by then goes to the counter
    health_retry: timedelta = timedelta(seconds=2)


@dataclass
class Visit:
    """Everything about the patient in front of the kiosk; replaced whole when the session ends."""

    session_id: str
    started_at: datetime
    language: str = "ja"
    large_text: bool = False
    path: str | None = None  # face | card | mynumber | first
    asked_at: datetime | None = None  # when the patient was sent to the face reader
    entered_birthdate: date | None = None  # what the patient typed (their own), to bind a late result
    choices: list[FaceResult] = field(default_factory=list)
    face: FaceResult | None = None
    patient: PatientLabel | None = None
    card: CardRead | None = None
    card_on_reader: bool = False  # an IC or My Number card lies on the kiosk's own reader
    offer: FaceResult | None = None
    appointments: list[BookedVisit] = field(default_factory=list)  # today's 予約 to choose from
    appointment: BookedVisit | None = None  # the one being checked in against
    departments: list[Department] = field(default_factory=list)
    department: Department | None = None
    ticket: Ticket | None = None
    printed: PrintStatus | None = None
    reason: Reason | None = None
    notice: str | None = None  # a catalogue key shown (and spoken) on the current screen, e.g. an impossible date
    alert_id: int | None = None
    call_id: int | None = None  # the alert the patient's 係員を呼ぶ raised
    back_to: Screen | None = None  # where もどる leads from 係員を呼びました
    tries_left: int | None = None
    attempts: int = 0  # birthdate entries that matched nothing
    counter_number: int | None = None
    deadline: datetime | None = None


# Screens where the idle warning applies: waiting screens have their own timers, the start has nothing to wipe.
IDLE_SCREENS = frozenset({
    Screen.METHOD, Screen.PICK_BIRTHDATE, Screen.CONFIRM_PERSON, Screen.CARD_WAIT, Screen.PIN_ENTRY,
    Screen.OFFER_REFERENCE, Screen.APPOINTMENT, Screen.DEPARTMENT, Screen.CONFIRM, Screen.COUNTER, Screen.FIRST_VISIT,
    Screen.STAFF_CALLED,
})  # fmt: skip

# Screens that end a visit badly: staff are called and the patient can call again or start over.
ERROR_SCREENS = frozenset({Screen.COUNTER, Screen.FIRST_VISIT})
