"""照会番号 registration: from a link without a valid 照会番号 to a `done` (or `failed` / `uncertain`)
registration, through the terminal's req/res folders.

Intent is stored before anything is written (state `publishing` with the reserved file name), so a
crash at any point is recovered on restart without sending anything twice: what cannot be proven
is marked `uncertain` for staff.
"""

from __future__ import annotations

import hashlib
import time
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from adapters.oqs.reference_files import (
    BULK_DOWNLOAD,
    BULK_UPLOAD,
    SINGLE_REQUEST,
    RequestEncoding,
    download_request,
    parse_answer,
    parse_bulk_result,
    publish,
    read_result_bytes,
    registration_request,
    result_name,
)
from kiosk.core.clock import Clock
from kiosk.core.face import EntryStatus, FaceProblem, LinkMethod
from kiosk.core.qualification import is_valid
from kiosk.core.reference import (
    ACTIVE_STATES,
    Answer,
    InsuranceChoice,
    ReferenceRequest,
    ReferenceRuleError,
    RegistrationState,
    build_request,
    choose_insurance,
)
from kiosk.logsetup import get_logger
from kiosk.services.audit import AGENT, AuditEvent, append, os_actor
from kiosk.store.bulk import insert_many, table_of
from kiosk.store.changes import announce
from kiosk.store.lease import acquire, default_holder
from kiosk.store.models import (
    BulkRegistrationJob,
    CrEntry,
    FileSequence,
    Patient,
    PatientInsuranceRow,
    ProcessedResult,
    ReferenceRegistration,
)

log = get_logger("uketsuke.reference")

UNCERTAIN_TIMEOUT = (
    "一定時間内に結果がありません（再送していません。スタッフが確認してください）"
    " / no answer in time (nothing was resent; staff decide)"
)
WRITER_LEASE = "reference-writer"
LEASE_TTL = timedelta(seconds=30)
UNCERTAIN_CRASH = (
    "発行の途中で停止しました（送信されたか不明） / stopped while publishing (whether it was sent is unknown)"
)
UNCERTAIN_MISMATCH = "結果の内容が依頼と一致しません / the answer does not match the request"


@dataclass(frozen=True)
class BulkStart:
    job_id: int | None
    patients: int
    skipped: list[tuple[str, str]]


@dataclass(frozen=True)
class ReferenceFolders:
    institution_code: str
    req: Path
    res: Path
    encoding: RequestEncoding
    answer_timeout: timedelta


class ReferenceService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        folders: ReferenceFolders,
        clock: Clock,
        bulk_poll: timedelta = timedelta(seconds=30),
        register_after_link: bool = True,
        holder: str | None = None,
    ) -> None:
        self.sessions = sessions
        self.folders = folders
        self.clock = clock
        self.bulk_poll = bulk_poll
        self.register_after_link = register_after_link
        self.holder = holder or default_holder()

    # -- wanting a registration -----------------------------------------------------------------
    def request(
        self, patient_id: str, choice: InsuranceChoice, *, trigger: str, entry_id: int | None = None,
        actor: str = AGENT,
    ) -> int | None:
        """A pending registration, or None when one is already active or done for this qualification. Audited
        under `actor` (the agent after a link, or the member of staff who asked) in the same transaction."""
        try:
            wanted = build_request(
                patient_id, choice.insurer_number, choice.insured_card_symbol, choice.insured_identification_number,
                choice.insured_branch_number,
            )  # fmt: skip
        except ReferenceRuleError as exc:
            log.warning("reference_not_requested", entry_id=entry_id, reason=exc.en)
            return None
        now = self.clock.now()
        with self.sessions.begin() as session:
            for row in session.scalars(
                select(ReferenceRegistration).where(ReferenceRegistration.patient_id == patient_id)
            ):
                same = _request_of(row).key() == wanted.key() and row.reference_number == wanted.reference_number
                if same and (row.state in ACTIVE_STATES or row.state == RegistrationState.DONE):
                    return None
            row = ReferenceRegistration(
                patient_id=patient_id, entry_id=entry_id, trigger=trigger, state=RegistrationState.PENDING,
                reference_number=wanted.reference_number, insurer_number=wanted.insurer_number,
                insured_card_symbol=wanted.insured_card_symbol,
                insured_identification_number=wanted.insured_identification_number,
                insured_branch_number=wanted.insured_branch_number, created_at=now, updated_at=now,
            )  # fmt: skip
            session.add(row)
            session.flush()
            append(session, AuditEvent(actor, "reference_request", entry_id, patient_id,
                                       after={"registration": row.id, "trigger": trigger}), now)  # fmt: skip
            log.info("reference_requested", registration=row.id, entry_id=entry_id, trigger=trigger)
            return row.id

    def request_for_linked_entries(self) -> list[int]:
        """Today's entries linked without a 照会番号 that points at their patient get a registration."""
        today = self.clock.now().date()
        created: list[int] = []
        with self.sessions() as session:
            entries = session.scalars(
                select(CrEntry).where(
                    CrEntry.entry_date == today,
                    CrEntry.actionable.is_(True),
                    CrEntry.status.in_([EntryStatus.AUTO_LINKED.value, EntryStatus.LINKED.value]),
                    CrEntry.patient_id.is_not(None),
                )
            ).all()
            known = set(
                session.scalars(
                    select(ReferenceRegistration.entry_id).where(ReferenceRegistration.entry_id.is_not(None))
                )
            )
            by_file: dict[int, list[CrEntry]] = {}
            for entry in entries:
                by_file.setdefault(entry.face_file_id, []).append(entry)
        for siblings in by_file.values():
            linked = [e for e in siblings if e.link_method != LinkMethod.REFERENCE_NUMBER.value and e.patient_id]
            if not linked or any(e.id in known for e in siblings):
                continue
            if any(e.reference_number == e.patient_id for e in siblings):
                continue  # the qualification already carries this patient's 照会番号
            siblings = registrable(siblings)
            choice = choose_insurance([choice_of(e) for e in siblings])
            if choice is None:
                continue
            entry = next(e for e in siblings if choice_of(e) == choice)
            assert entry.patient_id is not None
            made = self.request(entry.patient_id, choice, trigger="link", entry_id=entry.id)
            if made is not None:
                created.append(made)
        return created

    # -- publishing ---------------------------------------------------------------------------
    def publish_pending(self) -> int:
        published = 0
        with self.sessions() as session:
            pending = session.scalars(
                select(ReferenceRegistration.id).where(ReferenceRegistration.state == RegistrationState.PENDING.value)
            ).all()
        for registration_id in pending:
            published += self._publish_one(registration_id)
        return published

    def _publish_one(self, registration_id: int) -> int:
        now = self.clock.now()
        with self.sessions.begin() as session:
            # Row lock: two processes can never both move the same registration out of `pending`.
            row = session.get(ReferenceRegistration, registration_id, with_for_update=True)
            if row is None or row.state != RegistrationState.PENDING.value:
                return 0
            suffix = next_suffix(session, now)
            row.request_file = f"{SINGLE_REQUEST}{suffix}.xml"
            row.file_id = f"UKT{suffix}{registration_id:06d}"[-50:]
            row.state = RegistrationState.PUBLISHING.value
            row.updated_at = now
            name, file_id, request = row.request_file, row.file_id, _request_of(row)
        try:
            data = registration_request(self.folders.institution_code, file_id, [request], self.folders.encoding)
            publish(self.folders.req, self.folders.res, name, data)
        except ReferenceRuleError as exc:
            self._set(registration_id, RegistrationState.FAILED, message=f"{exc.ja} / {exc.en}")
            return 0
        except FileExistsError:
            self._set(registration_id, RegistrationState.UNCERTAIN, message=UNCERTAIN_CRASH)
            return 0
        except OSError as exc:
            # Nothing reached req (the rename is the last step): safe to try again later.
            self._set(registration_id, RegistrationState.PENDING, request_file=None,
                      message=f"reqフォルダに書けません / cannot write to req ({exc.strerror})")  # fmt: skip
            log.warning("reference_publish_failed", registration=registration_id, error=type(exc).__name__)
            return 0
        self._set(registration_id, RegistrationState.PUBLISHED, published_at=self.clock.now())
        log.info("reference_published", registration=registration_id, file=name)
        return 1

    # -- answers --------------------------------------------------------------------------------
    def collect_answers(self) -> int:
        """Read new OQSsiimm01res files; each answer is matched by file name, ArbitraryFileIdentifier and echo."""
        try:
            names = sorted(p.name for p in self.folders.res.iterdir() if p.name.startswith("OQSsiimm01res_"))
        except OSError:
            return 0
        handled = 0
        for name in names:
            handled += self._collect_one(self.folders.res / name)
        return handled

    def _collect_one(self, path: Path) -> int:
        try:
            first = read_result_bytes(path)
            time.sleep(0.02)
            raw = read_result_bytes(path)
        except OSError:
            return 0
        if first != raw:
            return 0  # still being written
        sha = hashlib.sha256(raw).hexdigest()
        key = path.name.casefold()
        with self.sessions() as session:
            seen = session.scalar(
                select(ProcessedResult.id).where(ProcessedResult.name_key == key, ProcessedResult.sha256 == sha)
            )
        if seen is not None:
            return 0
        answer = parse_answer(raw)
        if isinstance(answer, FaceProblem) and answer.maybe_incomplete and time.time() - path.stat().st_mtime < 5:
            return 0
        request_name = path.name.replace("res_", "req_", 1)
        now = self.clock.now()
        try:
            with self.sessions.begin() as session:
                row = session.scalar(
                    select(ReferenceRegistration).where(ReferenceRegistration.request_file == request_name)
                )
                outcome = self._apply(row, answer, now, session) if row is not None else "unknown"
                announce(session, "reference_registrations")
                session.add(ProcessedResult(name_key=key, sha256=sha, outcome=outcome, read_at=now))
        except IntegrityError:
            return 0  # another agent read it first
        log.info("reference_answer", file=path.name, outcome=outcome, registration=row.id if row else None)
        return 1

    def _apply(self, row: ReferenceRegistration, answer: Answer | FaceProblem, now: datetime, session: Session) -> str:
        if row.state not in (RegistrationState.PUBLISHED.value, RegistrationState.PUBLISHING.value,
                             RegistrationState.UNCERTAIN.value):  # fmt: skip
            return "duplicate"
        row.answered_at, row.updated_at = now, now
        if isinstance(answer, FaceProblem):
            row.state, row.message = RegistrationState.UNCERTAIN.value, answer.reason
            return "unreadable"
        request = _request_of(row)
        afi_differs = answer.arbitrary_file_identifier is not None and answer.arbitrary_file_identifier != row.file_id
        echo_differs = answer.echoed is not None and (
            answer.echoed.key() != request.key() or answer.echoed.reference_number != request.reference_number
        )
        if afi_differs or echo_differs:
            row.state, row.message = RegistrationState.UNCERTAIN.value, UNCERTAIN_MISMATCH
            return "mismatch"
        if answer.succeeded:
            row.state, row.message, row.result_code = RegistrationState.DONE.value, None, answer.processing_code
            patient = session.get(Patient, row.patient_id)
            if patient is not None:
                patient.reference_number = row.reference_number
            return "matched"
        row.state = RegistrationState.FAILED.value
        row.result_code = answer.error_code or answer.processing_code
        row.message = answer.failure_reason()
        return "matched"

    def expire(self) -> int:
        """Published registrations without an answer in time become uncertain; nothing is resent."""
        limit = self.clock.now() - self.folders.answer_timeout
        with self.sessions.begin() as session:
            late = session.scalars(
                select(ReferenceRegistration).where(
                    ReferenceRegistration.state == RegistrationState.PUBLISHED.value,
                    ReferenceRegistration.published_at < limit,
                )
            ).all()
            for row in late:
                row.state, row.message, row.updated_at = (
                    RegistrationState.UNCERTAIN.value,
                    UNCERTAIN_TIMEOUT,
                    self.clock.now(),
                )
                log.warning("reference_uncertain", registration=row.id, reason="timeout")
            return len(late)

    def recover(self) -> None:
        """After a restart: a registration caught while publishing is resolved from what the folders show."""
        with self.sessions() as session:
            caught = session.scalars(
                select(ReferenceRegistration).where(ReferenceRegistration.state == RegistrationState.PUBLISHING.value)
            ).all()
        for row in caught:
            name = row.request_file or ""
            if name and (self.folders.res / result_name(name)).exists():
                continue  # the answer is there: collect_answers settles it
            if name and (self.folders.req / name).exists():
                self._set(row.id, RegistrationState.PUBLISHED, published_at=self.clock.now())
            else:
                self._set(row.id, RegistrationState.UNCERTAIN, message=UNCERTAIN_CRASH)
                log.warning("reference_uncertain", registration=row.id, reason="crash")

    def tick(self) -> None:
        """One round of the registration work, only by the process holding the writer lease (hospitals run
        several agents; two writers could publish the same registration twice)."""
        if not acquire(self.sessions, WRITER_LEASE, self.holder, LEASE_TTL, self.clock.now()):
            return
        if self.register_after_link:
            self.request_for_linked_entries()
        self.publish_pending()
        self.collect_answers()
        self.bulk_progress()
        self.expire()

    # -- bulk (initial load of the whole registry) ------------------------------------------------
    def start_bulk(self, *, only_missing: bool, patient_ids: list[str] | None = None,
                   actor: str | None = None) -> BulkStart:  # fmt: skip
        """Reserve one OQSmuimm01req for every registrable patient and publish it."""
        now = self.clock.now()
        skipped: list[tuple[str, str]] = []
        requests: list[tuple[str, ReferenceRequest]] = []
        with self.sessions() as session:
            busy = set(
                session.scalars(
                    select(ReferenceRegistration.patient_id).where(
                        ReferenceRegistration.state.in_([s.value for s in ACTIVE_STATES])
                    )
                )
            )
            query = select(Patient.patient_id, Patient.reference_number)
            if patient_ids is not None:
                query = query.where(Patient.patient_id.in_(patient_ids))
            patients = session.execute(query.order_by(Patient.patient_id)).all()
            current = _current_insurances(session)
        for patient_id, reference in patients:
            if only_missing and reference:
                skipped.append((patient_id, "登録済み / already registered"))
                continue
            if patient_id in busy:
                skipped.append((patient_id, "登録処理中 / a registration is in progress"))
                continue
            choice = current.get(patient_id)
            if choice is None:
                skipped.append((patient_id, "保険情報なし / no insurance on file"))
                continue
            try:
                requests.append((patient_id, build_request(patient_id, *choice)))
            except ReferenceRuleError as exc:
                skipped.append((patient_id, f"{exc.ja} / {exc.en}"))
        if not requests:
            return BulkStart(None, 0, skipped)
        with self.sessions.begin() as session:
            suffix = next_suffix(session, now)
            job = BulkRegistrationJob(state="publishing", upload_file=f"{BULK_UPLOAD}{suffix}.xml",
                                      file_id=f"UKB{suffix}", polls=0, created_at=now, updated_at=now)  # fmt: skip
            session.add(job)
            session.flush()
            insert_many(
                session.connection(),
                table_of(ReferenceRegistration),
                [
                    {"patient_id": pid, "trigger": "bulk", "state": RegistrationState.PUBLISHING.value,
                     "reference_number": r.reference_number, "insurer_number": r.insurer_number,
                     "insured_card_symbol": r.insured_card_symbol,
                     "insured_identification_number": r.insured_identification_number,
                     "insured_branch_number": r.insured_branch_number, "bulk_job_id": job.id, "created_at": now,
                     "updated_at": now}
                    for pid, r in requests
                ],
            )  # fmt: skip
            job_id, name, file_id = job.id, job.upload_file or "", job.file_id or ""
            append(session, AuditEvent(actor or os_actor(), "reference_bulk", None, str(job_id),
                                       after={"patients": len(requests), "skipped": len(skipped),
                                              "only_missing": only_missing}), now)  # fmt: skip
        data = registration_request(
            self.folders.institution_code, file_id, [r for _pid, r in requests], self.folders.encoding
        )
        try:
            publish(self.folders.req, self.folders.res, name, data)
        except OSError as exc:
            self._bulk_state(job_id, "failed", RegistrationState.FAILED,
                             f"reqフォルダに書けません / cannot write to req ({exc.strerror})")  # fmt: skip
            return BulkStart(job_id, 0, skipped)
        self._bulk_state(job_id, "uploaded", RegistrationState.PUBLISHED, None)
        log.info("reference_bulk_published", job=job_id, patients=len(requests), skipped=len(skipped))
        return BulkStart(job_id, len(requests), skipped)

    def bulk_progress(self) -> None:
        with self.sessions() as session:
            jobs = session.scalars(
                select(BulkRegistrationJob).where(BulkRegistrationJob.state.in_(["uploaded", "waiting"]))
            ).all()
        for job in jobs:
            if job.state == "uploaded":
                self._bulk_uploaded(job)
            else:
                self._bulk_waiting(job)

    def _bulk_uploaded(self, job: BulkRegistrationJob) -> None:
        found = self._read_result(result_name(job.upload_file or ""))
        if found is None:
            if self.clock.now() - job.updated_at > self.folders.answer_timeout:
                self._bulk_state(job.id, "uncertain", RegistrationState.UNCERTAIN, UNCERTAIN_TIMEOUT)
            return
        answer = parse_answer(found)
        if isinstance(answer, FaceProblem) or not answer.succeeded or not answer.reception_number:
            reason = answer.reason if isinstance(answer, FaceProblem) else answer.failure_reason()
            self._bulk_state(job.id, "failed", RegistrationState.FAILED, reason)
            return
        with self.sessions.begin() as session:
            row = session.get(BulkRegistrationJob, job.id)
            assert row is not None
            row.reception_number, row.state = answer.reception_number, "waiting"
        self._bulk_download(job.id)

    def _bulk_download(self, job_id: int) -> None:
        now = self.clock.now()
        with self.sessions.begin() as session:
            row = session.get(BulkRegistrationJob, job_id)
            assert row is not None and row.reception_number is not None
            row.download_file = f"{BULK_DOWNLOAD}{next_suffix(session, now)}.xml"
            row.polls += 1
            row.updated_at = now
            name, reception = row.download_file, row.reception_number
        try:
            publish(self.folders.req, self.folders.res, name,
                    download_request(self.folders.institution_code, reception, self.folders.encoding))  # fmt: skip
        except OSError:
            log.warning("reference_bulk_download_not_sent", job=job_id)

    def _bulk_waiting(self, job: BulkRegistrationJob) -> None:
        answer_name = result_name(job.download_file or "")
        found = self._read_result(answer_name) or self._read_result(answer_name[:-4] + ".zip")
        if found is None:
            if self.clock.now() - job.updated_at > self.folders.answer_timeout:
                self._bulk_state(job.id, "uncertain", RegistrationState.UNCERTAIN, UNCERTAIN_TIMEOUT)
            return
        parsed = parse_bulk_result(found)
        if isinstance(parsed, FaceProblem):
            self._bulk_state(job.id, "uncertain", RegistrationState.UNCERTAIN, parsed.reason)
            return
        overall, units = parsed
        if overall.in_progress:
            if self.clock.now() - job.updated_at >= self.bulk_poll:
                self._bulk_download(job.id)
            return
        if not overall.succeeded:
            self._bulk_state(job.id, "failed", RegistrationState.FAILED, overall.failure_reason())
            return
        now = self.clock.now()
        with self.sessions.begin() as session:
            rows = session.scalars(
                select(ReferenceRegistration).where(ReferenceRegistration.bulk_job_id == job.id)
            ).all()
            by_key = {(_request_of(r).key(), r.reference_number): r for r in rows}
            for unit in units:
                if unit.echoed is None:
                    continue
                row = by_key.pop((unit.echoed.key(), unit.echoed.reference_number), None)
                if row is None:
                    continue
                row.answered_at = row.updated_at = now
                if unit.processing_status == "1":
                    row.state, row.message = RegistrationState.DONE.value, None
                    patient = session.get(Patient, row.patient_id)
                    if patient is not None:
                        patient.reference_number = row.reference_number
                else:
                    row.state, row.result_code = RegistrationState.FAILED.value, unit.processing_code
                    row.message = unit.failure_reason()
            for row in by_key.values():  # no unit for them: staff decide
                row.state, row.message, row.updated_at = RegistrationState.UNCERTAIN.value, UNCERTAIN_MISMATCH, now
            job_row = session.get(BulkRegistrationJob, job.id)
            assert job_row is not None
            job_row.state, job_row.updated_at = "done", now
        log.info("reference_bulk_done", job=job.id, units=len(units))

    def _read_result(self, name: str) -> bytes | None:
        path = self.folders.res / name
        try:
            first = read_result_bytes(path)
            time.sleep(0.02)
            again = read_result_bytes(path)
        except (OSError, zipfile.BadZipFile):
            return None
        return again if first == again and again else None

    def _bulk_state(self, job_id: int, state: str, rows_state: RegistrationState, message: str | None) -> None:
        now = self.clock.now()
        with self.sessions.begin() as session:
            job = session.get(BulkRegistrationJob, job_id)
            if job is None:
                return
            job.state, job.message, job.updated_at = state, message, now
            values: dict[str, object] = {"state": rows_state.value, "updated_at": now}
            if rows_state is RegistrationState.PUBLISHED:
                values["published_at"] = now
            elif message:
                values["message"] = message
            session.execute(
                update(ReferenceRegistration).where(ReferenceRegistration.bulk_job_id == job_id).values(**values)
            )

    def bulk_summary(self, job_id: int) -> Counter[str]:
        with self.sessions() as session:
            return Counter(
                session.scalars(select(ReferenceRegistration.state).where(ReferenceRegistration.bulk_job_id == job_id))
            )

    def bulk_job(self, job_id: int) -> BulkRegistrationJob | None:
        with self.sessions() as session:
            return session.get(BulkRegistrationJob, job_id)

    # -- helpers ------------------------------------------------------------------------------
    def _set(self, registration_id: int, state: RegistrationState, **values: object) -> None:
        with self.sessions.begin() as session:
            row = session.get(ReferenceRegistration, registration_id)
            if row is None:
                return
            row.state = state.value
            for key, value in values.items():
                setattr(row, key, value)
            row.updated_at = self.clock.now()
            announce(session, "reference_registrations")

    def registrations(
        self, *, job_id: int | None = None, states: tuple[str, ...] | None = None
    ) -> list[ReferenceRegistration]:
        with self.sessions() as session:
            query = select(ReferenceRegistration).order_by(ReferenceRegistration.id)
            if job_id is not None:
                query = query.where(ReferenceRegistration.bulk_job_id == job_id)
            if states is not None:
                query = query.where(ReferenceRegistration.state.in_(states))
            return list(session.scalars(query))

    def state_of(self, registration_id: int) -> ReferenceRegistration | None:
        with self.sessions() as session:
            return session.get(ReferenceRegistration, registration_id)


def next_suffix(session: Session, now: datetime) -> str:
    """Date + a daily sequence kept in the store: request names are never reused."""
    day = now.date()
    row = session.scalar(select(FileSequence).where(FileSequence.day == day).with_for_update())
    if row is None:
        row = FileSequence(day=day, last=0)
        session.add(row)
    row.last += 1
    session.flush()
    return f"{day:%Y%m%d}{row.last:04d}"


def _current_insurances(session: Session) -> dict[str, tuple[str | None, str | None, str | None, str | None]]:
    """Each patient's current insurance, health insurance preferred over 医療扶助."""
    rows = session.execute(
        select(
            PatientInsuranceRow.patient_id, PatientInsuranceRow.insurer_number, PatientInsuranceRow.insured_card_symbol,
            PatientInsuranceRow.insured_identification_number, PatientInsuranceRow.insured_branch_number,
        ).where(PatientInsuranceRow.current.is_(True))
    ).all()  # fmt: skip
    options: dict[str, list[InsuranceChoice]] = {}
    for pid, *fields in rows:
        options.setdefault(pid, []).append(InsuranceChoice(None, *fields))
    chosen: dict[str, tuple[str | None, str | None, str | None, str | None]] = {}
    for pid, choices in options.items():
        best = choose_insurance(choices)
        if best is not None:
            chosen[pid] = (best.insurer_number, best.insured_card_symbol, best.insured_identification_number,
                           best.insured_branch_number)  # fmt: skip
    return chosen


def _request_of(row: ReferenceRegistration) -> ReferenceRequest:
    return ReferenceRequest(
        row.reference_number, row.insurer_number, row.insured_card_symbol, row.insured_identification_number,
        row.insured_branch_number,
    )  # fmt: skip


def registrable(entries: list[CrEntry]) -> list[CrEntry]:
    """Results whose qualification can carry a 照会番号: not one the file says is invalid or lapsed."""
    return [e for e in entries if e.qualification is None or is_valid(e.qualification)]


def choice_of(entry: CrEntry) -> InsuranceChoice:
    return InsuranceChoice(
        entry.classification, entry.insurer_number, entry.insured_card_symbol, entry.insured_identification_number,
        entry.insured_branch_number,
    )  # fmt: skip
