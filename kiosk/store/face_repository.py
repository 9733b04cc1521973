"""Storing face files and CR list entries: one transaction per file, idempotent on (name, hash)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kiosk.core.face import EntryStatus, FaceDocument, FaceProblem, Identity
from kiosk.core.linking import LinkOutcome
from kiosk.store.changes import announce
from kiosk.store.models import CrEntry, FaceFile, FolderProblem, ServiceStatus

CONFLICT_REASON = (
    "同じ名前で内容の異なるファイルが既にあります（上書きしていません）"
    " / a file with this name but different content was already stored (not overwritten)"
)


class Recorded(StrEnum):
    INGESTED = "ingested"
    QUARANTINED = "quarantined"
    CONFLICT = "conflict"
    DUPLICATE = "duplicate"
    SUPERSEDED = "superseded"  # a failed read of a file that was later stored complete: bytes kept, no entries
    EQUIVALENT = "equivalent"  # a rewrite whose parsed content equals the stored file's: bytes kept, no entries


SUPERSEDED_REASON = (
    "後から読んだ完全なファイルに置き換えました（このときの内容は記録として保存しています）"
    " / replaced by the complete file read later (these bytes are kept for the record)"
)


@dataclass(frozen=True)
class FileFacts:
    """What we know of a file apart from its content."""

    file_name: str
    sha256: str
    size: int
    mtime: datetime
    mtime_ns: int
    name_timestamp: datetime | None
    captured_at: datetime
    source: str


def name_key(file_name: str) -> str:
    """Windows shares are case-insensitive: OQSsiquc01res_face_X.xml and .XML are one file."""
    return file_name.casefold()


class FaceRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    @contextmanager
    def claimed(self, file_name: str) -> Iterator[bool]:
        """While True, this process is the one working on the file (PostgreSQL advisory lock on its name): other
        agents skip it this round instead of matching it too and losing the insert. SQLite: always True (one
        writer at a time anyway; the unique constraint still guards)."""
        engine = self.sessions.kw["bind"]
        if engine.dialect.name != "postgresql":
            yield True
            return
        key = int.from_bytes(hashlib.sha256(name_key(file_name).encode("utf-8")).digest()[:8], "big", signed=True)
        with engine.connect() as raw:
            connection = raw.execution_options(isolation_level="AUTOCOMMIT")
            mine = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
            try:
                yield mine
            finally:
                if mine:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})

    def known_files(self, since: date | None = None) -> dict[str, tuple[int, int]]:
        """name_key → (size, mtime_ns) of stored files, to skip unchanged files after a restart."""
        with self.sessions() as session:
            query = select(FaceFile.name_key, FaceFile.size, FaceFile.mtime_ns)
            if since is not None:
                query = query.where(FaceFile.entry_date >= since)
            return {key: (size, mtime_ns) for key, size, mtime_ns in session.execute(query)}

    def stored_documents(self, file_name: str) -> list[bytes]:
        """The bytes of the files stored under this name whose results are in the CR list (ingested or conflict)."""
        with self.sessions() as session:
            rows = session.scalars(
                select(FaceFile.raw).where(
                    FaceFile.name_key == name_key(file_name),
                    FaceFile.state.in_((Recorded.INGESTED.value, Recorded.CONFLICT.value)),
                )
            ).all()
            return [raw for raw in rows if raw is not None]

    def has(self, file_name: str, sha256: str) -> bool:
        with self.sessions() as session:
            found = session.scalar(
                select(FaceFile.id).where(FaceFile.name_key == name_key(file_name), FaceFile.sha256 == sha256)
            )
            return found is not None

    def record(
        self,
        facts: FileFacts,
        raw: bytes | None,
        parsed: FaceDocument | FaceProblem,
        *,
        today: date,
        outcomes: list[LinkOutcome],
        now: datetime,
        history: dict[int, int] | None = None,
        equivalent: bool = False,
        before_commit: Callable[[Session, Sequence[CrEntry]], None] | None = None,
    ) -> tuple[Recorded, list[int]]:
        """Store the file and its entries atomically; `outcomes` holds one decision per result,
        made before the write transaction so the matcher's reads never wait on our own lock.
        `history` maps a lapsed result's index to the index of the same person's current result;
        `equivalent` says the parsed content is that of a file already stored under this name; `before_commit`
        sees the new entries inside the transaction (the service audits automatic links there).
        Earlier failed reads of the same name are superseded: their bytes stay, their error rows go."""
        key = name_key(facts.file_name)
        session = self.sessions()
        try:
            with session.begin():
                existing = session.execute(
                    select(FaceFile.sha256, FaceFile.state).where(FaceFile.name_key == key)
                ).all()
                if any(sha == facts.sha256 for sha, _state in existing):
                    return Recorded.DUPLICATE, []
                conflict = isinstance(parsed, FaceDocument) and any(
                    state in (Recorded.INGESTED, Recorded.CONFLICT) for _sha, state in existing
                )
                entry_date = facts.captured_at.date()
                actionable = entry_date == today
                if isinstance(parsed, FaceProblem):
                    state = Recorded.QUARANTINED
                elif conflict and equivalent:
                    state = Recorded.EQUIVALENT
                elif conflict:
                    state = Recorded.CONFLICT
                else:
                    state = Recorded.INGESTED
                self._supersede_failed(session, key, now)
                face_file = FaceFile(
                    file_name=facts.file_name,
                    name_key=key,
                    sha256=facts.sha256,
                    size=facts.size,
                    mtime=facts.mtime,
                    mtime_ns=facts.mtime_ns,
                    name_timestamp=facts.name_timestamp,
                    captured_at=facts.captured_at,
                    entry_date=entry_date,
                    source=facts.source,
                    raw=raw,
                    encoding=parsed.encoding if isinstance(parsed, FaceDocument) else None,
                    encoding_basis=parsed.encoding_basis if isinstance(parsed, FaceDocument) else None,
                    state=state.value,
                    problem_code=parsed.code if isinstance(parsed, FaceProblem) else None,
                    reason=parsed.reason
                    if isinstance(parsed, FaceProblem)
                    else (CONFLICT_REASON if conflict else None),
                    warnings=list(parsed.warnings) if isinstance(parsed, FaceDocument) else None,
                    ingested_at=now,
                )
                session.add(face_file)
                base = {
                    "entry_date": entry_date,
                    "captured_at": facts.captured_at,
                    "created_at": now,
                    "updated_at": now,
                }
                if state is Recorded.EQUIVALENT:
                    pass  # the visit is already in the list once
                elif isinstance(parsed, FaceProblem):
                    face_file.entries.append(
                        CrEntry(
                            result_index=0,
                            actionable=False,
                            status=EntryStatus.ERROR.value,
                            reason=parsed.reason,
                            **base,
                        )
                    )
                else:
                    for index, result in enumerate(parsed.results):
                        outcome: LinkOutcome = (
                            LinkOutcome(EntryStatus.NEEDS_REVIEW, reason=CONFLICT_REASON)
                            if conflict
                            else outcomes[index]
                        )
                        face_file.entries.append(
                            CrEntry(
                                result_index=index,
                                actionable=actionable,
                                status=outcome.status.value,
                                classification=result.classification,
                                details=result.details,
                                patient_id=outcome.patient_id,
                                link_method=outcome.link_method.value if outcome.link_method else None,
                                reason=outcome.reason,
                                match_result=outcome.decision,
                                qualification=result.qualification,
                                qualification_validity=result.validity,
                                notice=result.notice,
                                **_identity_columns(result.identity),
                                **base,
                            )
                        )
                session.flush()
                ids = [entry.id for entry in face_file.entries]
                for lapsed, current in (history or {}).items():
                    face_file.entries[lapsed].history_of = face_file.entries[current].id
                if before_commit is not None:
                    before_commit(session, face_file.entries)
                announce(session, "cr_entries")
            return state, ids
        except IntegrityError:
            # Another agent stored the same (name, hash) between our check and our commit.
            return Recorded.DUPLICATE, []
        finally:
            session.close()

    @staticmethod
    def _supersede_failed(session: Session, key: str, now: datetime) -> None:
        failed = session.scalars(
            select(FaceFile).where(FaceFile.name_key == key, FaceFile.state == Recorded.QUARANTINED.value)
        ).all()
        for older in failed:
            older.state, older.reason = Recorded.SUPERSEDED.value, f"{SUPERSEDED_REASON}（{older.reason}）"
            for entry in list(older.entries):
                if entry.status == EntryStatus.ERROR.value:
                    session.delete(entry)

    def entries_on(self, day: date) -> list[tuple[CrEntry, FaceFile]]:
        with self.sessions() as session:
            rows = session.execute(
                select(CrEntry, FaceFile)
                .join(FaceFile, CrEntry.face_file_id == FaceFile.id)
                .where(CrEntry.entry_date == day)
                .order_by(CrEntry.captured_at, CrEntry.id)
            ).all()
            return [(entry, face_file) for entry, face_file in rows]

    def set_status(self, component: str, state: str, message: str | None, now: datetime) -> None:
        with self.sessions.begin() as session:
            row = session.get(ServiceStatus, component)
            if row is None:
                session.add(ServiceStatus(component=component, state=state, message=message, updated_at=now))
            else:
                row.state, row.message, row.updated_at = state, message, now

    # -- files that cannot be read -------------------------------------------------------------------
    def note_problem(self, source: str, name: str, code: str, reason: str, now: datetime) -> bool:
        """Record (or refresh) a file that cannot be read; True when it is new or its reason changed."""
        with self.sessions.begin() as session:
            row = session.scalar(select(FolderProblem).where(FolderProblem.source == source,
                                                             FolderProblem.name == name))  # fmt: skip
            if row is None:
                session.add(FolderProblem(source=source, name=name, code=code, reason=reason, first_seen=now,
                                          last_seen=now, attempts=1))  # fmt: skip
                announce(session, "folder_problems")
                return True
            changed = row.code != code
            row.code, row.reason, row.last_seen, row.attempts = code, reason, now, row.attempts + 1
            return changed

    def resolve_problems(self, source: str, names: set[str], *, keep: bool = False) -> int:
        """Forget problems of these names (read at last, or gone); with `keep`, forget all others instead."""
        with self.sessions.begin() as session:
            rows = session.scalars(select(FolderProblem).where(FolderProblem.source == source)).all()
            gone = [row for row in rows if (row.name not in names) == keep]
            for row in gone:
                session.delete(row)
            if gone:
                announce(session, "folder_problems")
            return len(gone)

    def problems(self) -> list[FolderProblem]:
        with self.sessions() as session:
            return list(session.scalars(select(FolderProblem).order_by(FolderProblem.first_seen, FolderProblem.id)))

    def statuses(self) -> list[ServiceStatus]:
        with self.sessions() as session:
            return list(session.scalars(select(ServiceStatus).order_by(ServiceStatus.component)))

    def quarantined_count(self, day: date) -> int:
        with self.sessions() as session:
            return len(
                session.scalars(
                    select(FaceFile.id).where(FaceFile.entry_date == day, FaceFile.state == Recorded.QUARANTINED.value)
                ).all()
            )


def _identity_columns(identity: Identity) -> dict[str, str | None]:
    return {field.name: getattr(identity, field.name) for field in fields(identity)}
