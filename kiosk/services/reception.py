"""Receptions made by the agent itself for linked face results (clinics where using the face-auth reader
is the check-in: `[reception] register_on_link = true`).

The idempotency key is the face file (`face:<id>`), the same key the kiosk uses, so an entry gets one
reception however many agents, kiosks or retries reach it; a patient already received today keeps that
reception.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from kiosk.core.appointments import Appointment
from kiosk.core.check_in import CheckInPlan, CheckInWindow, PlanKind, plan_check_in
from kiosk.core.clock import Clock
from kiosk.core.face import LINKED_STATUSES
from kiosk.core.qualification import Qualification
from kiosk.core.registry import Insurance, Reception, ReceptionRegistry, RegistryError
from kiosk.logsetup import get_logger
from kiosk.services.audit import AGENT, AuditEvent, append
from kiosk.store.changes import announce
from kiosk.store.db import read_sessions
from kiosk.store.lease import acquire, default_holder
from kiosk.store.models import CrEntry, KioskClaim

log = get_logger("uketsuke.reception")

LINKED = LINKED_STATUSES
WRITER_LEASE = "reception-writer"
LEASE_TTL = timedelta(seconds=30)
LEFT_RECHECK = timedelta(seconds=60)


def face_key(face_file_id: int) -> str:
    return f"face:{face_file_id}"


def insurance_of(entry: CrEntry) -> Insurance | None:
    """The insurance a face result carried, so the registry uses that one."""
    if not entry.insurer_number:
        return None
    return Insurance(entry.insurer_number, entry.insured_card_symbol, entry.insured_identification_number,
                     entry.insured_branch_number)  # fmt: skip


def _registered(registry: ReceptionRegistry, patient_id: str, day: date) -> list[Reception]:
    return [r for r in registry.receptions_of(patient_id, day) if r.state == "registered"]


def covers(reception: Reception, appointment: Appointment) -> bool:
    """The reception is this 予約's visit: made against it, in its 診療科, or one of them has no 診療科. A 予約 in
    another 診療科 is another visit (a hospital's 内科 in the morning and 眼科 in the afternoon; ORCA too refuses only
    a second reception in the same 診療科)."""
    return (reception.appointment_id == appointment.appointment_id or not reception.department
            or not appointment.department_code or reception.department == appointment.department_code)


def todays_reception(registry: ReceptionRegistry, patient_id: str, day: date,
                     appointment: Appointment | None = None) -> Reception | None:  # fmt: skip
    """The reception already there (another kiosk, the 再来受付機, the counter, this agent) — for `appointment`,
    only one that is its visit."""
    earlier = [r for r in _registered(registry, patient_id, day) if appointment is None or covers(r, appointment)]
    return earlier[-1] if earlier else None  # the latest: after a second visit's reception, that one


@dataclass(frozen=True)
class TodaysVisit:
    earlier: Reception | None  # the reception this visit already has (None: a new one is due)
    plan: CheckInPlan  # over the 予約 that no reception today covers
    appointments: list[Appointment]  # all of today's


def todays_visit(registry: ReceptionRegistry, patient_id: str, now: datetime, window: CheckInWindow) -> TodaysVisit:
    """Where the patient stands today: a reception made earlier covers the 予約 of its 診療科; a 予約 now due (one,
    or several to choose from) that none covers is another visit; otherwise the earlier reception is the answer (one
    a day), and with none the plan decides (kiosk/core/check_in.py)."""
    appointments = registry.appointments_of(patient_id, now.date()) if window.enabled else []
    receptions = _registered(registry, patient_id, now.date())
    plan = plan_check_in([a for a in appointments if not any(covers(r, a) for r in receptions)], now, window)
    if receptions and plan.kind not in (PlanKind.ONE, PlanKind.CHOOSE):
        return TodaysVisit(receptions[-1], plan, appointments)  # the latest visit's
    return TodaysVisit(None, plan, appointments)


def register_once(
    registry: ReceptionRegistry,
    patient_id: str,
    day: date,
    department: str | None,
    key: str,
    insurance: Insurance | None,
    appointment: Appointment | None = None,
) -> tuple[Reception, bool]:
    """The patient's reception today: the one already there or a new one under `key` (against `appointment`,
    whose 診療科 and physician it then takes). True when it was there already."""
    earlier = todays_reception(registry, patient_id, day, appointment)
    if earlier is not None:
        return earlier, True
    try:
        result = registry.register_reception(patient_id, day, department, key, insurance, appointment)
    except RegistryError as exc:
        # two paths (two kiosks, the 再来受付機) checked the same patient in against the same 予約 at once: the one
        # that came second finds it arrived — with the other's reception, which is this patient's answer too
        earlier = todays_reception(registry, patient_id, day, appointment) \
            if exc.code == "appointment_not_booked" else None
        if earlier is None:
            raise
        return earlier, True
    return result.reception, result.status == "duplicate"


@dataclass(frozen=True)
class Received:
    reception: Reception
    already: bool
    appointment: Appointment | None = None  # the 予約 it was checked in against


def receive_unattended(
    registry: ReceptionRegistry,
    patient_id: str,
    now: datetime,
    department: str | None,
    key: str,
    insurance: Insurance | None,
    window: CheckInWindow,
) -> Received | CheckInPlan:
    """A reception made without a screen to ask on (the 再来受付機, register_on_link): the one already there, or a
    new one — against the patient's one appointment in its window, or as 予約外 when there is none. Several
    appointments, or one outside its window, are for a person: the plan comes back instead."""
    visit = todays_visit(registry, patient_id, now, window)
    earlier, plan = visit.earlier, visit.plan
    if earlier is not None:
        booked = [a for a in visit.appointments if a.appointment_id == earlier.appointment_id]
        return Received(earlier, True, booked[0] if booked else None)
    if plan.kind not in (PlanKind.WALK_IN, PlanKind.ONE):
        return plan
    reception, already = register_once(registry, patient_id, now.date(), department, key, insurance,
                                       plan.appointment)  # fmt: skip
    return Received(reception, already, plan.appointment)


def mark_received(session: Session, face_file_id: int, reception: Reception, now: datetime) -> None:
    """Inside a write transaction: the file's linked entries carry their reception (and its appointment)."""
    session.execute(
        update(CrEntry)
        .where(CrEntry.face_file_id == face_file_id, CrEntry.reception_id.is_(None), CrEntry.status.in_(LINKED))
        .values(reception_id=reception.reception_id, appointment_id=reception.appointment_id, updated_at=now)
    )
    announce(session, "cr_entries")


def reception_event(actor: str, entry_id: int | None, patient_id: str, reception: Reception, *,
                    already: bool) -> AuditEvent:  # fmt: skip
    """A reception registered in the レセコン (or found already there) for a patient: who decided it, for whom."""
    return AuditEvent(actor, "reception", entry_id, reception.reception_id,
                      after={"patient_id": patient_id, "number": reception.number,
                             "department": reception.department, "already": already,
                             "appointment_id": reception.appointment_id})  # fmt: skip


class ReceptionService:
    def __init__(
        self, sessions: sessionmaker[Session], registry: ReceptionRegistry, clock: Clock, *, department: str | None,
        window: CheckInWindow | None = None,
    ) -> None:
        self.window = window or CheckInWindow()
        # face files left for a person, and when to look again (a 予約 may come into its window; the registry is
        # not asked every pass — ORCA is a server); logged once
        self._left: dict[int, datetime] = {}
        self.sessions = sessions
        self.reads = read_sessions(sessions)
        self.registry = registry
        self.clock = clock
        self.department = department
        self.holder = default_holder()

    def pending(self) -> dict[int, list[CrEntry]]:
        """Today's actionable linked entries without a reception, by face file, unless a kiosk is handling them."""
        today = self.clock.now().date()
        with self.reads() as session:
            at_kiosk = select(KioskClaim.face_file_id)
            rows = session.scalars(
                select(CrEntry).where(
                    CrEntry.entry_date == today, CrEntry.actionable.is_(True), CrEntry.status.in_(LINKED),
                    CrEntry.reception_id.is_(None), CrEntry.patient_id.is_not(None),
                    CrEntry.face_file_id.not_in(at_kiosk),
                    # only a valid qualification is received automatically: anything else is for the counter
                    CrEntry.qualification == Qualification.VALID.value,
                ).order_by(CrEntry.face_file_id, CrEntry.result_index)
            ).all()  # fmt: skip
        by_file: dict[int, list[CrEntry]] = {}
        for entry in rows:
            by_file.setdefault(entry.face_file_id, []).append(entry)
        return by_file

    def register_linked(self) -> int:
        """One agent at a time (a lease): two agents must not give one patient two receptions for two files."""
        if not acquire(self.sessions, WRITER_LEASE, self.holder, LEASE_TTL, self.clock.now()):
            return 0
        made = 0
        for face_file_id, entries in self.pending().items():
            if self._register(face_file_id, entries):
                made += 1
        return made

    def _register(self, face_file_id: int, entries: Sequence[CrEntry]) -> bool:
        patients = {e.patient_id for e in entries}
        if len(patients) != 1:
            return False  # results of one file linked to different people: staff must look first
        patient_id = entries[0].patient_id
        assert patient_id is not None
        now = self.clock.now()
        if self._left.get(face_file_id, now) > now:
            return False
        try:
            received = receive_unattended(self.registry, patient_id, now, self.department, face_key(face_file_id),
                                          insurance_of(entries[0]), self.window)  # fmt: skip
        except RegistryError as exc:
            log.warning("reception_not_registered", face_file_id=face_file_id, code=exc.code)
            return False
        if not isinstance(received, Received):  # several appointments, or outside the window: the counter
            if face_file_id not in self._left:
                log.info("reception_left_for_staff", face_file_id=face_file_id, reason=received.kind.value)
            self._left[face_file_id] = now + LEFT_RECHECK
            return False
        reception, already = received.reception, received.already
        with self.sessions.begin() as session:
            mark_received(session, face_file_id, reception, now)
            append(session, reception_event(AGENT, entries[0].id, patient_id, reception, already=already), now)
        log.info("reception_registered", face_file_id=face_file_id, number=reception.number)
        return True
