"""The embedded registry: patients in the project's own store, behind the registry port."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kiosk.core.normalize import NORM_VERSION, insurance_key, kana_loose, kana_parts
from kiosk.core.registry import (
    Candidate,
    CandidateQuery,
    Department,
    Insurance,
    NewPatient,
    PatientName,
    PatientRecord,
    Reception,
    ReceptionResult,
    RegistryError,
)
from kiosk.store.models import DepartmentRow, Patient, PatientInsuranceRow, PatientNameRow, ReceptionRow


def name_row(patient_id: str, name: str | None, kana: str | None, birthdate: date | None) -> dict[str, object]:
    """Column values of one name with its matching keys (shared by import and create)."""
    parts = kana_parts(kana) if kana else None
    return {
        "patient_id": patient_id,
        "name": name,
        "name_kana": kana,
        "k_loose": (kana_loose(kana) or None) if kana else None,
        "k_given": parts.given if parts else None,
        "birthdate": birthdate,
        "current": True,
        "norm_version": NORM_VERSION,
    }


def insurance_row(patient_id: str, insurance: Insurance) -> dict[str, object]:
    return {
        "patient_id": patient_id,
        "insurer_number": insurance.insurer_number,
        "insured_card_symbol": insurance.insured_card_symbol,
        "insured_identification_number": insurance.insured_identification_number,
        "insured_branch_number": insurance.insured_branch_number,
        "insurer_key": insurance_key(insurance.insurer_number),
        "number_key": insurance_key(insurance.insured_identification_number),
        "current": True,
    }


class SqlRegistry:
    """Reception registry on SQLAlchemy (SQLite or PostgreSQL)."""

    can_create_patients = True

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    # -- lookup -------------------------------------------------------------------------------
    def find_candidates(self, query: CandidateQuery, limit: int = 300) -> list[Candidate]:
        fired: dict[str, set[str]] = defaultdict(set)
        with self.sessions() as session:
            if query.patient_id and session.get(Patient, query.patient_id) is not None:
                fired[query.patient_id].add("照会番号")
            if query.insurer_key and query.number_key:
                rows = session.scalars(
                    select(PatientInsuranceRow.patient_id)
                    .where(
                        PatientInsuranceRow.insurer_key == query.insurer_key,
                        PatientInsuranceRow.number_key == query.number_key,
                    )
                    .limit(limit)
                )
                for pid in rows:
                    fired[pid].add("保険者番号+番号")
            if query.birthdate:
                for pid in session.scalars(
                    select(Patient.patient_id).where(Patient.birthdate == query.birthdate).limit(limit)
                ):
                    fired[pid].add("生年月日")
            if query.kana_loose:
                rows = session.scalars(
                    select(PatientNameRow.patient_id).where(PatientNameRow.k_loose == query.kana_loose).limit(limit)
                )
                for pid in rows:
                    fired[pid].add("カナ氏名")
            if query.given_loose and query.birthdate_variants:
                rows = session.scalars(
                    select(PatientNameRow.patient_id)
                    .where(
                        PatientNameRow.k_given == query.given_loose,
                        PatientNameRow.birthdate.in_(sorted(query.birthdate_variants)),
                    )
                    .limit(limit)
                )
                for pid in rows:
                    fired[pid].add("名+生年月日の入力誤り")
            records = self._records(session, list(fired)[:limit])
        return [Candidate(records[pid], frozenset(fired[pid])) for pid in fired if pid in records]

    def get_patient(self, patient_id: str) -> PatientRecord | None:
        with self.sessions() as session:
            return self._records(session, [patient_id]).get(patient_id)

    def _records(self, session: Session, ids: list[str]) -> dict[str, PatientRecord]:
        if not ids:
            return {}
        names: dict[str, list[PatientNameRow]] = defaultdict(list)
        for row in session.scalars(select(PatientNameRow).where(PatientNameRow.patient_id.in_(ids))):
            names[row.patient_id].append(row)
        insurances: dict[str, list[PatientInsuranceRow]] = defaultdict(list)
        for ins in session.scalars(select(PatientInsuranceRow).where(PatientInsuranceRow.patient_id.in_(ids))):
            insurances[ins.patient_id].append(ins)
        records = {}
        for patient in session.scalars(select(Patient).where(Patient.patient_id.in_(ids))):
            pid = patient.patient_id
            ordered_names = sorted(names[pid], key=lambda r: (not r.current, -r.id))
            ordered_ins = sorted(insurances[pid], key=lambda r: (not r.current, -r.id))
            records[pid] = PatientRecord(
                patient_id=pid,
                names=tuple(PatientName(r.name, r.name_kana) for r in ordered_names),
                birthdate=patient.birthdate,
                sex=patient.sex,
                insurances=tuple(
                    Insurance(
                        r.insurer_number,
                        r.insured_card_symbol,
                        r.insured_identification_number,
                        r.insured_branch_number,
                    )
                    for r in ordered_ins
                ),
                postcode=patient.postcode,
                address=patient.address,
                reference_number=patient.reference_number,
            )
        return records

    def count(self) -> int:
        with self.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(Patient)) or 0)

    # -- receptions ---------------------------------------------------------------------------
    def list_receptions(self, day: date) -> list[Reception]:
        with self.sessions() as session:
            rows = session.scalars(select(ReceptionRow).where(ReceptionRow.day == day).order_by(ReceptionRow.number))
            return [_reception(row) for row in rows]

    def register_reception(
        self, patient_id: str, day: date, department: str | None, idempotency_key: str
    ) -> ReceptionResult:
        session = self.sessions()
        try:
            with session.begin():
                existing = session.scalar(select(ReceptionRow).where(ReceptionRow.idempotency_key == idempotency_key))
                if existing is not None:
                    return ReceptionResult("duplicate", _reception(existing))
                if session.get(Patient, patient_id) is None:
                    raise RegistryError("unknown_patient", "患者番号が登録されていません", "unknown patient number")
                number = int(session.scalar(select(func.max(ReceptionRow.number)).where(ReceptionRow.day == day)) or 0)
                row = ReceptionRow(
                    patient_id=patient_id, day=day, department=department, number=number + 1, state="registered",
                    idempotency_key=idempotency_key, created_at=datetime.now(),
                )  # fmt: skip
                session.add(row)
                session.flush()
                return ReceptionResult("registered", _reception(row))
        except IntegrityError:
            with self.sessions() as again:
                stored = again.scalar(select(ReceptionRow).where(ReceptionRow.idempotency_key == idempotency_key))
                assert stored is not None
                return ReceptionResult("duplicate", _reception(stored))
        finally:
            session.close()

    def cancel_reception(self, reception_id: str) -> None:
        with self.sessions.begin() as session:
            row = session.get(ReceptionRow, int(reception_id)) if reception_id.isdigit() else None
            if row is None:
                raise RegistryError("unknown_reception", "受付が見つかりません", "reception not found")
            row.state = "cancelled"

    def departments(self) -> list[Department]:
        with self.sessions() as session:
            return [
                Department(r.code, r.name) for r in session.scalars(select(DepartmentRow).order_by(DepartmentRow.code))
            ]

    def set_departments(self, departments: list[Department]) -> None:
        with self.sessions.begin() as session:
            for department in departments:
                session.merge(DepartmentRow(code=department.code, name=department.name))

    # -- patients -----------------------------------------------------------------------------
    def create_patient(self, patient: NewPatient) -> PatientRecord:
        with self.sessions.begin() as session:
            numeric = session.scalars(select(Patient.patient_id)).all()
            next_id = str(max((int(p) for p in numeric if p.isdigit()), default=0) + 1)
            session.add(
                Patient(
                    patient_id=next_id, birthdate=patient.birthdate, sex=patient.sex, postcode=patient.postcode,
                    address=patient.address, updated_at=datetime.now(),
                )
            )  # fmt: skip
            session.flush()
            session.add(PatientNameRow(**name_row(next_id, patient.name, patient.name_kana, patient.birthdate)))
            if patient.insurance is not None:
                session.add(PatientInsuranceRow(**insurance_row(next_id, patient.insurance)))
        record = self.get_patient(next_id)
        assert record is not None
        return record

    def search_text(self, text: str, limit: int = 50) -> list[PatientRecord]:
        """Manual search for staff: by 患者番号 or loose kana prefix."""
        key = kana_loose(text)
        condition = PatientNameRow.patient_id == text
        if key:
            condition = or_(condition, PatientNameRow.k_loose.startswith(key))
        with self.sessions() as session:
            ids = session.scalars(select(PatientNameRow.patient_id).where(condition).limit(limit)).all()
            return list(self._records(session, list(dict.fromkeys(ids))).values())


def _reception(row: ReceptionRow) -> Reception:
    return Reception(str(row.id), row.patient_id, row.day, row.department, row.number, row.state)
