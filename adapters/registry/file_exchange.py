"""File exchange with レセコン / 再来受付機 that have no API.

Patients come from the system's patient-master export (CSV or fixed-width, cp932 or UTF-8, with or
without a header, 和暦 or 西暦 dates); it is re-read whenever the file changes and loaded into the local
registry that matching uses. 予約 come the same way from an appointments export (the whole book from today
on: one missing from it was cancelled there). Each reception goes out as one small file (written under a
temporary name, then renamed) for the レセコン to pick up.
"""

from __future__ import annotations

import csv
import io
import os
import time
import uuid
from datetime import date, datetime
from pathlib import Path

from adapters.registry.sql_appointments import AppointmentImport
from adapters.registry.sql_registry import SqlRegistry
from kiosk.core.appointments import Appointment, AppointmentState, rows_from_csv
from kiosk.core.errors import UketsukeError
from kiosk.core.patient_search import FETCH_LIMIT, SearchQuery
from kiosk.core.registry import (
    Candidate,
    CandidateQuery,
    Department,
    Insurance,
    NewPatient,
    PatientRecord,
    Reception,
    ReceptionResult,
    RegistryError,
)
from kiosk.logsetup import get_logger
from kiosk.services.registry_import import COLUMNS, ImportReport, Row, apply_rows, parse_row
from kiosk.settings import FileExchangeConfig

log = get_logger("uketsuke.file_exchange")
CHECK_INTERVAL = 2.0
WRITE_GRACE = 2.0  # an export changed this recently may still be being written


class FileExchangeRegistry:
    can_create_patients = False

    def __init__(self, mirror: SqlRegistry, config: FileExchangeConfig) -> None:
        self.mirror = mirror
        self.config = config
        self._seen: tuple[int, int] | None = None
        self._seen_appointments: tuple[int, int] | None = None
        # an export changed this recently may still be being written (a cut read: names cut short, bookings lost)
        self.write_grace = WRITE_GRACE
        self._pending: dict[str, tuple[tuple[int, int], float]] = {}
        self._checked = 0.0
        self.last_report: ImportReport | None = None
        self.last_appointments: AppointmentImport | None = None

    # -- the patient master ---------------------------------------------------------------------
    def refresh(self, *, force: bool = False) -> ImportReport | None:
        """Reload the patient master when it changed (size or mtime); returns what was loaded."""
        path = Path(self.config.patient_file)
        try:
            info = path.stat()
        except OSError:
            log.warning("patient_master_unreadable")
            return None
        stamp = (info.st_size, info.st_mtime_ns)
        if stamp == self._seen and not force:
            return None
        try:
            raw = self._read_settled("patients", path, info, force=force)
        except OSError:
            log.warning("patient_master_unreadable")
            return None
        if raw is None:
            return None
        report = ImportReport()
        rows: list[Row] = []
        for line, values in self._records(raw):
            parsed = parse_row(line, values)
            if isinstance(parsed, str):
                report.rejected.append((line, parsed))
            else:
                rows.append(parsed)
        apply_rows(self.mirror.sessions, rows, report)
        self._seen = stamp
        self.last_report = report
        log.info("patient_master_loaded", added=report.added, updated=report.updated, rejected=len(report.rejected))
        return report

    def refresh_appointments(self, *, force: bool = False) -> AppointmentImport | None:
        """Reload the appointments export when it changed; a file that cannot be read changes nothing."""
        if not self.config.appointment_file:
            return None
        path = Path(self.config.appointment_file)
        try:
            info = path.stat()
            stamp = (info.st_size, info.st_mtime_ns)
            if stamp == self._seen_appointments and not force:
                return None
            raw = self._read_settled("appointments", path, info, force=force)
            if raw is None:
                return None  # being written: a cut read would remove the bookings it lacks; a later check reads it
            rows = rows_from_csv(raw.decode(self.config.encoding).removeprefix("\ufeff"))
        except (OSError, UnicodeDecodeError, UketsukeError) as exc:
            log.warning("appointment_file_unreadable", error=type(exc).__name__)
            return None
        report = self.mirror.book.import_rows(rows, full_from=date.today())
        self._seen_appointments = stamp
        self.last_appointments = report
        log.info("appointments_loaded", added=report.added, updated=report.updated, withdrawn=report.withdrawn,
                 rejected=len(report.rejected), without_chart=len(report.unknown_patients))  # fmt: skip
        return report

    def _read_settled(self, which: str, path: Path, info: os.stat_result, *, force: bool) -> bytes | None:
        """An export's bytes once it is not being written (None until then, or when it changed while read)."""
        stamp = (info.st_size, info.st_mtime_ns)
        if not force and not self._settled(which, stamp, info.st_mtime):
            return None
        raw = path.read_bytes()
        return raw if (len(raw), path.stat().st_mtime_ns) == stamp else None

    def _settled(self, which: str, stamp: tuple[int, int], mtime: float) -> bool:
        """Untouched for `write_grace` by the wall clock — or, for a file server whose clock runs ahead of ours,
        the same size and time for `write_grace` by our clock."""
        now = time.monotonic()
        if time.time() - mtime >= self.write_grace:
            return True
        seen = self._pending.get(which)
        if seen is not None and seen[0] == stamp:
            return now - seen[1] >= self.write_grace
        self._pending[which] = (stamp, now)
        return False

    def _maybe_refresh(self) -> None:
        now = time.monotonic()
        if now - self._checked >= CHECK_INTERVAL or self._seen is None:
            self._checked = now
            self.refresh()
            self.refresh_appointments()

    def _records(self, raw: bytes) -> list[tuple[int, dict[str, str | None]]]:
        text = raw.decode(self.config.encoding, errors="replace")
        columns = self.config.columns
        result: list[tuple[int, dict[str, str | None]]] = []
        if self.config.format == "fixed":
            for number, line in enumerate(raw.splitlines(), start=1):
                if (number == 1 and self.config.header) or not line.strip():
                    continue
                values: dict[str, str | None] = {}
                for key, spec in columns.items():
                    start, length = (int(part) for part in spec.split(":"))
                    values[key] = line[start - 1 : start - 1 + length].decode(self.config.encoding, "replace").rstrip()
                result.append((number, values))
            return result
        reader = csv.reader(io.StringIO(text))
        header: list[str] | None = None
        for number, fields in enumerate(reader, start=1):
            if number == 1 and self.config.header:
                header = fields
                continue
            values = {}
            for key in COLUMNS:
                spec = columns.get(key, key if header else "")
                if not spec:
                    continue
                index = int(spec) - 1 if spec.isdigit() else (header.index(spec) if header and spec in header else -1)
                values[key] = fields[index] if 0 <= index < len(fields) else None
            result.append((number, values))
        return result

    # -- the port -------------------------------------------------------------------------------
    def find_candidates(self, query: CandidateQuery, limit: int = 300) -> list[Candidate]:
        self._maybe_refresh()
        return self.mirror.find_candidates(query, limit)

    def get_patient(self, patient_id: str) -> PatientRecord | None:
        self._maybe_refresh()
        return self.mirror.get_patient(patient_id)

    def search_patients(self, query: SearchQuery, limit: int = FETCH_LIMIT) -> list[PatientRecord]:
        self._maybe_refresh()
        return self.mirror.search_patients(query, limit)

    def list_receptions(self, day: date) -> list[Reception]:
        return self.mirror.list_receptions(day)

    def receptions_of(self, patient_id: str, day: date) -> list[Reception]:
        return self.mirror.receptions_of(patient_id, day)

    def register_reception(
        self,
        patient_id: str,
        day: date,
        department: str | None,
        idempotency_key: str,
        insurance: Insurance | None = None,
        appointment: Appointment | None = None,
    ) -> ReceptionResult:
        self._maybe_refresh()
        result = self.mirror.register_reception(patient_id, day, department, idempotency_key, insurance,
                                                appointment)  # fmt: skip
        if result.status == "registered":
            self._write(result.reception, "01")
        return result

    def appointments_on(self, day: date) -> list[Appointment]:
        self._maybe_refresh()
        return self.mirror.appointments_on(day)

    def appointments_of(self, patient_id: str, day: date) -> list[Appointment]:
        self._maybe_refresh()
        return self.mirror.appointments_of(patient_id, day)

    def set_appointment_state(self, appointment_id: str, state: AppointmentState) -> None:
        """Kept here only: the export is read, never written, so the レセコン does not learn of it (staff
        cancel there too; the next export then agrees)."""
        self.mirror.set_appointment_state(appointment_id, state)

    def cancel_reception(self, reception_id: str) -> None:
        self.mirror.cancel_reception(reception_id)
        cancelled = self.mirror.reception(reception_id)
        if cancelled is not None:
            self._write(cancelled, "02")

    def departments(self) -> list[Department]:
        return [Department(code, name) for code, name in sorted(self.config.departments.items())]

    def create_patient(self, patient: NewPatient) -> PatientRecord:
        raise RegistryError(
            "create_unsupported",
            "ファイル連携ではここで患者を登録できません。レセコンで登録してください",
            "patients cannot be created through file exchange; register them in the レセコン",
        )

    # -- reception files ------------------------------------------------------------------------
    def _write(self, reception: Reception, kind: str) -> None:
        folder = Path(self.config.reception_folder)
        if not self.config.reception_folder:
            return
        name = self.config.reception_name.format(date=f"{reception.day:%Y%m%d}", number=reception.number,
                                                 patient=reception.patient_id, kind=kind)  # fmt: skip
        if kind == "02":
            name = f"{Path(name).stem}_cancel{Path(name).suffix}"
        fields = [kind, reception.patient_id, f"{reception.day:%Y%m%d}", datetime.now().strftime("%H%M%S"),
                  reception.department or "", str(reception.number)]  # fmt: skip
        widths: tuple[int, ...] = (2, 20, 8, 6, 4, 5)
        if self.config.appointment_file:  # 予約: which appointment the visit was, and its physician
            fields += [reception.appointment_id or "", reception.physician_code or ""]
            widths += (20, 10)
        if self.config.reception_format == "fixed":
            line = "".join(value.ljust(width)[:width] for value, width in zip(fields, widths, strict=True))
        else:
            line = ",".join(fields)
        data = (line + "\r\n").encode(self.config.encoding)
        temp = folder / f".uketsuke-{uuid.uuid4().hex}.tmp"
        try:
            with temp.open("wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, folder / name)
        except OSError as exc:
            temp.unlink(missing_ok=True)
            raise RegistryError(
                "reception_file", "受付ファイルを書けません", f"cannot write the reception file ({exc.strerror})"
            ) from None
