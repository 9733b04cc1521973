"""The kiosk's desk: the store and the registry behind the KioskDesk port.

Claims make a face result belong to one kiosk session (a primary key on the face file, so two kiosks on
PostgreSQL cannot both take it). A reception is keyed on the face file (`face:<id>`) or the kiosk session,
and a patient already received today gets the same number again rather than a second reception.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from sqlalchemy import delete, exists, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.core.card_identity import card_patient, card_query
from kiosk.core.face import LINKED_STATUSES, EntryStatus, Identity, LinkMethod, parse_yyyymmdd
from kiosk.core.kiosk_ports import (
    DeskUnavailable,
    FaceResult,
    Link,
    LinkState,
    PatientLabel,
)
from kiosk.core.matching import Decision
from kiosk.core.normalize import kana_loose
from kiosk.core.qualification import is_valid
from kiosk.core.registry import ReceptionRegistry
from kiosk.logsetup import get_logger
from kiosk.services.audit import AuditEvent, append
from kiosk.services.kiosk_desk_reception import DeskReception
from kiosk.store.changes import announce
from kiosk.store.models import CrEntry, FaceFile, KioskClaim, StaffAlert

log = get_logger("uketsuke.kiosk")

LINKED = LINKED_STATUSES
UNUSABLE = (EntryStatus.REJECTED.value, EntryStatus.ERROR.value)
SESSION_ONLY_ALERTS = ("I-WAIT-01",)  # needed only while the patient stands at the kiosk


def patient_for_card_number(registry: ReceptionRegistry, number: str) -> str | None:
    """A 診察券 number → 患者番号: first the cards staff issued, else the number itself when it is a 患者番号."""
    lookup: Callable[[str], str | None] | None = getattr(registry, "patient_for_card", None)
    issued = lookup(number) if lookup is not None else None
    if issued:
        return str(issued)
    return number if registry.get_patient(number) is not None else None


class StoreKioskDesk(DeskReception):
    """The KioskDesk port on the store and the registry: face results, cards, alerts (the reception half is
    kiosk_desk_reception.py, the plumbing kiosk_desk_base.py)."""

    def healthy(self) -> bool:
        try:
            self._read(lambda s: s.execute(text("SELECT 1")).scalar())
        except DeskUnavailable:
            return False
        return True

    # -- face results ----------------------------------------------------------------------------
    def face_results(self, since: datetime, until: datetime, birthdate: date | None = None) -> list[FaceResult]:
        """Unclaimed usable results in the window, with nothing personal: no name, no kana, and a birthdate only
        when the patient typed it (then only results with that birthdate)."""

        def work(session: Session) -> list[FaceResult]:
            claimed = exists().where(KioskClaim.face_file_id == FaceFile.id)
            usable = exists().where(
                CrEntry.face_file_id == FaceFile.id,
                CrEntry.actionable.is_(True),
                CrEntry.status.not_in(UNUSABLE),
                CrEntry.reception_id.is_(None),
            )
            files = session.execute(
                select(FaceFile.id, FaceFile.ingested_at)
                .where(FaceFile.state == "ingested", FaceFile.ingested_at >= since, FaceFile.ingested_at <= until,
                       ~claimed, usable)
                .order_by(FaceFile.ingested_at, FaceFile.id)
            ).all()  # fmt: skip
            results = []
            for file_id, received in files:
                first = self._first_result(session, file_id)
                if birthdate is None:
                    results.append(FaceResult(file_id, None, None, None, received))
                elif parse_yyyymmdd(first.birthdate) == birthdate:
                    results.append(FaceResult(file_id, None, None, birthdate, received))
            return results

        return self._read(work)

    @staticmethod
    def _first_result(session: Session, face_file_id: int) -> CrEntry:
        return session.scalars(
            select(CrEntry).where(CrEntry.face_file_id == face_file_id).order_by(CrEntry.result_index).limit(1)
        ).one()

    def claimed_result(self, face_file_id: int, session_id: str) -> FaceResult | None:
        """The result this session holds, with the name for the (masked) confirmation; None for anyone else. The
        showing is audited: a name went to a screen."""
        now = self.clock.now()

        def work(session: Session) -> FaceResult | None:
            held = session.get(KioskClaim, face_file_id)
            if held is None or held.session_id != session_id or held.kiosk_id != self.kiosk_id:
                return None
            first = self._first_result(session, face_file_id)
            face_file = session.get(FaceFile, face_file_id)
            assert face_file is not None
            append(session, AuditEvent(self.actor, "kiosk_show", first.id, first.patient_id,
                                       after={"file": face_file_id}), now)  # fmt: skip
            return FaceResult(face_file_id, first.name, first.name_kana, parse_yyyymmdd(first.birthdate),
                              face_file.ingested_at)  # fmt: skip

        return self._write(work)

    def claim(self, face_file_id: int, session_id: str) -> bool:
        now = self.clock.now()

        def work(session: Session) -> bool:
            held = session.get(KioskClaim, face_file_id)
            if held is not None:
                return held.session_id == session_id and held.kiosk_id == self.kiosk_id
            session.add(KioskClaim(face_file_id=face_file_id, session_id=session_id, kiosk_id=self.kiosk_id,
                                   state="claimed", claimed_at=now, updated_at=now))  # fmt: skip
            session.flush()
            announce(session, "kiosk_claims")
            return True

        try:
            return self._write(work)
        except IntegrityError:
            return False  # another kiosk inserted the same claim a moment before us

    def release(self, face_file_id: int, session_id: str) -> None:
        def work(session: Session) -> None:
            session.execute(
                delete(KioskClaim).where(KioskClaim.face_file_id == face_file_id, KioskClaim.session_id == session_id,
                                         KioskClaim.state == "claimed")
            )  # fmt: skip
            announce(session, "kiosk_claims")

        self._write(work)

    def confirm(self, face_file_id: int, session_id: str) -> Link:
        link = self.link_state(face_file_id)
        state = "waiting" if link.state is LinkState.WAITING else "confirmed"
        now = self.clock.now()

        def work(session: Session) -> None:
            session.execute(
                update(KioskClaim)
                .where(KioskClaim.face_file_id == face_file_id, KioskClaim.session_id == session_id)
                .values(state=state, updated_at=now)
            )
            announce(session, "kiosk_claims")
            if link.state is LinkState.LINKED and link.patient_id:
                # the patient said はい to the name shown: their own confirmation of the link, on record
                append(session, AuditEvent(self.actor, "kiosk_confirm", self._first_entry(session, face_file_id),
                                           link.patient_id, after={"file": face_file_id}), now)  # fmt: skip

        self._write(work)
        if link.state is LinkState.WAITING:
            self.alert("I-WAIT-01", session_id, face_file_id)
        return link

    def link_state(self, face_file_id: int) -> Link:
        def work(session: Session) -> Link:
            entries = session.scalars(select(CrEntry).where(CrEntry.face_file_id == face_file_id)).all()
            return link_of(entries)

        return self._read(work)

    # -- identifying by card ---------------------------------------------------------------------
    def label(self, patient_id: str) -> PatientLabel | None:
        with self._reachable():
            record = self.registry.get_patient(patient_id)
        if record is None:
            return None
        first = record.names[0] if record.names else None
        return PatientLabel(patient_id, first.name if first else None, first.name_kana if first else None)

    def patient_for_card(self, card_id: str) -> PatientLabel | None:
        with self._reachable():
            patient_id = patient_for_card_number(self.registry, card_id.strip())
        return self.label(patient_id) if patient_id else None

    def patient_for_identity(self, identity: Identity) -> PatientLabel | None:
        with self._reachable():
            result = self.matcher.match(identity)
            if result.decision is Decision.AUTO_LINK and result.patient_id:
                return self.label(result.patient_id)
            query = card_query(identity)
            if query is None:
                return None
            found = card_patient(identity, (c.record for c in self.registry.find_candidates(query)))
        return self.label(found) if found else None

    def face_result_of(self, patient_id: str, since: datetime, until: datetime) -> FaceResult | None:
        """A waiting result whose entries the matcher tied to this patient, or whose kana and birthdate are exactly
        the registry's; the patient still says はい before anything is linked."""
        with self._reachable():
            record = self.registry.get_patient(patient_id)
        if record is None:
            return None
        kana = {kana_loose(n.name_kana) for n in record.names if n.name_kana}
        for result in self.face_results(since, until):
            link = self.link_state(result.face_file_id)
            if link.state is LinkState.LINKED:
                if link.patient_id == patient_id:
                    return result
                continue
            if result.birthdate == record.birthdate and result.name_kana and kana_loose(result.name_kana) in kana:
                return result
        return None

    def link_face_result(self, face_file_id: int, patient_id: str, session_id: str) -> bool:
        if not self.claim(face_file_id, session_id):
            return False
        now = self.clock.now()

        def work(session: Session) -> bool:
            entries = session.scalars(select(CrEntry).where(CrEntry.face_file_id == face_file_id)).all()
            if any(e.patient_id not in (None, patient_id) and e.status in LINKED for e in entries):
                return False  # linked to someone else: never overwrite
            for entry in entries:
                if entry.status in UNUSABLE:
                    continue
                entry.status, entry.patient_id = EntryStatus.LINKED.value, patient_id
                entry.link_method = entry.link_method or LinkMethod.MANUAL.value
                entry.reason = "キオスクで診察券により本人確認 / confirmed at the kiosk with the patient's card"
                entry.updated_at = now
            announce(session, "cr_entries")
            append(session, AuditEvent(self.actor, "kiosk_link", self._first_entry(session, face_file_id), patient_id,
                                       after={"file": face_file_id}, reason="診察券で本人確認"), now)  # fmt: skip
            return True

        linked = self._write(work)
        log.info("kiosk_linked_by_card", face_file_id=face_file_id, linked=linked)
        return linked

    # -- staff -----------------------------------------------------------------------------------
    def alert(self, code: str, session_id: str, face_file_id: int | None = None, patient_id: str | None = None) -> int:
        now = self.clock.now()

        def work(session: Session) -> int:
            row = StaffAlert(code=code, source=self.kiosk_id, session_id=session_id, face_file_id=face_file_id,
                             patient_id=patient_id, created_at=now)  # fmt: skip
            session.add(row)
            session.flush()
            announce(session, "staff_alerts")
            return row.id

        alert_id = self._write(work)
        log.info("kiosk_staff_alert", code=code, alert=alert_id, face_file_id=face_file_id)
        return alert_id

    def alert_open(self, alert_id: int) -> bool:
        return self._read(lambda s: s.scalar(select(StaffAlert.cleared_at).where(StaffAlert.id == alert_id)) is None)

    def session_ended(self, session_id: str, received: bool) -> None:
        now = self.clock.now()

        def work(session: Session) -> None:
            query = select(StaffAlert).where(StaffAlert.session_id == session_id, StaffAlert.source == self.kiosk_id,
                                             StaffAlert.cleared_at.is_(None))  # fmt: skip
            if not received:
                query = query.where(StaffAlert.code.in_(SESSION_ONLY_ALERTS))
            cleared = list(session.scalars(query.with_for_update()))
            for alert in cleared:
                alert.cleared_at, alert.cleared_by = now, self.actor
            waiting = list(session.scalars(select(KioskClaim).where(KioskClaim.session_id == session_id,
                                                                    KioskClaim.state == "waiting")))  # fmt: skip
            for claim in waiting:
                claim.state, claim.updated_at = "ended", now
            if cleared:
                append(session, AuditEvent(self.actor, "alert_auto_clear", None, session_id,
                                           after={"alerts": [a.id for a in cleared], "received": received}), now)
            if cleared or waiting:
                announce(session, "staff_alerts")
                announce(session, "kiosk_claims")

        self._write(work)


def link_of(rows: Sequence[CrEntry]) -> Link:
    """One face file's linking state: all its linked entries must agree on one patient, and one of them must be a
    valid qualification for the kiosk to receive the patient (else the counter checks the insurance)."""
    patients = {e.patient_id for e in rows if e.status in LINKED and e.patient_id}
    if len(patients) == 1 and not any(e.status == EntryStatus.NEEDS_REVIEW.value for e in rows):
        if not any(is_valid(e.qualification) for e in rows if e.status in LINKED):
            return Link(LinkState.NOT_COVERED, patients.pop())
        return Link(LinkState.LINKED, patients.pop())
    if rows and all(e.status in UNUSABLE for e in rows):
        return Link(LinkState.REJECTED)
    return Link(LinkState.WAITING)
