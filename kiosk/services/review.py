"""Staff decisions on CR利用者リスト entries: link a face result to a patient, or reject it.

A decision covers the whole face file (one person, perhaps several insurance results). A result already
linked to a different patient is never overwritten: unlinking is a separate, deliberate step.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kiosk.core.clock import Clock
from kiosk.core.errors import UketsukeError
from kiosk.core.face import EntryStatus, LinkMethod
from kiosk.logsetup import get_logger
from kiosk.store.changes import announce
from kiosk.store.models import CrEntry

log = get_logger("uketsuke.review")


class ReviewService:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock

    def _siblings(self, session: Session, entry_id: int) -> list[CrEntry]:
        entry = session.get(CrEntry, entry_id, with_for_update=True)
        if entry is None:
            raise UketsukeError("unknown_entry", "該当する受付記録がありません", f"no CR list entry {entry_id}")
        return list(session.scalars(select(CrEntry).where(CrEntry.face_file_id == entry.face_file_id)
                                    .with_for_update()))  # fmt: skip

    def link(self, entry_id: int, patient_id: str, *, staff: str) -> list[int]:
        now = self.clock.now()
        with self.sessions.begin() as session:
            entries = self._siblings(session, entry_id)
            others = {e.patient_id for e in entries if e.patient_id and e.patient_id != patient_id
                      and e.status in (EntryStatus.LINKED.value, EntryStatus.AUTO_LINKED.value)}  # fmt: skip
            if others:
                raise UketsukeError("linked_elsewhere", "別の患者に連携済みです。先に連携を解除してください",
                                    "already linked to another patient; unlink it first")  # fmt: skip
            changed = []
            for entry in entries:
                if entry.status == EntryStatus.ERROR.value:
                    continue
                entry.status, entry.patient_id = EntryStatus.LINKED.value, patient_id
                entry.link_method, entry.reason, entry.updated_at = LinkMethod.MANUAL.value, None, now
                changed.append(entry.id)
            announce(session, "cr_entries")
        log.info("entry_linked_by_staff", entry_id=entry_id, entries=changed, staff=staff)
        return changed

    def reject(self, entry_id: int, reason: str, *, staff: str) -> list[int]:
        now = self.clock.now()
        with self.sessions.begin() as session:
            entries = self._siblings(session, entry_id)
            for entry in entries:
                entry.status, entry.reason, entry.updated_at = EntryStatus.REJECTED.value, reason, now
            announce(session, "cr_entries")
        log.info("entry_rejected_by_staff", entry_id=entry_id, staff=staff)
        return [e.id for e in entries]
