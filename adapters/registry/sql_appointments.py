"""予約 in the embedded registry: the appointment book behind the port, and the import of the clinic's CSV."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kiosk.core.appointments import Appointment, AppointmentState
from kiosk.core.registry import RegistryError, appointment_arrived
from kiosk.store.models import AppointmentRow, DepartmentRow, Patient

BOOKING_FIELDS = ("patient_id", "day", "at", "department_code", "physician_code", "note")


@dataclass
class AppointmentImport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0  # booked, but gone from a full export (file exchange): removed
    # 患者番号 that no chart has (kept: a 予約 may come before the chart) and, for a number that lost its leading
    # zeros (Excel does that to a CSV), the chart it probably meant
    unknown_patients: list[str] = field(default_factory=list)
    zeros_lost: dict[str, str] = field(default_factory=dict)
    # 診療科 codes the registry does not list (only when it lists some): the kiosk would show the bare code
    unknown_departments: list[str] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)


def _appointment(row: AppointmentRow) -> Appointment:
    return Appointment(row.appointment_id, row.patient_id, row.day, row.at, row.department_code, row.physician_code,
                       row.note, AppointmentState(row.state), row.reception_id)  # fmt: skip


def locked_appointment(session: Session, appointment_id: str) -> AppointmentRow:
    """The appointment row, locked for this transaction (two kiosks checking in one 予約: one wins)."""
    row = session.scalar(select(AppointmentRow).where(AppointmentRow.appointment_id == appointment_id)
                         .with_for_update())  # fmt: skip
    if row is None:
        raise RegistryError("unknown_appointment", "予約が見つかりません", "no such appointment")
    return row


def bookable(row: AppointmentRow, patient_id: str) -> AppointmentRow:
    """Only the patient's own appointment, still booked, is checked in against."""
    if row.patient_id != patient_id:
        raise RegistryError("appointment_of_another_patient", "この予約は別の患者さんのものです",
                            "the appointment belongs to another patient")  # fmt: skip
    if row.state != AppointmentState.BOOKED.value:
        raise RegistryError("appointment_not_booked", "この予約はすでに受付済みか取消されています",
                            "the appointment is no longer booked (arrived, cancelled or no-show)")  # fmt: skip
    return row


class SqlAppointmentBook:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def appointments_on(self, day: date) -> list[Appointment]:
        with self.sessions() as session:
            rows = session.scalars(select(AppointmentRow).where(AppointmentRow.day == day)
                                   .order_by(AppointmentRow.at, AppointmentRow.appointment_id))  # fmt: skip
            return [_appointment(r) for r in rows]

    def appointments_of(self, patient_id: str, day: date) -> list[Appointment]:
        with self.sessions() as session:
            rows = session.scalars(select(AppointmentRow).where(AppointmentRow.patient_id == patient_id,
                                                                AppointmentRow.day == day)
                                   .order_by(AppointmentRow.at))  # fmt: skip
            return [_appointment(r) for r in rows]

    def set_state(self, appointment_id: str, state: AppointmentState) -> None:
        """A clerk's 取消 / 来院せず (or back to booked). Arrival comes only with a reception (SqlRegistry's
        register_reception), and an arrived appointment keeps it: its reception is cancelled in the レセコン."""
        with self.sessions.begin() as session:
            row = locked_appointment(session, appointment_id)
            if state is AppointmentState.ARRIVED or row.state == AppointmentState.ARRIVED.value:
                raise appointment_arrived()
            row.state, row.updated_at = state.value, datetime.now()

    def import_rows(self, rows: list[tuple[int, Appointment | str]], *,
                    full_from: date | None = None) -> AppointmentImport:  # fmt: skip
        """Add new appointments and update changed bookings in one transaction; what happened at the visit
        (state, reception) is kept when a re-import only repeats or moves the booking. `full_from`: the rows are
        the whole book from that day on (a レセコン's export), so a booked appointment missing from them was
        cancelled there and is removed here — never checked in against; an export that lists it again brings it
        back as booked. What happened to one (arrived, or a clerk's cancel / no-show) is never removed."""
        report = AppointmentImport()
        now = datetime.now()
        with self.sessions.begin() as session:
            wanted = {a.appointment_id: (line, a) for line, a in rows if isinstance(a, Appointment)}
            report.rejected = [(line, reason) for line, reason in rows if isinstance(reason, str)]
            ids = list(wanted)
            existing: dict[str, AppointmentRow] = {}
            for start in range(0, len(ids), 900):  # bounded IN lists (SQLite's variable limit, PostgreSQL's plans)
                chunk = ids[start:start + 900]
                existing.update((r.appointment_id, r) for r in session.scalars(
                    select(AppointmentRow).where(AppointmentRow.appointment_id.in_(chunk))))
            for appointment_id, (_line, appointment) in wanted.items():
                row = existing.get(appointment_id)
                values = {name: getattr(appointment, name) for name in BOOKING_FIELDS}
                if row is None:
                    session.add(AppointmentRow(appointment_id=appointment_id, state=appointment.state.value,
                                               updated_at=now, **values))  # fmt: skip
                    report.added += 1
                elif any(getattr(row, name) != value for name, value in values.items()):
                    for name, value in values.items():
                        setattr(row, name, value)
                    row.updated_at = now
                    report.updated += 1
                else:
                    report.unchanged += 1
            self._unknown_patients(session, {a.patient_id for _line, a in wanted.values()}, report)
            listed = set(session.scalars(select(DepartmentRow.code)))
            used = {a.department_code for _line, a in wanted.values() if a.department_code}
            report.unknown_departments = sorted(used - listed) if listed else []
            if full_from is not None and not report.rejected:  # a row we could not read may be one of them
                booked = session.scalars(select(AppointmentRow).where(
                    AppointmentRow.day >= full_from, AppointmentRow.state == AppointmentState.BOOKED.value))
                for row in booked:
                    if row.appointment_id not in wanted:
                        session.delete(row)
                        report.withdrawn += 1
        return report

    @staticmethod
    def _unknown_patients(session: Session, patient_ids: set[str], report: AppointmentImport) -> None:
        ids = sorted(patient_ids)
        known: set[str] = set()
        for start in range(0, len(ids), 900):
            chunk = ids[start:start + 900]
            known.update(session.scalars(select(Patient.patient_id).where(Patient.patient_id.in_(chunk))))
        report.unknown_patients = [pid for pid in ids if pid not in known]
        stripped = {pid.lstrip("0"): pid for pid in report.unknown_patients if pid.isdigit()}
        keys = sorted(stripped)
        for start in range(0, len(keys), 900):
            rows = session.execute(select(func.ltrim(Patient.patient_id, "0"), Patient.patient_id)
                                   .where(func.ltrim(Patient.patient_id, "0").in_(keys[start:start + 900])))
            for key, registry_id in rows:
                report.zeros_lost[stripped[key]] = registry_id
