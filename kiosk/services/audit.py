"""The audit trail: every link, unlink, reject, registration, account and setting change — and the automated
decisions (auto-links, kiosk links and confirmations, receptions, 照会番号 requests) and reads of personal data
(a patient's detail in the console, CLI listings) — appended in the same transaction as the change itself, sealed
with a key the store does not hold (kiosk/core/audit_chain.py), anchored in a file outside the store after each
commit, and refused UPDATE and DELETE by the database itself (migration 0014's triggers)."""

from __future__ import annotations

import csv
import getpass
import os
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kiosk.core.audit_chain import GENESIS, ChainBreak, ChainRecord, key_id_of, record_mac, verify_chain
from kiosk.core.errors import StoreError
from kiosk.logsetup import get_logger
from kiosk.private_files import tighten
from kiosk.store.changes import announce
from kiosk.store.db import read_sessions
from kiosk.store.models import AuditHead, AuditRecord

WORKSTATION = socket.gethostname()[:128]
HEAD_ID = 1
SEAL = "audit_seal"  # the sessionmaker's info key
log = get_logger("uketsuke.audit")


@dataclass
class AuditSeal:
    """The keys that seal and check records (the newest seals), and the anchor file outside the store."""

    keys: dict[str, bytes]
    active: str
    anchor: Path | None

    def write_anchor(self, lines: list[str]) -> None:
        if self.anchor is None or not lines:
            return
        try:
            self.anchor.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.anchor, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0), 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as handle:
                handle.write("".join(lines))
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            log.error("audit_anchor_failed", error=type(exc).__name__,
                      ja="監査記録の控えを書けません", en="cannot write the audit anchor file")  # fmt: skip
        for line in lines:
            record_id, digest = line.split()[:2]
            log.info("audit_anchor", record=int(record_id), hash=digest)  # also the Windows Event Log there

    def anchors(self) -> list[tuple[int, str]]:
        if self.anchor is None or not self.anchor.is_file():
            return []
        found = []
        for line in self.anchor.read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0].isdigit() and len(parts[1]) == 64:
                found.append((int(parts[0]), parts[1]))
        return found


def load_seal(key_dir: Path, anchor: Path | None, *, create: bool = True) -> AuditSeal:
    """Every `audit-*.key` in `key_dir` (32 random bytes, 0600); the newest seals new records. A missing key is
    made on first use, so a new install seals from its first record; rotating is adding a newer key file."""
    keys: dict[str, tuple[float, bytes]] = {}
    tighten(key_dir, folder=True)
    if key_dir.is_dir():
        for path in key_dir.glob("audit-*.key"):
            try:
                key = path.read_bytes()
            except OSError:
                continue
            if len(key) == 32:
                keys[key_id_of(key)] = (path.stat().st_mtime, key)
    if not keys:
        if not create:
            raise StoreError("audit_key_missing", f"監査記録の鍵がありません（{key_dir}）",
                             f"no audit key in {key_dir}")  # fmt: skip
        try:
            key = new_key(key_dir)
        except OSError as exc:
            raise StoreError("audit_key_unwritable", f"監査記録の鍵を作れません（{key_dir} に書けません）",
                             f"cannot create the audit key in {key_dir} ({type(exc).__name__})") from None  # fmt: skip
        keys[key_id_of(key)] = (0.0, key)
    active = max(keys, key=lambda k: keys[k][0])
    return AuditSeal({k: v[1] for k, v in keys.items()}, active, anchor)


def new_key(key_dir: Path) -> bytes:
    """A new sealing key file (the next records use it: a new chain segment)."""
    key = secrets.token_bytes(32)
    key_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(key_dir, 0o700)
    path = key_dir / f"audit-{key_id_of(key)}.key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
        handle.flush()
        os.fsync(handle.fileno())
    return key


def rotate_key(sessions: sessionmaker[Session], key_dir: Path, actor: str, now: datetime) -> str:
    """A new sealing key: this process seals with it at once (the rotation record is the first of its segment);
    other programs take it at their next start — with several PCs, copy the new file to each before restarting
    them. Old keys stay: they are what checks the older records."""
    seal = seal_of(sessions)
    key = new_key(key_dir)
    key_id = key_id_of(key)
    previous = seal.active
    seal.keys[key_id], seal.active = key, key_id
    record(sessions, AuditEvent(actor, "audit_key_rotated", subject=key_id, before={"key_id": previous}), now)
    return key_id


def seal_of(sessions_or_session: sessionmaker[Session] | Session) -> AuditSeal:
    info = sessions_or_session.kw.get("info", {}) if isinstance(sessions_or_session, sessionmaker) else \
        sessions_or_session.info
    seal = info.get(SEAL)
    if not isinstance(seal, AuditSeal):
        raise StoreError("audit_unsealed", "監査記録の鍵が設定されていません",
                         "the store was opened without audit keys")  # fmt: skip
    return seal


def _anchor_after_commit(session: Session) -> None:
    seal = session.info.get(SEAL)
    lines = session.info.pop("audit_pending", [])
    if isinstance(seal, AuditSeal):
        seal.write_anchor(lines)


def _forget_after_rollback(session: Session) -> None:
    session.info.pop("audit_pending", None)


AGENT = "agent"  # the agent's automatic decisions (auto-link, reception, 照会番号 after a link)


def kiosk_actor(kiosk_id: str) -> str:
    """A kiosk's decisions are the patient's own at that kiosk (はい, their card), recorded under its name."""
    return f"kiosk:{kiosk_id}"[:64]


def os_actor() -> str:
    """Who ran a command-line listing: the operating-system account (the CLI has no staff login)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a container) or no login name
        user = f"uid{os.getuid()}" if hasattr(os, "getuid") else "unknown"
    return f"os:{user}"[:64]


def record(sessions: sessionmaker[Session], event: AuditEvent, now: datetime) -> int:
    """An audit record in its own transaction: for reads and for decisions whose change happened elsewhere (the
    registry's reception)."""
    with sessions.begin() as session:
        return append(session, event, now)


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
    """Inside the caller's write transaction: the change and its audit record commit together. The id is the
    head's plus one under the head's lock, so ids never skip (a PostgreSQL sequence would after a rollback)."""
    seal = seal_of(session)
    head = session.get(AuditHead, HEAD_ID, with_for_update=True)
    if head is None:
        head = AuditHead(id=HEAD_ID, last_id=0, last_hash=GENESIS)
        session.add(head)
        session.flush()
    row = AuditRecord(id=head.last_id + 1, at=now.replace(microsecond=0), actor=event.actor, workstation=WORKSTATION,
                      action=event.action, entry_id=event.entry_id, subject=event.subject, before=event.before,
                      after=event.after, reason=event.reason, prev_hash=head.last_hash, key_id=seal.active,
                      hash="")  # fmt: skip
    row.hash = record_mac(seal.keys[seal.active], head.last_hash, row.id, seal.active, _content(row))
    session.add(row)
    session.flush()
    head.last_id, head.last_hash = row.id, row.hash
    announce(session, "audit_log")
    pending = session.info.setdefault("audit_pending", [])
    if not pending:
        sa_event.listen(session, "after_commit", _anchor_after_commit, once=True)
        sa_event.listen(session, "after_soft_rollback", lambda s, _t: _forget_after_rollback(s), once=True)
    pending.append(f"{row.id} {row.hash} {row.at.isoformat(timespec='seconds')}\n")
    return row.id


class AuditTrail:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self.reads = read_sessions(sessions)

    def verify(self) -> tuple[int, ChainBreak | None]:
        """(records checked, the first finding or None)."""
        count, found = self.findings()
        return count, found[0] if found else None

    def findings(self) -> tuple[int, list[ChainBreak]]:
        """(records checked, everything wrong: edits, gaps, a cut end, records missing against the anchor)."""
        seal = seal_of(self.sessions)
        with self.reads() as session:
            rows = session.scalars(select(AuditRecord).order_by(AuditRecord.id)).all()
            head = session.get(AuditHead, HEAD_ID)
            records = (ChainRecord(r.id, r.prev_hash, r.hash, r.key_id, _content(r)) for r in rows)
            return verify_chain(records, (head.last_id, head.last_hash) if head else None, seal.keys,
                                seal.anchors())  # fmt: skip

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
