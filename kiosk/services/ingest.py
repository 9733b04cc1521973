"""Ingestion: from files in the face folder to committed CR利用者リスト entries.

Each file is read twice until stable, stored byte for byte with its hash and parsed in one
transaction, so a kill at any moment leaves it either absent (read again next time) or complete.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from adapters.oqs.face_folder import FaceFolder, FolderUnavailable, Listed, Snapshot, Trouble, Unstable
from adapters.oqs.face_xml import ExpectedEncoding, oversize_problem, parse_face_file, problem
from kiosk.core.clock import Clock
from kiosk.core.face import LINKED_STATUSES, EntryStatus, FaceDocument, FaceProblem, timestamp_from_name
from kiosk.core.linking import Linker, LinkOutcome
from kiosk.core.qualification import lapsed_history
from kiosk.logsetup import get_logger
from kiosk.services.audit import AGENT, AuditEvent, append
from kiosk.store.face_repository import FaceRepository, FileFacts, Recorded, name_key
from kiosk.store.models import CrEntry

log = get_logger("uketsuke.ingest")

#: A file that cannot be read is tried again after this long, not at every poll.
TROUBLE_RETRY_SECONDS = 60.0

STILL_WRITING = problem(
    "still_writing",
    "書き込みが終わらないファイルです（内容が変わり続けています）",
    "the file kept changing while it was read (still being written?)",
)


@dataclass
class IngestReport:
    stored: int = 0
    entries: int = 0
    quarantined: int = 0
    conflicts: int = 0
    duplicates: int = 0
    pending: int = 0
    troubled: int = 0  # files that cannot be read (listed for staff, tried again calmly)
    entry_ids: list[int] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)

    def add(self, other: IngestReport) -> None:
        for name in ("stored", "entries", "quarantined", "conflicts", "duplicates"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.entry_ids += other.entry_ids
        self.pending = other.pending
        self.troubled = other.troubled
        self.unavailable = other.unavailable


class IngestService:
    def __init__(
        self,
        repository: FaceRepository,
        folders: list[FaceFolder],
        *,
        linker: Linker,
        clock: Clock,
        write_grace_seconds: float,
        expected_encoding: ExpectedEncoding = "auto",
        on_folder_state: Callable[[FaceFolder, bool, str | None], None] | None = None,
    ) -> None:
        self.repository = repository
        self.folders = folders
        self.linker = linker
        self.clock = clock
        self.write_grace = write_grace_seconds
        self.expected_encoding = expected_encoding
        self.on_folder_state = on_folder_state
        self._seen: dict[str, tuple[int, int]] = {}
        self._folder_up: dict[str, bool] = {}
        self._pending: set[str] = set()
        self._retry_at: dict[str, float] = {}  # source + name of a file that cannot be read → next try (monotonic)
        self.trouble_retry_seconds = TROUBLE_RETRY_SECONDS

    def warm_up(self) -> None:
        """Remember what is already stored so a restart does not re-read every old file."""
        self._seen.update(self.repository.known_files(self.clock.now().date() - timedelta(days=31)))

    def scan(self, only: Iterable[str] | None = None, *, final: bool = False) -> IngestReport:
        """One pass over every folder (or just the named files). `final` stores what is still odd."""
        report = IngestReport()
        names = set(only) if only is not None else None
        for folder in self.folders:
            try:
                listing = folder.listing(names)
            except FolderUnavailable as exc:
                self._folder_state(folder, False, str(exc))
                report.unavailable.append(folder.source)
                continue
            self._folder_state(folder, True, None)
            for trouble in listing.troubles:
                self._trouble(folder, trouble)
            due = time.monotonic()
            fresh = [
                item for item in listing.files
                if self._seen.get(name_key(item.name)) != (item.size, item.mtime_ns)
                and self._retry_at.get(self._trouble_key(folder, item.name), 0.0) <= due
            ]  # fmt: skip
            if fresh:
                self._ingest(folder, fresh, report, final=final)
            if names is None:  # a full listing: problems of files read at last, or gone, are over
                still = {t.name for t in listing.troubles} | {
                    item.name for item in listing.files if self._trouble_key(folder, item.name) in self._retry_at
                }
                self._forget_troubles(folder, still)
        report.pending = len(self._pending)
        report.troubled = len(self._retry_at)
        return report

    @staticmethod
    def _trouble_key(folder: FaceFolder, name: str) -> str:
        return f"{folder.source}\0{name}"

    def _trouble(self, folder: FaceFolder, trouble: Trouble) -> None:
        """One file that cannot be read: recorded for staff and `status`, logged once, tried again calmly."""
        key = self._trouble_key(folder, trouble.name)
        now = time.monotonic()
        if self._retry_at.get(key, 0.0) > now:
            return
        self._retry_at[key] = now + self.trouble_retry_seconds
        if self.repository.note_problem(folder.source, trouble.name, trouble.code, trouble.reason, self.clock.now()):
            log.warning("face_file_unreadable", folder=folder.source, file=trouble.name, code=trouble.code)

    def _forget_troubles(self, folder: FaceFolder, still: set[str]) -> None:
        prefix = f"{folder.source}\0"
        for key in [k for k in self._retry_at if k.startswith(prefix) and k[len(prefix) :] not in still]:
            del self._retry_at[key]
        if self.repository.resolve_problems(folder.source, still, keep=True):
            log.info("face_file_readable_again", folder=folder.source)

    def drain(self, *, timeout: float | None = None) -> IngestReport:
        """Scan until nothing is left waiting (half-written files get `write_grace` to finish)."""
        limit = time.monotonic() + (self.write_grace + 1.0 if timeout is None else timeout)
        total = IngestReport()
        while True:
            report = self.scan()
            total.add(report)
            if not report.pending:
                return total
            if time.monotonic() >= limit:
                total.add(self.scan(self._pending_names(), final=True))
                return total
            time.sleep(min(0.2, max(0.01, self.write_grace / 10)))

    def _pending_names(self) -> set[str]:
        return {key.split("\0", 1)[1] for key in self._pending}

    def _folder_state(self, folder: FaceFolder, up: bool, message: str | None) -> None:
        if self._folder_up.get(folder.source) == up:
            return
        self._folder_up[folder.source] = up
        if up:
            log.info("face_folder_available", folder=folder.source)
        else:
            log.warning("face_folder_unavailable", folder=folder.source, detail=message)
        if self.on_folder_state is not None:
            self.on_folder_state(folder, up, message)

    def _ingest(self, folder: FaceFolder, listed: list[Listed], report: IngestReport, *, final: bool) -> None:
        now = self.clock.now()
        for item in folder.read_stable(listed):
            if isinstance(item, Trouble):
                self._trouble(folder, item)
                continue
            pending_key = f"{folder.source}\0{(item.name if isinstance(item, Snapshot) else item.listed.name)}"
            if isinstance(item, Unstable):
                if item.vanished:
                    self._pending.discard(pending_key)
                    log.info("face_file_vanished", file=item.listed.name, folder=folder.source)
                    continue
                if not final and self._young(item.listed.mtime_ns, now):
                    self._pending.add(pending_key)
                    continue
                snapshot = self._last_read(folder, item.listed)
                if snapshot is None:
                    continue
                # the last read may well be the finished file: use it if it parses, else keep it as still writing
                last = self._parse(folder, snapshot)
                still = isinstance(last, FaceProblem) and last.maybe_incomplete
                self._store(folder, snapshot, STILL_WRITING if still else last, report, now)
            else:
                with self.repository.claimed(item.name) as mine:
                    if not mine:  # another agent is on it; next round it is a known file
                        self._pending.add(pending_key)
                        continue
                    if self.repository.has(item.name, item.sha256):
                        self._remember(item)
                        self._pending.discard(pending_key)
                        continue
                    parsed = self._parse(folder, item)
                    if (
                        isinstance(parsed, FaceProblem)
                        and parsed.maybe_incomplete
                        and not final
                        and self._young(item.mtime_ns, now)
                    ):
                        self._pending.add(pending_key)
                        continue
                    self._store(folder, item, parsed, report, now)
            self._pending.discard(pending_key)

    def _last_read(self, folder: FaceFolder, listed: Listed) -> Snapshot | None:
        reads = FaceFolder(folder.path, source=folder.source, max_bytes=folder.max_bytes, settle_seconds=0)
        result = reads.read_stable([listed])[0]
        return result if isinstance(result, Snapshot) else None

    def _young(self, mtime_ns: int, now: datetime) -> bool:
        age = time.time() - mtime_ns / 1e9
        return age < self.write_grace

    def _parse(self, folder: FaceFolder, snapshot: Snapshot) -> FaceDocument | FaceProblem:
        if snapshot.data is None:
            return oversize_problem(snapshot.size, folder.max_bytes)
        return parse_face_file(snapshot.data, max_bytes=folder.max_bytes, expected_encoding=self.expected_encoding)

    def _store(
        self,
        folder: FaceFolder,
        snapshot: Snapshot,
        parsed: FaceDocument | FaceProblem,
        report: IngestReport,
        now: datetime,
    ) -> None:
        mtime = datetime.fromtimestamp(snapshot.mtime_ns / 1e9).replace(microsecond=0)
        stamp = timestamp_from_name(snapshot.name)
        facts = FileFacts(
            file_name=snapshot.name,
            sha256=snapshot.sha256,
            size=snapshot.size,
            mtime=mtime,
            mtime_ns=snapshot.mtime_ns,
            name_timestamp=stamp,
            captured_at=stamp or mtime,
            source=folder.source,
        )
        actionable = facts.captured_at.date() == now.date()
        outcomes: list[LinkOutcome] = []
        history: dict[int, int] = {}
        equivalent = False
        if isinstance(parsed, FaceDocument):
            history = lapsed_history(parsed.results)
            for index, result in enumerate(parsed.results):
                if index not in history:
                    outcomes.append(self.linker.link(result.identity, actionable=actionable))
                else:
                    outcomes.append(LinkOutcome(EntryStatus.NEEDS_REVIEW))  # replaced below
            for lapsed, current in history.items():
                outcomes[lapsed] = outcomes[current]  # the same person: the same patient and decision
            equivalent = any(self._same_content(folder, parsed, raw) for raw in
                             self.repository.stored_documents(snapshot.name))  # fmt: skip
        state, ids = self.repository.record(facts, snapshot.data, parsed, today=now.date(), outcomes=outcomes,
                                            now=now, history=history, equivalent=equivalent,
                                            before_commit=lambda session, entries: audit_auto_links(
                                                session, entries, now))  # fmt: skip
        self._remember(snapshot)
        if self._retry_at.pop(self._trouble_key(folder, snapshot.name), None) is not None:
            self.repository.resolve_problems(folder.source, {snapshot.name})
        if state is Recorded.DUPLICATE:
            report.duplicates += 1
            return
        if state is Recorded.EQUIVALENT:
            report.duplicates += 1
            log.info("face_file_rewritten_same_content", file=snapshot.name, sha256=snapshot.sha256[:16])
            return
        report.stored += 1
        report.entries += len(ids)
        report.entry_ids += ids
        if state is Recorded.QUARANTINED:
            report.quarantined += 1
            assert isinstance(parsed, FaceProblem)
            log.warning("face_file_quarantined", file=snapshot.name, sha256=snapshot.sha256[:16], code=parsed.code)
        elif state is Recorded.CONFLICT:
            report.conflicts += 1
            log.warning("face_file_name_conflict", file=snapshot.name, sha256=snapshot.sha256[:16], entries=ids)
        else:
            log.info("face_file_ingested", file=snapshot.name, sha256=snapshot.sha256[:16], entries=ids)
        if isinstance(parsed, FaceDocument) and parsed.warnings:
            log.info("face_file_warnings", file=snapshot.name, warnings=len(parsed.warnings))

    def _same_content(self, folder: FaceFolder, parsed: FaceDocument, raw: bytes) -> bool:
        """A rewrite that changed only bytes (whitespace, declaration), not what the file says."""
        stored = parse_face_file(raw, max_bytes=folder.max_bytes, expected_encoding=self.expected_encoding)
        return isinstance(stored, FaceDocument) and (stored.header, stored.results) == (parsed.header, parsed.results)

    def _remember(self, snapshot: Snapshot) -> None:
        self._seen[name_key(snapshot.name)] = (snapshot.size, snapshot.mtime_ns)


def audit_auto_links(session: Session, entries: Sequence[CrEntry], now: datetime) -> None:
    """An automatic link is a decision about a person: one audit record per file, in the file's own transaction."""
    linked = [e for e in entries if e.status in LINKED_STATUSES and e.patient_id and e.history_of is None]
    if not linked:
        return
    first = linked[0]
    append(session, AuditEvent(AGENT, "auto_link", first.id, first.patient_id,
                               after={"entries": [e.id for e in linked], "method": first.link_method,
                                      "file": first.face_file_id}), now)  # fmt: skip
