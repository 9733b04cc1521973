"""`registry import`: a clinic's patient CSV into the embedded registry.

Re-import updates rather than duplicates: a changed name or insurance is appended and the old one
kept as history (still matchable). Every rejected row is reported with its line number and reason.
"""

from __future__ import annotations

import csv
import io
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session, sessionmaker

from adapters.registry.sql_registry import insurance_row, name_row
from kiosk.core.address import registry_postcode_key
from kiosk.core.birthdates import parse_birthdate
from kiosk.core.errors import UketsukeError
from kiosk.core.registry import Insurance
from kiosk.store.bulk import insert_many, table_of
from kiosk.store.models import Patient, PatientInsuranceRow, PatientNameRow

COLUMNS = (
    "patient_id", "name", "name_kana", "birthdate", "sex", "insurer_number", "insured_card_symbol",
    "insured_identification_number", "insured_branch_number", "postcode", "address", "reference_number",
)  # fmt: skip
_SEX = {"1": "1", "2": "2", "M": "1", "F": "2", "男": "1", "女": "2", "男性": "1", "女性": "2"}
CHUNK = 20000


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(frozen=True)
class Row:
    line: int
    patient_id: str
    name: str | None
    name_kana: str | None
    birthdate: date | None
    sex: str | None
    insurance: Insurance | None
    postcode: str | None
    address: str | None
    reference_number: str | None


def _value(raw: dict[str, str | None], key: str) -> str | None:
    return raw.get(key)  # blank cells were already turned into None


def parse_row(line: int, raw: dict[str, str | None]) -> Row | str:
    """A Row, or the reason (Japanese / English) the row is rejected."""
    raw = {key: (value if value and not value.isspace() else None) for key, value in raw.items()}
    patient_id = _value(raw, "patient_id")
    if patient_id is None:
        return "患者番号がありません / patient_id is empty"
    if len(patient_id) > 64:
        return "患者番号が長すぎます / patient_id is longer than 64 characters"
    name, kana = _value(raw, "name"), _value(raw, "name_kana")
    if name is None and kana is None:
        return "氏名もカナ氏名もありません / neither name nor name_kana given"
    birthdate = None
    if (text := _value(raw, "birthdate")) is not None:
        birthdate = parse_birthdate(text)
        if birthdate is None:
            return f"生年月日が正しくありません（{text}） / invalid birthdate ({text})"
    sex = None
    if (text := _value(raw, "sex")) is not None:
        sex = _SEX.get(text.strip().upper())
        if sex is None:
            return f"性別が正しくありません（{text}） / invalid sex ({text})"
    fields = [_value(raw, key) for key in COLUMNS[5:9]]
    insurance = Insurance(*fields) if any(fields) else None
    return Row(
        line, patient_id, name, kana, birthdate, sex, insurance, _value(raw, "postcode"), _value(raw, "address"),
        _value(raw, "reference_number"),
    )  # fmt: skip


def _read(path: Path) -> Iterator[tuple[int, dict[str, str | None]]]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise UketsukeError(
            "import_unreadable", f"ファイルを開けません: {path}", f"cannot open {path}: {exc.strerror}"
        ) from None
    with handle:
        try:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or "patient_id" not in reader.fieldnames:
                raise UketsukeError(
                    "import_header",
                    "1行目に見出し（patient_id など）がありません",
                    "the first row must be a header with patient_id and the other columns",
                )
            for raw in reader:
                yield reader.line_num, raw
        except UnicodeDecodeError:
            raise UketsukeError(
                "import_encoding",
                "UTF-8 ではありません（Shift_JIS の場合は UTF-8 に変換してください）",
                "the file is not UTF-8 (convert Shift_JIS files to UTF-8)",
            ) from None
        except csv.Error as exc:
            raise UketsukeError("import_csv", f"CSVの形式が正しくありません: {exc}", f"malformed CSV: {exc}") from None


def import_csv(
    sessions: sessionmaker[Session], path: Path, *, progress: Callable[[int], None] | None = None
) -> ImportReport:
    report = ImportReport()
    started = time.perf_counter()
    with sessions() as session:
        initial_load = session.scalar(select(Patient.patient_id).limit(1)) is None
    if initial_load:
        _lookup_indexes(sessions, create=False)  # building them once at the end is several times faster
    try:
        _load(sessions, path, report, progress)
    finally:
        _lookup_indexes(sessions, create=True)  # always: also repairs an initial load that was killed
        analyze(sessions)
    report.seconds = time.perf_counter() - started
    return report


def analyze(sessions: sessionmaker[Session]) -> None:
    """Fresh planner statistics after a bulk change: without them the first thousands of matches on a newly
    loaded PostgreSQL registry run with poor plans (measured: p50 25 ms instead of 2 ms)."""
    with sessions.begin() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("ANALYZE patients, patient_names, patient_insurances"))
        else:
            session.execute(text("ANALYZE"))


def _lookup_indexes(sessions: sessionmaker[Session], *, create: bool) -> None:
    with sessions.begin() as session:
        connection = session.connection()
        for model in (Patient, PatientNameRow, PatientInsuranceRow):
            for index in table_of(model).indexes:
                if create:
                    index.create(connection, checkfirst=True)
                else:
                    index.drop(connection, checkfirst=True)


def _load(
    sessions: sessionmaker[Session], path: Path, report: ImportReport, progress: Callable[[int], None] | None
) -> None:
    chunk: dict[str, Row] = {}
    done = 0
    for line, raw in _read(path):
        parsed = parse_row(line, raw)
        if isinstance(parsed, str):
            report.rejected.append((line, parsed))
            continue
        chunk[parsed.patient_id] = parsed  # a later row for the same 患者番号 wins
        if len(chunk) >= CHUNK:
            apply_rows(sessions, list(chunk.values()), report)
            done += len(chunk)
            chunk = {}
            if progress:
                progress(done)
    if chunk:
        apply_rows(sessions, list(chunk.values()), report)
        done += len(chunk)
        if progress:
            progress(done)


def apply_rows(sessions: sessionmaker[Session], rows: list[Row], report: ImportReport) -> None:
    """Add new patients and update known ones (history kept): shared by CSV import and the ORCA mirror."""
    now = datetime.now()
    with sessions.begin() as session:
        ids = [row.patient_id for row in rows]
        existing = {p.patient_id: p for p in session.scalars(select(Patient).where(Patient.patient_id.in_(ids)))}
        new_rows = [row for row in rows if row.patient_id not in existing]
        if new_rows:
            # Core executemany (not the ORM's per-row bulk path): one prepared statement per table.
            connection = session.connection()
            insert_many(connection, table_of(Patient), [_patient_values(row, now) for row in new_rows])
            insert_many(
                connection,
                table_of(PatientNameRow),
                [name_row(row.patient_id, row.name, row.name_kana, row.birthdate) for row in new_rows],
            )
            insurances = [insurance_row(row.patient_id, row.insurance) for row in new_rows if row.insurance]
            insert_many(connection, table_of(PatientInsuranceRow), insurances)
            report.added += len(new_rows)
        old_rows = [row for row in rows if row.patient_id in existing]
        if old_rows:
            _update(session, old_rows, existing, report, now)


def _patient_values(row: Row, now: datetime) -> dict[str, Any]:
    return {
        "patient_id": row.patient_id, "birthdate": row.birthdate, "sex": row.sex, "postcode": row.postcode,
        "postcode_key": registry_postcode_key(row.postcode, row.address), "address": row.address,
        "reference_number": row.reference_number, "updated_at": now,
    }  # fmt: skip


def _update(
    session: Session, rows: list[Row], existing: dict[str, Patient], report: ImportReport, now: datetime
) -> None:
    ids = [row.patient_id for row in rows]
    names = {
        r.patient_id: r
        for r in session.scalars(
            select(PatientNameRow).where(PatientNameRow.patient_id.in_(ids), PatientNameRow.current.is_(True))
        )
    }
    insurances = {
        r.patient_id: r
        for r in session.scalars(
            select(PatientInsuranceRow).where(
                PatientInsuranceRow.patient_id.in_(ids), PatientInsuranceRow.current.is_(True)
            )
        )
    }
    for row in rows:
        changed = False
        patient = existing[row.patient_id]
        values = _patient_values(row, now)
        for key in ("birthdate", "sex", "postcode", "postcode_key", "address", "reference_number"):
            if getattr(patient, key) != values[key]:
                setattr(patient, key, values[key])
                changed = True
        current_name = names.get(row.patient_id)
        if current_name is None or (current_name.name, current_name.name_kana) != (row.name, row.name_kana):
            if current_name is not None:
                current_name.current = False  # kept as history: a maiden name stays matchable
            session.add(PatientNameRow(**name_row(row.patient_id, row.name, row.name_kana, row.birthdate)))
            changed = True
        elif current_name.birthdate != row.birthdate:
            session.execute(
                update(PatientNameRow)
                .where(PatientNameRow.patient_id == row.patient_id)
                .values(birthdate=row.birthdate)
            )
        current_ins = insurances.get(row.patient_id)
        new_ins = row.insurance
        old = (
            Insurance(current_ins.insurer_number, current_ins.insured_card_symbol,
                      current_ins.insured_identification_number, current_ins.insured_branch_number)
            if current_ins else None
        )  # fmt: skip
        if new_ins is not None and new_ins != old:
            if current_ins is not None:
                current_ins.current = False
            session.add(PatientInsuranceRow(**insurance_row(row.patient_id, new_ins)))
            changed = True
        if changed:
            patient.updated_at = now
            report.updated += 1
        else:
            report.unchanged += 1


def tty_progress(total_hint: int | None = None) -> Callable[[int], None] | None:
    """A one-line progress display on a terminal; nothing when output is redirected."""
    stream = sys.stderr
    if not isinstance(stream, io.TextIOBase) or not stream.isatty():
        return None

    def show(done: int) -> None:
        stream.write(f"\r取り込み中 / importing: {done:,} 行")
        stream.flush()

    return show
