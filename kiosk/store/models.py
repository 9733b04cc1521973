"""Tables of the store. Portable SQL only: the same schema runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class FaceFile(Base):
    """A face file exactly as read from the terminal: kept byte for byte, never overwritten."""

    __tablename__ = "face_files"
    __table_args__ = (UniqueConstraint("name_key", "sha256", name="uq_face_files_name_sha"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    name_key: Mapped[str] = mapped_column(String(255), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    mtime: Mapped[datetime] = mapped_column(DateTime)
    mtime_ns: Mapped[int] = mapped_column(BigInteger)
    name_timestamp: Mapped[datetime | None] = mapped_column(DateTime)
    captured_at: Mapped[datetime] = mapped_column(DateTime)
    entry_date: Mapped[date] = mapped_column(Date, index=True)
    source: Mapped[str] = mapped_column(String(16))
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)
    encoding: Mapped[str | None] = mapped_column(String(16))
    encoding_basis: Mapped[str | None] = mapped_column(String(16))  # bom | declared | detected
    # ingested | quarantined | conflict | dismissed | superseded (a failed read replaced by the complete file)
    # | equivalent (a rewrite whose parsed content is the stored one's)
    state: Mapped[str] = mapped_column(String(16))
    problem_code: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    warnings: Mapped[list[str] | None] = mapped_column(JSON)
    ingested_at: Mapped[datetime] = mapped_column(DateTime)

    entries: Mapped[list[CrEntry]] = relationship(back_populates="face_file", order_by="CrEntry.result_index")


class CrEntry(Base):
    """One line of the 顔認証付きCR利用者リスト: one result of one face file (or its error)."""

    __tablename__ = "cr_entries"
    __table_args__ = (
        UniqueConstraint("face_file_id", "result_index", name="uq_cr_entries_file_result"),
        Index("ix_cr_entries_date_time", "entry_date", "captured_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    face_file_id: Mapped[int] = mapped_column(ForeignKey("face_files.id"))
    result_index: Mapped[int] = mapped_column(Integer)
    entry_date: Mapped[date] = mapped_column(Date)
    captured_at: Mapped[datetime] = mapped_column(DateTime)
    actionable: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16), index=True)
    classification: Mapped[str | None] = mapped_column(String(8))
    name: Mapped[str | None] = mapped_column(String(200))
    name_kana: Mapped[str | None] = mapped_column(String(200))
    name_of_other: Mapped[str | None] = mapped_column(String(200))  # 通称 (NameOfOther)
    name_of_other_kana: Mapped[str | None] = mapped_column(String(200))
    birthdate: Mapped[str | None] = mapped_column(String(16))
    sex: Mapped[str | None] = mapped_column(String(4))
    insurer_number: Mapped[str | None] = mapped_column(String(16))
    insured_card_symbol: Mapped[str | None] = mapped_column(String(64))
    insured_identification_number: Mapped[str | None] = mapped_column(String(64))
    insured_branch_number: Mapped[str | None] = mapped_column(String(8))
    postcode: Mapped[str | None] = mapped_column(String(16))
    address: Mapped[str | None] = mapped_column(Text)
    reference_number: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    patient_id: Mapped[str | None] = mapped_column(String(64))
    link_method: Mapped[str | None] = mapped_column(String(24))
    reception_id: Mapped[str | None] = mapped_column(String(64))
    appointment_id: Mapped[str | None] = mapped_column(String(64))  # the 予約 this visit was received against
    reason: Mapped[str | None] = mapped_column(Text)
    qualification: Mapped[str | None] = mapped_column(String(16))  # valid | invalid | lapsed | None
    qualification_validity: Mapped[str | None] = mapped_column(String(4))  # the file's QualificationValidity code
    notice: Mapped[str | None] = mapped_column(Text)  # a terminal notice on a successful result
    history_of: Mapped[int | None] = mapped_column(Integer)  # a lapsed result of the person of that entry (same file)
    match_result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    face_file: Mapped[FaceFile] = relationship(back_populates="entries")


class ServiceStatus(Base):
    """Last known state of each running part (face folder, agent), for staff and `status`."""

    __tablename__ = "service_status"

    component: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    message: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class FolderProblem(Base):
    """A file in a watched folder that cannot be read (a link loop, no permission, a name that is not text):
    shown to staff and in `status` until it is read or gone; retried at a calm pace."""

    __tablename__ = "folder_problems"
    __table_args__ = (UniqueConstraint("source", "name", name="uq_folder_problems_source_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(512))
    code: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    last_seen: Mapped[datetime] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer)


class Patient(Base):
    """Embedded registry: one row per 患者番号; names and insurances keep their history."""

    __tablename__ = "patients"

    patient_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    birthdate: Mapped[date | None] = mapped_column(Date, index=True)
    sex: Mapped[str | None] = mapped_column(String(2))
    postcode: Mapped[str | None] = mapped_column(String(16))
    postcode_key: Mapped[str | None] = mapped_column(String(8))  # from the postcode, else from the address text
    address: Mapped[str | None] = mapped_column(Text)
    reference_number: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class PatientNameRow(Base):
    __tablename__ = "patient_names"
    __table_args__ = (
        Index("ix_patient_names_given_dob", "k_given", "birthdate"),
        Index("ix_patient_names_dob", "birthdate"),
        Index("ix_patient_names_patient", "patient_id", "current"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.patient_id"))
    name: Mapped[str | None] = mapped_column(String(200))
    name_kana: Mapped[str | None] = mapped_column(String(200))
    k_loose: Mapped[str | None] = mapped_column(String(200), index=True)
    k_given: Mapped[str | None] = mapped_column(String(100))
    k_strict: Mapped[str | None] = mapped_column(String(200))
    k_seion: Mapped[str | None] = mapped_column(String(200))
    k_family: Mapped[str | None] = mapped_column(String(100))
    kanji_key: Mapped[str | None] = mapped_column(String(200))
    kanji_plain: Mapped[str | None] = mapped_column(String(200))
    kanji_given: Mapped[str | None] = mapped_column(String(100))
    birthdate: Mapped[date | None] = mapped_column(Date)
    current: Mapped[bool] = mapped_column(Boolean)
    norm_version: Mapped[int] = mapped_column(Integer)


class PatientInsuranceRow(Base):
    __tablename__ = "patient_insurances"
    __table_args__ = (
        Index("ix_patient_insurances_key", "insurer_key", "number_key"),
        Index("ix_patient_insurances_patient", "patient_id", "current"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.patient_id"))
    insurer_number: Mapped[str | None] = mapped_column(String(16))
    insured_card_symbol: Mapped[str | None] = mapped_column(String(64))
    insured_identification_number: Mapped[str | None] = mapped_column(String(64))
    insured_branch_number: Mapped[str | None] = mapped_column(String(8))
    insurer_key: Mapped[str | None] = mapped_column(String(16))
    number_key: Mapped[str | None] = mapped_column(String(64))
    current: Mapped[bool] = mapped_column(Boolean)


class ReceptionRow(Base):
    __tablename__ = "receptions"
    __table_args__ = (UniqueConstraint("idempotency_key", name="uq_receptions_idempotency_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(String(64), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    department: Mapped[str | None] = mapped_column(String(16))
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    idempotency_key: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    appointment_id: Mapped[str | None] = mapped_column(String(64))
    physician_code: Mapped[str | None] = mapped_column(String(16))


class AppointmentRow(Base):
    """A 予約 in the embedded registry (imported from the clinic's appointments CSV; state kept across re-imports)."""

    __tablename__ = "appointments"
    __table_args__ = (UniqueConstraint("appointment_id", name="uq_appointments_appointment_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appointment_id: Mapped[str] = mapped_column(String(64))
    patient_id: Mapped[str] = mapped_column(String(64), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    at: Mapped[time] = mapped_column(Time)
    department_code: Mapped[str | None] = mapped_column(String(16))
    physician_code: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16))
    reception_id: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class DepartmentRow(Base):
    __tablename__ = "departments"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class ReferenceRegistration(Base):
    """One 照会番号 registration and where it stands (kiosk.core.reference.RegistrationState)."""

    __tablename__ = "reference_registrations"
    __table_args__ = (UniqueConstraint("request_file", name="uq_reference_registrations_request_file"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(String(64), index=True)
    entry_id: Mapped[int | None] = mapped_column(Integer, index=True)
    trigger: Mapped[str] = mapped_column(String(16))  # link | manual | bulk
    state: Mapped[str] = mapped_column(String(16), index=True)
    reference_number: Mapped[str] = mapped_column(String(64))
    insurer_number: Mapped[str] = mapped_column(String(16))
    insured_card_symbol: Mapped[str | None] = mapped_column(String(64))
    insured_identification_number: Mapped[str] = mapped_column(String(64))
    insured_branch_number: Mapped[str | None] = mapped_column(String(8))
    request_file: Mapped[str | None] = mapped_column(String(100))
    file_id: Mapped[str | None] = mapped_column(String(64))
    bulk_job_id: Mapped[int | None] = mapped_column(Integer, index=True)
    result_code: Mapped[str | None] = mapped_column(String(32))
    message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class BulkRegistrationJob(Base):
    """A bulk 照会番号 registration: upload (01req/01res), then download (02req/02res) until ready."""

    __tablename__ = "bulk_registration_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(16))  # publishing | uploaded | waiting | done | failed | uncertain
    upload_file: Mapped[str | None] = mapped_column(String(100))
    file_id: Mapped[str | None] = mapped_column(String(64))
    reception_number: Mapped[str | None] = mapped_column(String(64))
    download_file: Mapped[str | None] = mapped_column(String(100))
    polls: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class FileSequence(Base):
    """The daily sequence behind unique request names (YYYYMMDD + 4 digits)."""

    __tablename__ = "file_sequences"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class ProcessedResult(Base):
    """Result files already read (the terminal's files are never deleted by us)."""

    __tablename__ = "processed_results"
    __table_args__ = (UniqueConstraint("name_key", "sha256", name="uq_processed_results_name_sha"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name_key: Mapped[str] = mapped_column(String(255), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))  # matched | unknown | duplicate | unreadable
    read_at: Mapped[datetime] = mapped_column(DateTime)


class IssuedCard(Base):
    """IC 診察券 handed to a patient at the counter: the card id is an identifier, not a credential."""

    __tablename__ = "issued_cards"
    __table_args__ = (UniqueConstraint("card_id", name="uq_issued_cards_card_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[str] = mapped_column(String(64))
    patient_id: Mapped[str] = mapped_column(String(64), index=True)
    issued_by: Mapped[str | None] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class Lease(Base):
    """Work that only one process may do at a time (writing 照会番号 requests); taken over when it expires."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class KioskClaim(Base):
    """A face result held by one kiosk session: two kiosks never confirm the same person's result."""

    __tablename__ = "kiosk_claims"

    face_file_id: Mapped[int] = mapped_column(ForeignKey("face_files.id"), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(64))
    kiosk_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))  # claimed | confirmed | waiting | done
    claimed_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class KioskToken(Base):
    """A kiosk PC's credential for the agent's kiosk API: only the SHA-256 of the token is kept (the token is
    printed once by `uketsuke kiosk pair`); revoking keeps the row, so the trail shows which kiosk it was."""

    __tablename__ = "kiosk_tokens"
    __table_args__ = (UniqueConstraint("token_hash", name="uq_kiosk_tokens_token_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kiosk_name: Mapped[str] = mapped_column(String(64), index=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class StaffAlert(Base):
    """A patient needs staff (sent to the counter, waiting for review, printer out of paper)."""

    __tablename__ = "staff_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(64))  # the kiosk id
    session_id: Mapped[str] = mapped_column(String(64))
    face_file_id: Mapped[int | None] = mapped_column(Integer, index=True)
    patient_id: Mapped[str | None] = mapped_column(String(32))  # who, when the kiosk identified the patient
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime)
    cleared_by: Mapped[str | None] = mapped_column(String(64))


class DailyNumber(Base):
    """Numbers handed out per day and series (e.g. the waiting numbers for 初めての方)."""

    __tablename__ = "daily_numbers"

    series: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class StaffAccount(Base):
    """A reception clerk or administrator; the secret is a scrypt hash (kiosk/core/pin_hash.py)."""

    __tablename__ = "staff_accounts"
    __table_args__ = (UniqueConstraint("login", name="uq_staff_accounts_login"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))  # clerk | admin
    secret_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)  # after repeated failures, for a while
    created_at: Mapped[datetime] = mapped_column(DateTime)


class AuditRecord(Base):
    """Append-only: who did what to which entry, before and after, chained by hashes (kiosk/core/audit_chain.py)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    workstation: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))
    entry_id: Mapped[int | None] = mapped_column(Integer, index=True)
    subject: Mapped[str | None] = mapped_column(String(128))  # e.g. a 患者番号, an account, a setting
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))  # HMAC-SHA256 with the key named by key_id (legacy: SHA-256)
    key_id: Mapped[str | None] = mapped_column(String(16))


class AuditHead(Base):
    """The chain's last hash in one row: appending locks it, so concurrent writers cannot fork the chain."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class RuntimeSetting(Base):
    """Settings an administrator changes from the staff console (e.g. linking.auto); they win over the file."""

    __tablename__ = "runtime_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(64))


class ChartNote(Base):
    """A note for the レセコン team, e.g. two 患者番号 that are the same person (duplicate charts)."""

    __tablename__ = "chart_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # duplicate
    patient_id: Mapped[str] = mapped_column(String(64), index=True)
    other_patient_id: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
