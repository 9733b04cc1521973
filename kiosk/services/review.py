"""Staff decisions on CR利用者リスト entries, each audited in the same transaction as the change.

A decision covers the whole face file (one person, perhaps several insurance results). A result linked to
another patient is never overwritten: unlinking is its own deliberate step, with a reason, and cancels the
reception it caused. Undo restores the exact snapshot the last decision recorded (hmis-style).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kiosk.core.clock import Clock
from kiosk.core.errors import UketsukeError
from kiosk.core.face import LINKED_STATUSES, EntryStatus, LinkMethod, parse_yyyymmdd
from kiosk.core.reference import InsuranceChoice, RegistrationState, choose_insurance
from kiosk.core.registry import NewPatient, ReceptionRegistry, RegistryError
from kiosk.core.staff_roles import Action, Actor
from kiosk.logsetup import get_logger
from kiosk.services.accounts import StaffGate
from kiosk.services.audit import AuditEvent, append
from kiosk.services.reception import insurance_of
from kiosk.services.reference_registration import ReferenceService, choice_of, registrable
from kiosk.store.changes import announce
from kiosk.store.models import AuditRecord, ChartNote, CrEntry, FaceFile, ReferenceRegistration

log = get_logger("uketsuke.review")

LINKED = LINKED_STATUSES
DECISIONS = ("link", "reject", "unlink", "create_patient", "conflict_resolved")
SNAPSHOT_FIELDS = ("status", "patient_id", "link_method", "reason", "reception_id")


@dataclass(frozen=True)
class NewChart:
    """A chart made from a face result: its number, and what the registry warned about (shown to staff)."""

    patient_id: str
    notices: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.patient_id


def snapshot(entries: list[CrEntry]) -> dict[str, Any]:
    return {"entries": {str(e.id): {f: getattr(e, f) for f in SNAPSHOT_FIELDS} for e in entries}}


class ReviewService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        *,
        registry: ReceptionRegistry | None = None,
        reference: ReferenceService | None = None,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.registry = registry
        self.reference = reference
        self.gate = StaffGate(sessions, clock)

    def _siblings(self, session: Session, entry_id: int) -> list[CrEntry]:
        entry = session.get(CrEntry, entry_id)
        if entry is None:
            raise UketsukeError("unknown_entry", "該当する受付記録がありません", f"no CR list entry {entry_id}")
        query = select(CrEntry).where(CrEntry.face_file_id == entry.face_file_id).order_by(CrEntry.result_index)
        return list(session.scalars(query.with_for_update()))

    # -- linking ---------------------------------------------------------------------------------
    def link(self, entry_id: int, patient_id: str, *, by: Actor, register_reference: bool = False) -> list[int]:
        self.gate.require(by, Action.LINK)
        if register_reference:
            self.gate.require(by, Action.REQUEST_REFERENCE)
        staff = by.login
        now = self.clock.now()
        with self.sessions.begin() as session:
            entries = self._siblings(session, entry_id)
            others = {e.patient_id for e in entries if e.patient_id and e.patient_id != patient_id
                      and e.status in LINKED}  # fmt: skip
            if others:
                raise UketsukeError("linked_elsewhere", "別の患者に連携済みです。先に連携を解除してください",
                                    "already linked to another patient; unlink it first")  # fmt: skip
            before = snapshot(entries)
            changed = []
            for entry in entries:
                if entry.status == EntryStatus.ERROR.value:
                    continue
                entry.status, entry.patient_id = EntryStatus.LINKED.value, patient_id
                entry.link_method, entry.reason, entry.updated_at = LinkMethod.MANUAL.value, None, now
                changed.append(entry.id)
            append(session, AuditEvent(staff, "link", entry_id, patient_id, before, snapshot(entries)), now)
            announce(session, "cr_entries")
            usable = registrable([e for e in entries if e.id in changed])
            choice = choose_insurance([choice_of(e) for e in usable])
            chosen = next((e for e in usable if choice_of(e) == choice), None)
        log.info("entry_linked_by_staff", entry_id=entry_id, entries=changed, staff=staff)
        if register_reference:
            self._request_reference(patient_id, choice, chosen.id if chosen else entry_id, staff)
        return changed

    def _request_reference(self, patient_id: str, choice: InsuranceChoice | None, entry_id: int, staff: str) -> int:
        if self.reference is None:
            raise UketsukeError("oqs_unset", "照会番号登録の設定がありません（[oqs]）",
                                "照会番号 registration is not configured ([oqs])")  # fmt: skip
        if choice is None:
            raise UketsukeError("no_insurance", "登録できる保険の情報がありません（医療扶助など）",
                                "no insurance that can carry a 照会番号 (e.g. public assistance)")  # fmt: skip
        made = self.reference.request(patient_id, choice, trigger="manual", entry_id=entry_id, actor=staff)
        if made is None:
            raise UketsukeError("reference_exists", "この資格の照会番号は登録済みか登録中です",
                                "a registration for this qualification is already done or under way")  # fmt: skip
        return made

    def reject(self, entry_id: int, reason: str, *, by: Actor) -> list[int]:
        self.gate.require(by, Action.REJECT)
        staff = by.login
        now = self.clock.now()
        with self.sessions.begin() as session:
            entries = self._siblings(session, entry_id)
            before = snapshot(entries)
            for entry in entries:
                entry.status, entry.reason, entry.updated_at = EntryStatus.REJECTED.value, reason, now
            append(session, AuditEvent(staff, "reject", entry_id, None, before, snapshot(entries), reason), now)
            announce(session, "cr_entries")
        log.info("entry_rejected_by_staff", entry_id=entry_id, staff=staff)
        return [e.id for e in entries]

    def unlink(self, entry_id: int, reason: str, *, by: Actor) -> list[int]:
        """Back to review; a reception made for the wrong patient is cancelled in the registry too."""
        self.gate.require(by, Action.UNLINK)
        staff = by.login
        if not reason.strip():
            raise UketsukeError("reason_needed", "理由を入力してください", "a reason is required")
        now = self.clock.now()
        with self.sessions.begin() as session:
            entries = self._siblings(session, entry_id)
            receptions = {e.reception_id for e in entries if e.reception_id}
            before = snapshot(entries)
            for entry in entries:
                if entry.status in LINKED:
                    entry.status, entry.patient_id, entry.link_method = EntryStatus.NEEDS_REVIEW.value, None, None
                    entry.reason, entry.reception_id, entry.updated_at = f"連携解除: {reason}", None, now
            append(session, AuditEvent(staff, "unlink", entry_id, None, before, snapshot(entries), reason), now)
            announce(session, "cr_entries")
        for reception_id in receptions:
            self._cancel_reception(reception_id, entry_id, staff)
        return [e.id for e in entries]

    def _cancel_reception(self, reception_id: str, entry_id: int, staff: str) -> None:
        if self.registry is None:
            return
        try:
            self.registry.cancel_reception(reception_id)
            outcome = "cancelled"
        except RegistryError as exc:
            outcome = f"not cancelled: {exc.code}"
        with self.sessions.begin() as session:
            append(session, AuditEvent(staff, "reception_cancel", entry_id, reception_id,
                                       after={"outcome": outcome}), self.clock.now())  # fmt: skip

    def undo(self, entry_id: int, *, by: Actor, reason: str) -> list[int]:
        """Restore the entries as they were before the last decision on them."""
        self.gate.require(by, Action.UNDO)
        staff = by.login
        now = self.clock.now()
        with self.sessions.begin() as session:
            entries = self._siblings(session, entry_id)
            ids = [e.id for e in entries]
            last = session.scalar(
                select(AuditRecord).where(AuditRecord.entry_id.in_(ids), AuditRecord.action.in_(DECISIONS))
                .order_by(AuditRecord.id.desc()).limit(1)
            )  # fmt: skip
            if last is None or not last.before:
                raise UketsukeError("nothing_to_undo", "取り消せる操作がありません", "nothing to undo")
            before = snapshot(entries)
            stored = last.before.get("entries", {})
            for entry in entries:
                for name, value in stored.get(str(entry.id), {}).items():
                    if name != "reception_id":
                        setattr(entry, name, value)
                entry.updated_at = now
            append(session, AuditEvent(staff, "undo", entry_id, str(last.id), before, snapshot(entries), reason), now)
            announce(session, "cr_entries")
        return ids

    # -- new patients, duplicates, conflicts -----------------------------------------------------
    def create_patient(self, entry_id: int, *, by: Actor) -> NewChart:
        """A new chart pre-filled from the face result (where the registry back-end can create one), then linked."""
        self.gate.require(by, Action.CREATE_PATIENT)
        if self.registry is None or not self.registry.can_create_patients:
            raise UketsukeError(
                "create_unsupported",
                "このレセコンでは新しい患者を作れません。レセコンで登録してください",
                "this registry cannot create patients; register them in the レセコン",
            )
        with self.sessions() as session:
            entry = session.get(CrEntry, entry_id)
            if entry is None:
                raise UketsukeError("unknown_entry", "該当する受付記録がありません", f"no CR list entry {entry_id}")
            new = NewPatient(entry.name, entry.name_kana, parse_yyyymmdd(entry.birthdate), entry.sex,
                             insurance_of(entry), entry.postcode, entry.address)  # fmt: skip
        record = self.registry.create_patient(new)
        with self.sessions.begin() as session:
            append(session, AuditEvent(by.login, "create_patient", entry_id, record.patient_id,
                                       after={"registry_notices": list(record.notices)} if record.notices else None),
                   self.clock.now())  # fmt: skip
        self.link(entry_id, record.patient_id, by=by)
        return NewChart(record.patient_id, record.notices)

    def mark_duplicate(self, patient_id: str, other_patient_id: str, *, by: Actor, note: str | None = None) -> int:
        self.gate.require(by, Action.MARK_DUPLICATE)
        staff = by.login
        now = self.clock.now()
        with self.sessions.begin() as session:
            row = ChartNote(kind="duplicate", patient_id=patient_id, other_patient_id=other_patient_id, note=note,
                            created_by=staff, created_at=now)  # fmt: skip
            session.add(row)
            session.flush()
            append(session, AuditEvent(staff, "mark_duplicate", None, patient_id,
                                       after={"other": other_patient_id, "note": note}), now)  # fmt: skip
            return row.id

    def resolve_conflict(self, face_file_id: int, *, accept: bool, by: Actor) -> None:
        """A same-name file with other content: accept it (its entries go to review) or reject its entries."""
        self.gate.require(by, Action.RESOLVE_CONFLICT)
        staff = by.login
        now = self.clock.now()
        with self.sessions.begin() as session:
            face_file = session.get(FaceFile, face_file_id, with_for_update=True)
            if face_file is None or face_file.state != "conflict":
                raise UketsukeError("not_conflict", "競合しているファイルではありません", "not a conflicting file")
            entries = list(session.scalars(select(CrEntry).where(CrEntry.face_file_id == face_file_id)))
            before = snapshot(entries)
            face_file.state = "ingested" if accept else "dismissed"
            for entry in entries:
                entry.reason = None if accept else "同名の別内容ファイル（職員が不採用） / conflicting file rejected"
                entry.status = entry.status if accept else EntryStatus.REJECTED.value
                entry.updated_at = now
            append(session, AuditEvent(staff, "conflict_resolved", entries[0].id if entries else None,
                                       face_file.file_name, before, snapshot(entries) | {"accepted": accept}),
                   now)  # fmt: skip
            announce(session, "cr_entries")

    # -- 照会番号 registrations that need a person -------------------------------------------------
    def resolve_reference(self, registration_id: int, outcome: str, *, by: Actor) -> int | None:
        """An uncertain or failed registration: `done` (checked on the terminal), `failed`, or `retry` (a new
        request; the old one is closed as failed so nothing is ever sent twice without a person deciding)."""
        if outcome not in ("done", "failed", "retry"):
            raise UketsukeError("bad_outcome", "done / failed / retry のどれかです", "done, failed or retry")
        self.gate.require(by, Action.RESOLVE_REFERENCE)
        if outcome == "retry":
            self.gate.require(by, Action.REQUEST_REFERENCE)
        staff = by.login
        now = self.clock.now()
        with self.sessions.begin() as session:
            row = session.get(ReferenceRegistration, registration_id, with_for_update=True)
            if row is None or row.state not in (RegistrationState.UNCERTAIN.value, RegistrationState.FAILED.value):
                raise UketsukeError("not_uncertain", "確認が必要な登録ではありません", "not an uncertain registration")
            before = {"state": row.state, "message": row.message}
            row.state = RegistrationState.DONE.value if outcome == "done" else RegistrationState.FAILED.value
            row.message, row.updated_at = f"職員が確認: {outcome}", now
            append(session, AuditEvent(staff, "reference_resolve", row.entry_id, row.patient_id, before,
                                       {"state": row.state, "outcome": outcome}), now)  # fmt: skip
            choice = InsuranceChoice("01", row.insurer_number, row.insured_card_symbol,
                                     row.insured_identification_number, row.insured_branch_number)  # fmt: skip
            patient_id, entry_id = row.patient_id, row.entry_id
        if outcome == "retry":
            return self._request_reference(patient_id, choice, entry_id or 0, staff)
        return None

    def today(self) -> date:
        return self.clock.now().date()
