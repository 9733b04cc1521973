"""What one kiosk may learn through its desk: only what serving the patient in front of it needs.

A kiosk is a patient-facing PC anyone can walk up to; the next issue's threat is someone who breaks out of the
kiosk screen and talks to the desk (or the agent's kiosk API) directly. So the desk answers a kiosk only about
patients that kiosk has itself identified — by a card read at it, a My Number card's 券面事項, or a face result it
claimed and the patient confirmed — and counts the lookups that found nobody (card numbers or birthdates tried
one after another), refusing further lookups for a while when there are too many. No patient search, no listing:
face results come without names (kiosk_ports.KioskDesk.face_results).

The guard is pure and wraps any desk, so the local store desk and the agent's API enforce the same rule.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import date, datetime, timedelta

from kiosk.core.clock import Clock
from kiosk.core.face import Identity
from kiosk.core.kiosk_ports import (
    CheckIn,
    DeskRefused,
    FaceResult,
    KioskDesk,
    Link,
    LinkState,
    PatientLabel,
    Ticket,
)
from kiosk.core.registry import Department

GRANT_TTL = timedelta(hours=1)
MISS_WINDOW = timedelta(minutes=10)
MISS_LIMIT = 20  # lookups that found nobody, per kiosk and window: far above a busy morning's typing errors


class GuardedDesk:
    """A KioskDesk that enforces need-to-know for one kiosk (see the module docstring)."""

    def __init__(self, desk: KioskDesk, clock: Clock, *, miss_limit: int = MISS_LIMIT) -> None:
        self.desk = desk
        self.clock = clock
        self.miss_limit = miss_limit
        self._lock = threading.Lock()
        self._granted: dict[str, datetime] = {}  # patient id → when this kiosk identified them
        self._claimed: dict[int, datetime] = {}  # face file id → when this kiosk claimed it
        self._misses: deque[tuple[datetime, str]] = deque()
        self._birthdate_misses: dict[date, datetime] = {}

    # -- bookkeeping -----------------------------------------------------------------------------
    def _grant(self, patient_id: str | None) -> None:
        if patient_id:
            with self._lock:
                self._granted[patient_id] = self.clock.now()

    def _require(self, patient_id: str) -> None:
        now = self.clock.now()
        with self._lock:
            since = self._granted.get(patient_id)
        if since is None or now - since > GRANT_TTL:
            raise DeskRefused("not_identified_here")

    def _miss(self, what: str) -> None:
        now = self.clock.now()
        with self._lock:
            self._misses.append((now, what))

    def _check_lookups(self) -> None:
        """Too many lookups that found nobody: refuse lookups until the window has passed."""
        now = self.clock.now()
        with self._lock:
            while self._misses and now - self._misses[0][0] > MISS_WINDOW:
                self._misses.popleft()
            for day, at in list(self._birthdate_misses.items()):
                if now - at > MISS_WINDOW:
                    del self._birthdate_misses[day]
            count = len(self._misses) + len(self._birthdate_misses)
        if count >= self.miss_limit:
            raise DeskRefused("too_many_lookups")

    def _linked(self, face_file_id: int, link: Link) -> Link:
        with self._lock:
            mine = face_file_id in self._claimed
        if mine and link.state is LinkState.LINKED:
            self._grant(link.patient_id)
        return link

    # -- the port --------------------------------------------------------------------------------
    def healthy(self) -> bool:
        return self.desk.healthy()

    def face_results(self, since: datetime, until: datetime, birthdate: date | None = None) -> list[FaceResult]:
        if birthdate is None:
            return self.desk.face_results(since, until)
        self._check_lookups()
        found = self.desk.face_results(since, until, birthdate)
        with self._lock:
            if found:
                self._birthdate_misses.pop(birthdate, None)  # typed before the result came: not a probe
            else:
                self._birthdate_misses.setdefault(birthdate, self.clock.now())
        return found

    def claim(self, face_file_id: int, session_id: str) -> bool:
        taken = self.desk.claim(face_file_id, session_id)
        if taken:
            with self._lock:
                self._claimed[face_file_id] = self.clock.now()
        return taken

    def claimed_result(self, face_file_id: int, session_id: str) -> FaceResult | None:
        return self.desk.claimed_result(face_file_id, session_id)

    def release(self, face_file_id: int, session_id: str) -> None:
        self.desk.release(face_file_id, session_id)
        with self._lock:
            self._claimed.pop(face_file_id, None)

    def confirm(self, face_file_id: int, session_id: str) -> Link:
        return self._linked(face_file_id, self.desk.confirm(face_file_id, session_id))

    def link_state(self, face_file_id: int) -> Link:
        return self._linked(face_file_id, self.desk.link_state(face_file_id))

    def patient_for_card(self, card_id: str) -> PatientLabel | None:
        self._check_lookups()
        found = self.desk.patient_for_card(card_id)
        if found is None:
            self._miss("card")
        else:
            self._grant(found.patient_id)
        return found

    def patient_for_identity(self, identity: Identity) -> PatientLabel | None:
        self._check_lookups()
        found = self.desk.patient_for_identity(identity)
        if found is None:
            self._miss("identity")
        else:
            self._grant(found.patient_id)
        return found

    def label(self, patient_id: str) -> PatientLabel | None:
        self._require(patient_id)
        return self.desk.label(patient_id)

    def face_result_of(self, patient_id: str, since: datetime, until: datetime) -> FaceResult | None:
        self._require(patient_id)
        return self.desk.face_result_of(patient_id, since, until)

    def link_face_result(self, face_file_id: int, patient_id: str, session_id: str) -> bool:
        self._require(patient_id)
        linked = self.desk.link_face_result(face_file_id, patient_id, session_id)
        if linked:
            with self._lock:
                self._claimed[face_file_id] = self.clock.now()
        return linked

    def departments(self) -> list[Department]:
        return self.desk.departments()

    def already_received(self, patient_id: str, face_file_id: int | None) -> Ticket | None:
        self._require(patient_id)
        return self.desk.already_received(patient_id, face_file_id)

    def check_in(self, patient_id: str) -> CheckIn:
        self._require(patient_id)
        return self.desk.check_in(patient_id)

    def register(self, patient_id: str, department: Department | None, key: str, face_file_id: int | None,
                 appointment_id: str | None = None) -> Ticket:  # fmt: skip
        self._require(patient_id)
        return self.desk.register(patient_id, department, key, face_file_id, appointment_id)

    def counter_number(self) -> int:
        return self.desk.counter_number()

    def alert(self, code: str, session_id: str, face_file_id: int | None = None, patient_id: str | None = None) -> int:
        return self.desk.alert(code, session_id, face_file_id, patient_id)

    def alert_open(self, alert_id: int) -> bool:
        return self.desk.alert_open(alert_id)

    def session_ended(self, session_id: str, received: bool) -> None:
        self.desk.session_ended(session_id, received)
