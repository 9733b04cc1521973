"""The audit trail: every link, unlink, reject, registration, account and setting change, appended in the same
transaction as the change itself, hash-chained, never updated or deleted by the application."""

from __future__ import annotations

import csv
import socket
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kiosk.core.audit_chain import GENESIS, ChainBreak, record_hash, verify_chain
from kiosk.store.changes import announce
from kiosk.store.db import read_sessions
from kiosk.store.models import AuditHead, AuditRecord

WORKSTATION = socket.gethostname()[:128]
HEAD_ID = 1


@dataclass(frozen=True)
class AuditEvent:
    actor: str
    action: str
    entry_id: int | None = None
    subject: str | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    reason: str | None = None


def _content(row: AuditRecord) -> dict[str, Any]:
    return {
        "at": row.at.isoformat(timespec="seconds"), "actor": row.actor, "workstation": row.workstation,
        "action": row.action, "entry_id": row.entry_id, "subject": row.subject, "before": row.before,
        "after": row.after, "reason": row.reason,
    }  # fmt: skip


def append(session: Session, event: AuditEvent, now: datetime) -> int:
    """Inside the caller's write transaction: the change and its audit record commit together."""
    head = session.get(AuditHead, HEAD_ID, with_for_update=True)
    if head is None:
        head = AuditHead(id=HEAD_ID, last_id=0, last_hash=GENESIS)
        session.add(head)
        session.flush()
    row = AuditRecord(at=now.replace(microsecond=0), actor=event.actor, workstation=WORKSTATION, action=event.action,
                      entry_id=event.entry_id, subject=event.subject, before=event.before, after=event.after,
                      reason=event.reason, prev_hash=head.last_hash, hash="")  # fmt: skip
    row.hash = record_hash(head.last_hash, _content(row))
    session.add(row)
    session.flush()
    head.last_id, head.last_hash = row.id, row.hash
    announce(session, "audit_log")
    return row.id


class AuditTrail:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self.reads = read_sessions(sessions)

    def verify(self) -> tuple[int, ChainBreak | None]:
        """(records checked, the first break or None)."""
        with self.reads() as session:
            rows = session.scalars(select(AuditRecord).order_by(AuditRecord.id)).all()
            head = session.get(AuditHead, HEAD_ID)
            found = verify_chain(((r.id, r.prev_hash, r.hash, _content(r)) for r in rows),
                                 head.last_hash if head else None)  # fmt: skip
            return len(rows), found

    def records(self, *, limit: int = 500, entry_id: int | None = None) -> list[AuditRecord]:
        with self.reads() as session:
            query = select(AuditRecord).order_by(AuditRecord.id.desc()).limit(limit)
            if entry_id is not None:
                query = query.where(AuditRecord.entry_id == entry_id)
            return list(session.scalars(query))

    def export_csv(self, path: Path) -> int:
        """Every record, oldest first, UTF-8 with BOM so Excel on a reception PC opens it correctly."""
        with self.reads() as session, path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "at", "actor", "workstation", "action", "entry_id", "subject", "before", "after",
                             "reason", "prev_hash", "hash"])  # fmt: skip
            count = 0
            for row in session.scalars(select(AuditRecord).order_by(AuditRecord.id)):
                cells = (row.id, row.at.isoformat(timespec="seconds"), row.actor, row.workstation, row.action,
                         row.entry_id, row.subject, row.before, row.after, row.reason, row.prev_hash, row.hash)
                writer.writerow([spreadsheet_safe(v) for v in cells])
                count += 1
            return count


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula (= + - @, or a tab/CR before one) is kept as text by
    a leading apostrophe (OWASP CSV injection); numbers and empty cells are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
