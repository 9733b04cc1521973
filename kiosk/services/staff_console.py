"""What the staff console reads: today's CR利用者リスト with reception and 照会番号 state, one entry in
detail with its candidates compared field by field, open alerts from kiosks, and files that need a person."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kiosk.core.clock import Clock
from kiosk.core.compare import FieldComparison, compare
from kiosk.core.face import EntryStatus, Identity, parse_yyyymmdd
from kiosk.core.qualification import is_valid
from kiosk.core.registry import PatientRecord, ReceptionRegistry, RegistryError
from kiosk.core.staff_roles import Action, Actor
from kiosk.services.accounts import StaffGate
from kiosk.services.audit import AuditEvent, AuditTrail, append, record
from kiosk.services.cr_list import IDENTITY_KEYS
from kiosk.services.patient_search import search_registry
from kiosk.services.review import DECISIONS
from kiosk.store.changes import announce
from kiosk.store.db import read_sessions
from kiosk.store.models import (
    AuditRecord,
    CrEntry,
    FaceFile,
    FolderProblem,
    KioskClaim,
    ReferenceRegistration,
    StaffAlert,
)

VIEW_AUDIT_INTERVAL = timedelta(minutes=10)
NEEDS_PERSON = (EntryStatus.NEEDS_REVIEW.value, EntryStatus.NO_MATCH.value, EntryStatus.ERROR.value)


@dataclass(frozen=True)
class ConsoleRow:
    entry_id: int
    face_file_id: int
    captured_at: datetime
    name: str | None
    name_kana: str | None
    birthdate: date | None
    sex: str | None
    status: str
    patient_id: str | None
    link_method: str | None
    reception_id: str | None
    kiosk_waiting: bool
    reference_state: str | None
    file_state: str
    reason: str | None
    qualification: str | None = None
    qualification_validity: str | None = None
    notice: str | None = None

    @property
    def not_covered(self) -> bool:
        """A result the file says is not a valid qualification today (invalid or lapsed): no automatic reception."""
        return self.qualification is not None and not is_valid(self.qualification)

    def searchable(self) -> str:
        parts = (self.name, self.name_kana, self.patient_id, self.birthdate.isoformat() if self.birthdate else None)
        return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class CandidateView:
    patient_id: str
    score: float | None
    reasons: list[str]
    record: PatientRecord | None
    fields: list[FieldComparison]
    added_by_staff: bool = False  # the clerk brought this chart in from the registry search (not the matcher)


@dataclass(frozen=True)
class EntryDetail:
    row: ConsoleRow
    identity: Identity
    classification: str | None
    details: dict[str, Any]
    candidates: list[CandidateView]
    file_name: str
    file_reason: str | None
    raw_text: str | None  # for quarantined or conflicting files
    why_not_auto: list[str] = field(default_factory=list)
    reference_correction: bool = False  # the face result's 照会番号 points at the wrong chart (or no chart)
    history: list[dict[str, Any]] = field(default_factory=list)  # lapsed qualifications of this person, same file
    undoable: bool = False  # a staff decision on this file can be undone

    def corrects_reference(self, patient_id: str) -> bool:
        """Linking to this patient with 照会番号 registration would correct the 照会番号 at OQS."""
        reference = self.identity.reference_number
        return self.reference_correction and reference is not None and reference != patient_id


@dataclass(frozen=True)
class AlertView:
    alert_id: int
    code: str
    source: str
    created_at: datetime
    face_file_id: int | None
    patient_id: str | None = None
    who: str | None = None  # the patient's name when the kiosk knew it (face result or 診察券)


def readable(raw: bytes, limit: int = 200_000) -> str:
    """The stored bytes as text for a person to look at (never parsed): UTF-8, else Shift_JIS, else escaped."""
    body = raw[:limit]
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    return body.decode("utf-8", errors="backslashreplace")


def _identity(entry: CrEntry) -> Identity:
    keys = (*IDENTITY_KEYS, "postcode", "address", "name_of_other", "name_of_other_kana")
    return Identity(**{key: getattr(entry, key) for key in keys})


class StaffConsole:
    def __init__(self, sessions: sessionmaker[Session], registry: ReceptionRegistry, clock: Clock) -> None:
        self.sessions = sessions
        self.reads = read_sessions(sessions)
        self.registry = registry
        self.clock = clock
        self.gate = StaffGate(sessions, clock)
        self._viewed: dict[tuple[str, int], datetime] = {}

    def rows(self, day: date | None = None) -> list[ConsoleRow]:
        day = day or self.clock.now().date()
        with self.reads() as session:
            pairs = session.execute(
                select(CrEntry, FaceFile).join(FaceFile, CrEntry.face_file_id == FaceFile.id)
                .where(CrEntry.entry_date == day).order_by(CrEntry.captured_at.desc(), CrEntry.id)
            ).all()  # fmt: skip
            file_ids = {entry.face_file_id for entry, _f in pairs}
            waiting = set(session.scalars(select(KioskClaim.face_file_id).where(
                KioskClaim.face_file_id.in_(file_ids), KioskClaim.state == "waiting")))  # fmt: skip
            entry_ids = [entry.id for entry, _f in pairs]
            references: dict[int, str] = {}
            for entry_id, state in session.execute(
                select(ReferenceRegistration.entry_id, ReferenceRegistration.state)
                .where(ReferenceRegistration.entry_id.in_(entry_ids)).order_by(ReferenceRegistration.id)
            ):  # fmt: skip
                if entry_id is not None:
                    references[entry_id] = state
            by_file: dict[int, str] = {}
            for entry, _f in pairs:
                if entry.id in references:
                    by_file[entry.face_file_id] = references[entry.id]
            return [
                ConsoleRow(entry.id, entry.face_file_id, entry.captured_at, entry.name, entry.name_kana,
                           parse_yyyymmdd(entry.birthdate), entry.sex, entry.status, entry.patient_id,
                           entry.link_method, entry.reception_id, entry.face_file_id in waiting,
                           by_file.get(entry.face_file_id), face_file.state, entry.reason or face_file.reason,
                           entry.qualification, entry.qualification_validity, entry.notice)
                for entry, face_file in pairs
                if entry.history_of is None  # a lapsed qualification is shown with its visit, not as a visit
            ]  # fmt: skip

    def detail(self, entry_id: int, *, by: Actor) -> EntryDetail | None:
        """One entry with its candidates' registry records: personal data, so only for an active account, and the
        opening is audited (once per member of staff and entry every VIEW_AUDIT_INTERVAL; the console re-reads the
        open entry on every change, which is not a new look)."""
        self.gate.require(by, Action.VIEW_PATIENT)
        found = self._detail(entry_id)
        if found is not None:
            self._audit_view(by, found)
        return found

    def _audit_view(self, by: Actor, found: EntryDetail) -> None:
        now = self.clock.now()
        key = (by.login, found.row.entry_id)
        last = self._viewed.get(key)
        if last is not None and now - last < VIEW_AUDIT_INTERVAL:
            return
        self._viewed[key] = now
        shown = [c.patient_id for c in found.candidates]
        record(self.sessions, AuditEvent(by.login, "view_patient", found.row.entry_id, found.row.patient_id,
                                         after={"candidates": shown}), now)  # fmt: skip

    def _detail(self, entry_id: int) -> EntryDetail | None:
        with self.reads() as session:
            entry = session.get(CrEntry, entry_id)
            if entry is None:
                return None
            face_file = session.get(FaceFile, entry.face_file_id)
            assert face_file is not None
            decision = entry.match_result or {}
            identity = _identity(entry)
            raw = readable(face_file.raw) if face_file.raw is not None and face_file.state != "ingested" else None
            details, classification = dict(entry.details or {}), entry.classification
            file_name, file_reason = face_file.file_name, face_file.reason
            history = [dict(e.details or {}) for e in session.scalars(
                select(CrEntry).where(CrEntry.history_of == entry.id).order_by(CrEntry.result_index))]  # fmt: skip
            siblings = select(CrEntry.id).where(CrEntry.face_file_id == entry.face_file_id)
            undoable = session.scalar(select(AuditRecord.id).where(AuditRecord.entry_id.in_(siblings),
                                                                  AuditRecord.action.in_(DECISIONS)).limit(1))
        row = next((r for r in self.rows(entry.entry_date) if r.entry_id == entry_id), None)
        if row is None:  # a lapsed qualification: its visit's entry is the one to look at
            return self._detail(entry.history_of) if entry.history_of is not None else None
        wanted: list[tuple[str, float | None, list[str]]] = []
        if entry.patient_id:
            wanted.append((entry.patient_id, None, ["連携中の患者"]))
        for candidate in decision.get("candidates", []):
            if candidate["patient_id"] != entry.patient_id:
                wanted.append((candidate["patient_id"], candidate.get("score"), list(candidate.get("reasons", []))))
        candidates = [self.candidate(identity, pid, score, reasons) for pid, score, reasons in wanted]
        return EntryDetail(row, identity, classification, details, candidates, file_name, file_reason, raw,
                           list(decision.get("why_not_auto", [])),
                           bool(decision.get("reference_correction")), history, undoable is not None)  # fmt: skip

    def candidate(self, identity: Identity, patient_id: str, score: float | None = None,
                  reasons: list[str] | None = None, *, added_by_staff: bool = False) -> CandidateView:  # fmt: skip
        record = self.registry.get_patient(patient_id)
        fields = compare(identity, record) if record is not None else []
        return CandidateView(patient_id, score, reasons or [], record, fields, added_by_staff)

    def search(self, text: str, *, by: Actor) -> list[PatientRecord]:
        """The registry search box: personal data, so an active account only, and audited (patient_search)."""
        self.gate.require(by, Action.VIEW_PATIENT)
        return search_registry(self.sessions, self.registry, text, actor=by.login, now=self.clock.now())

    @property
    def can_create_patients(self) -> bool:
        return self.registry.can_create_patients

    def needs_review(self, day: date | None = None) -> int:
        return sum(1 for r in self.rows(day) if r.status in NEEDS_PERSON[:2])

    # -- alerts ----------------------------------------------------------------------------------
    def alerts(self) -> list[AlertView]:
        with self.reads() as session:
            rows = session.scalars(select(StaffAlert).where(StaffAlert.cleared_at.is_(None))
                                   .order_by(StaffAlert.id)).all()  # fmt: skip
            return [AlertView(r.id, r.code, r.source, r.created_at, r.face_file_id, r.patient_id,
                              self._who(session, r)) for r in rows]  # fmt: skip

    def _who(self, session: Session, alert: StaffAlert) -> str | None:
        if alert.face_file_id is not None:
            name = session.scalar(select(CrEntry.name).where(CrEntry.face_file_id == alert.face_file_id)
                                  .order_by(CrEntry.result_index).limit(1))  # fmt: skip
            if name:
                return name
        if alert.patient_id:
            try:
                record = self.registry.get_patient(alert.patient_id)
            except RegistryError:
                return alert.patient_id
            if record is not None and record.names:
                return record.names[0].name or record.names[0].name_kana or alert.patient_id
            return alert.patient_id
        return None

    def clear_alert(self, alert_id: int, *, by: Actor) -> None:
        self.gate.require(by, Action.CLEAR_ALERT)
        staff = by.login
        now = self.clock.now()
        with self.sessions.begin() as session:
            row = session.get(StaffAlert, alert_id, with_for_update=True)
            if row is None or row.cleared_at is not None:
                return
            row.cleared_at, row.cleared_by = now, staff
            append(session, AuditEvent(staff, "alert_clear", None, row.code, after={"alert": alert_id}), now)
            announce(session, "staff_alerts")

    def export_audit(self, path: Path, *, by: Actor) -> int:
        """The whole trail as CSV (it holds every patient's history): administrators only, and audited."""
        self.gate.require(by, Action.EXPORT_AUDIT)
        count = AuditTrail(self.sessions).export_csv(path)
        record(self.sessions, AuditEvent(by.login, "audit_export", subject=path.name, after={"records": count}),
               self.clock.now())  # fmt: skip
        return count

    def folder_problems(self) -> list[FolderProblem]:
        """Files in the face folder that cannot be read (the rest of the folder is ingested)."""
        with self.reads() as session:
            return list(session.scalars(select(FolderProblem).order_by(FolderProblem.first_seen, FolderProblem.id)))

    def uncertain_registrations(self) -> list[ReferenceRegistration]:
        with self.reads() as session:
            query = select(ReferenceRegistration).where(ReferenceRegistration.state.in_(("uncertain", "failed")))
            return list(session.scalars(query.order_by(ReferenceRegistration.id)))
