"""The embedded registry: patients in the project's own store, behind the registry port."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    Engine,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from adapters.registry.sql_appointments import SqlAppointmentBook, bookable, locked_appointment
from kiosk.core.address import registry_postcode_key
from kiosk.core.appointments import Appointment, AppointmentState
from kiosk.core.normalize import NORM_VERSION, NameKeys, insurance_key, name_keys
from kiosk.core.patient_search import FETCH_LIMIT, SearchQuery
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
from kiosk.store.db import read_connection
from kiosk.store.models import DepartmentRow, IssuedCard, Patient, PatientInsuranceRow, PatientNameRow, ReceptionRow


def name_row(patient_id: str, name: str | None, kana: str | None, birthdate: date | None) -> dict[str, object]:
    """Column values of one name with all its comparison keys (shared by import and create)."""
    keys = name_keys(name, kana)
    return {
        "patient_id": patient_id,
        "name": name,
        "name_kana": kana,
        "k_loose": keys.loose,
        "k_given": keys.given,
        "k_strict": keys.strict,
        "k_seion": keys.seion,
        "k_family": keys.family,
        "kanji_key": keys.kanji,
        "kanji_plain": keys.kanji_plain,
        "kanji_given": keys.kanji_given,
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


_P, _N, _I = Patient, PatientNameRow, PatientInsuranceRow
# Fixed-size statements (unused slots are NULL) are compiled once and cached; an "expanding" IN list
# would be re-rendered on every match and costs more than the query itself.
MAX_DOB_VARIANTS = 24
# research matching.md §3.1 B0–B4: indexed equality lookups, each tagged with why it fired.
_CANDIDATES = union_all(
    select(_P.patient_id, literal("照会番号")).where(_P.patient_id == bindparam("pid")),
    select(_I.patient_id, literal("保険者番号+番号")).where(
        _I.insurer_key == bindparam("ik"), _I.number_key == bindparam("nk")
    ),
    select(_N.patient_id, literal("生年月日")).where(
        _N.birthdate == bindparam("dob"),
        or_(
            bindparam("any_name", type_=Boolean),
            _N.k_family == bindparam("kf"),
            _N.k_given == bindparam("kg"),
            _N.k_loose.like(bindparam("kf_prefix")),
            _N.k_loose.like(bindparam("kg_suffix")),
            _N.k_seion == bindparam("ks"),
            _N.kanji_key == bindparam("kj"),
        ),
    ),
    select(_N.patient_id, literal("カナ氏名"))
    .join(_P, _P.patient_id == _N.patient_id)
    .where(_N.k_loose == bindparam("kl"), _P.postcode_key == bindparam("pc")),
    select(_N.patient_id, literal("名+生年月日の入力誤り")).where(
        _N.k_given == bindparam("kg"), _N.birthdate.in_([bindparam(f"dob{i}") for i in range(MAX_DOB_VARIANTS)])
    ),
)
_INSURANCES = select(
    _I.patient_id, _I.id, _I.current, _I.insurer_number, _I.insured_card_symbol, _I.insured_identification_number,
    _I.insured_branch_number,
).where(_I.patient_id.in_(bindparam("ids", expanding=True)))  # fmt: skip
_NAME_KEYS = (
    _N.k_strict, _N.k_loose, _N.k_seion, _N.k_family, _N.k_given, _N.kanji_key, _N.kanji_plain, _N.kanji_given,
)  # fmt: skip
_ROW_COLUMNS = (
    _N.id, _N.current, _N.name, _N.name_kana, *_NAME_KEYS, _N.norm_version,
    _P.birthdate, _P.sex, _P.postcode, _P.address, _P.reference_number,
)  # fmt: skip
_hits = _CANDIDATES.subquery("hits")
# One statement gives every candidate with all its names (current and history) and its patient row.
_INSURANCE_COLUMNS = (
    _I.id, _I.current, _I.insurer_number, _I.insured_card_symbol, _I.insured_identification_number,
    _I.insured_branch_number,
)  # fmt: skip
# One statement (one round trip) gives every candidate with its names, its patient row and its insurances.
_CANDIDATE_ROWS = (
    select(_hits.c[0], _hits.c[1], *_ROW_COLUMNS, *_INSURANCE_COLUMNS)
    .join(_P, _P.patient_id == _hits.c[0])
    .join(_N, _N.patient_id == _hits.c[0])
    .outerjoin(_I, _I.patient_id == _hits.c[0])
)
_BASE_WIDTH = 2 + len(_ROW_COLUMNS)
_PATIENT_ROWS = (
    select(_P.patient_id, literal(""), *_ROW_COLUMNS)
    .join(_N, _N.patient_id == _P.patient_id)
    .where(_P.patient_id.in_(bindparam("ids", expanding=True)))
)


def _assemble(
    rows: Sequence[Sequence[Any]], insurances: dict[str, list[tuple[bool, int, Insurance]]], wanted: set[str]
) -> dict[str, PatientRecord]:
    names: dict[str, dict[int, tuple[bool, int, PatientName]]] = defaultdict(dict)
    patients: dict[str, tuple[Any, ...]] = {}
    for pid, _why, nid, current, name, kana, *rest in rows:
        if pid not in wanted:
            continue
        stored_keys, version, patient = rest[:8], rest[8], rest[9:14]
        keys = NameKeys(*stored_keys) if version == NORM_VERSION else None  # older keys: recomputed
        names[pid][nid] = (not current, -nid, PatientName(name, kana, keys))
        patients[pid] = tuple(patient)
    records = {}
    for pid, (birthdate, sex, postcode, address, reference) in patients.items():
        records[pid] = PatientRecord(
            patient_id=pid,
            names=tuple(item[2] for item in sorted(names[pid].values(), key=lambda t: (t[0], t[1]))),
            birthdate=birthdate,
            sex=sex,
            insurances=tuple(item[2] for item in sorted(insurances.get(pid, []), key=lambda t: (t[0], t[1]))),
            postcode=postcode,
            address=address,
            reference_number=reference,
        )
    return records


class SqlRegistry:
    """Reception registry on SQLAlchemy (SQLite or PostgreSQL)."""

    can_create_patients = True

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        engine = sessions.kw["bind"]
        assert isinstance(engine, Engine)
        self.engine = engine
        self.book = SqlAppointmentBook(sessions)

    # -- lookup -------------------------------------------------------------------------------
    def find_candidates(self, query: CandidateQuery, limit: int = 300) -> list[Candidate]:
        variants = sorted(query.birthdate_variants)[:MAX_DOB_VARIANTS] if query.given_loose else []
        params: dict[str, object] = {
            "pid": query.patient_id,
            "ik": query.insurer_key,
            "nk": query.number_key,
            "dob": query.birthdate,
            "kl": query.kana_loose,
            "kf": query.family_loose,
            "kg": query.given_loose,
            "kf_prefix": f"{query.family_loose}%" if query.family_loose else None,
            "kg_suffix": f"%{query.given_loose}" if query.given_loose else None,
            "ks": query.kana_seion,
            "kj": query.kanji_key,
            "pc": query.postcode_key,
            "any_name": query.family_loose is None or query.given_loose is None,
        }
        params.update({f"dob{i}": variants[i] if i < len(variants) else None for i in range(MAX_DOB_VARIANTS)})
        with read_connection(self.engine) as connection:
            rows = connection.execute(_CANDIDATE_ROWS, params).all()  # names × insurances per candidate
            fired: dict[str, set[str]] = defaultdict(set)
            for row in rows:
                if len(fired) < limit or row[0] in fired:
                    fired[row[0]].add(row[1])
            insurances: dict[str, list[tuple[bool, int, Insurance]]] = defaultdict(list)
            seen: set[int] = set()
            for row in rows:
                iid = row[_BASE_WIDTH]
                if iid is None or iid in seen or row[0] not in fired:
                    continue
                seen.add(iid)
                current, *fields = row[_BASE_WIDTH + 1 :]
                insurances[row[0]].append((not current, -iid, Insurance(*fields)))
        return [
            Candidate(record, frozenset(fired[record.patient_id]))
            for record in _assemble(rows, insurances, set(fired)).values()
        ]

    def get_patient(self, patient_id: str) -> PatientRecord | None:
        with read_connection(self.engine) as connection:
            rows = connection.execute(_PATIENT_ROWS, {"ids": [patient_id]}).all()
            return _assemble(rows, self._insurances(connection, [patient_id]), {patient_id}).get(patient_id)

    def _insurances(self, connection: Connection, ids: list[str]) -> dict[str, list[tuple[bool, int, Insurance]]]:
        insurances: dict[str, list[tuple[bool, int, Insurance]]] = defaultdict(list)
        if ids:
            for pid, iid, current, *fields in connection.execute(_INSURANCES, {"ids": ids}):
                insurances[pid].append((not current, -iid, Insurance(*fields)))
        return insurances

    def count(self) -> int:
        with self.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(Patient)) or 0)

    # -- receptions ---------------------------------------------------------------------------
    def list_receptions(self, day: date) -> list[Reception]:
        with self.sessions() as session:
            rows = session.scalars(select(ReceptionRow).where(ReceptionRow.day == day).order_by(ReceptionRow.number))
            return [_reception(row) for row in rows]

    def receptions_of(self, patient_id: str, day: date) -> list[Reception]:
        with self.sessions() as session:
            rows = session.scalars(select(ReceptionRow).where(ReceptionRow.patient_id == patient_id,
                                                              ReceptionRow.day == day)
                                   .order_by(ReceptionRow.number))  # fmt: skip
            return [_reception(row) for row in rows]

    def register_reception(
        self,
        patient_id: str,
        day: date,
        department: str | None,
        idempotency_key: str,
        insurance: Insurance | None = None,
        appointment: Appointment | None = None,
    ) -> ReceptionResult:
        session = self.sessions()
        try:
            with session.begin():
                existing = session.scalar(select(ReceptionRow).where(ReceptionRow.idempotency_key == idempotency_key))
                if existing is not None:
                    return ReceptionResult("duplicate", _reception(existing))
                if session.get(Patient, patient_id) is None:
                    raise RegistryError("unknown_patient", "患者番号が登録されていません", "unknown patient number")
                booked = bookable(locked_appointment(session, appointment.appointment_id), patient_id) \
                    if appointment is not None else None
                number = int(session.scalar(select(func.max(ReceptionRow.number)).where(ReceptionRow.day == day)) or 0)
                row = ReceptionRow(
                    patient_id=patient_id, day=day, number=number + 1, state="registered",
                    department=(booked.department_code if booked else None) or department,
                    physician_code=booked.physician_code if booked else None,
                    appointment_id=booked.appointment_id if booked else None,
                    idempotency_key=idempotency_key, created_at=datetime.now(),
                )  # fmt: skip
                session.add(row)
                session.flush()
                if booked is not None:  # in the same transaction: arrived exactly when the reception exists
                    booked.state, booked.reception_id = AppointmentState.ARRIVED.value, str(row.id)
                    booked.updated_at = row.created_at
                return ReceptionResult("registered", _reception(row))
        except IntegrityError:
            with self.sessions() as again:
                stored = again.scalar(select(ReceptionRow).where(ReceptionRow.idempotency_key == idempotency_key))
                assert stored is not None
                return ReceptionResult("duplicate", _reception(stored))
        finally:
            session.close()

    # -- appointments (予約) ---------------------------------------------------------------------
    def appointments_on(self, day: date) -> list[Appointment]:
        return self.book.appointments_on(day)

    def appointments_of(self, patient_id: str, day: date) -> list[Appointment]:
        return self.book.appointments_of(patient_id, day)

    def set_appointment_state(self, appointment_id: str, state: AppointmentState) -> None:
        self.book.set_state(appointment_id, state)

    def reception(self, reception_id: str) -> Reception | None:
        with self.sessions() as session:
            row = session.get(ReceptionRow, int(reception_id)) if reception_id.isdigit() else None
            return _reception(row) if row is not None else None

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
        postcode = registry_postcode_key(patient.postcode, patient.address)
        with self.sessions.begin() as session:
            numeric = session.scalars(select(Patient.patient_id)).all()
            next_id = str(max((int(p) for p in numeric if p.isdigit()), default=0) + 1)
            session.add(
                Patient(
                    patient_id=next_id, birthdate=patient.birthdate, sex=patient.sex, postcode=patient.postcode,
                    postcode_key=postcode, address=patient.address, updated_at=datetime.now(),
                )
            )  # fmt: skip
            session.flush()
            session.add(PatientNameRow(**name_row(next_id, patient.name, patient.name_kana, patient.birthdate)))
            if patient.insurance is not None:
                session.add(PatientInsuranceRow(**insurance_row(next_id, patient.insurance)))
        record = self.get_patient(next_id)
        assert record is not None
        return record

    # -- IC 診察券 ------------------------------------------------------------------------------
    def issue_card(self, card_id: str, patient_id: str, *, staff: str | None = None) -> None:
        """A staff action at the counter; a card id already in use is refused, not reassigned."""
        card_id = card_id.strip().upper()
        with self.sessions.begin() as session:
            if session.get(Patient, patient_id) is None:
                raise RegistryError("unknown_patient", "患者番号が登録されていません", "unknown patient number")
            existing = session.scalar(select(IssuedCard).where(IssuedCard.card_id == card_id))
            if existing is not None and existing.revoked_at is None:
                raise RegistryError("card_in_use", "このカードは別の患者に発行済みです", "this card is already issued")
            if existing is not None:
                existing.patient_id, existing.issued_by = patient_id, staff
                existing.issued_at, existing.revoked_at = datetime.now(), None
            else:
                session.add(IssuedCard(card_id=card_id, patient_id=patient_id, issued_by=staff,
                                       issued_at=datetime.now()))  # fmt: skip

    def revoke_card(self, card_id: str) -> None:
        with self.sessions.begin() as session:
            row = session.scalar(select(IssuedCard).where(IssuedCard.card_id == card_id.strip().upper()))
            if row is not None:
                row.revoked_at = datetime.now()

    def patient_for_card(self, card_id: str) -> str | None:
        with self.sessions() as session:
            return session.scalar(
                select(IssuedCard.patient_id).where(
                    IssuedCard.card_id == card_id.strip().upper(), IssuedCard.revoked_at.is_(None)
                )
            )

    def search_patients(self, query: SearchQuery, limit: int = FETCH_LIMIT) -> list[PatientRecord]:
        """Every kind typed narrows (AND); names match anywhere in any name, current or earlier, and people whose
        name starts with what was typed come first, so a common surname still finds the right ones in `limit`."""
        conditions: list[ColumnElement[bool]] = []
        order: list[ColumnElement[Any]] = []
        for key, column in ((query.kana, _N.k_loose), (query.kanji, _N.kanji_key)):
            if not key:
                continue
            closeness = func.min(case((column == key, 0), (column.startswith(key, autoescape=True), 1), else_=2))
            hits = (select(_N.patient_id.label("pid"), closeness.label("closeness"))
                    .where(column.contains(key, autoescape=True)).group_by(_N.patient_id).subquery())  # fmt: skip
            conditions.append(_P.patient_id.in_(select(hits.c.pid)))
            order.append(select(hits.c.closeness).where(hits.c.pid == _P.patient_id).scalar_subquery())
        if query.birthdate is not None:
            conditions.append(_P.birthdate == query.birthdate)
        if query.digits:
            numbers = select(_I.patient_id).where(or_(_I.number_key == query.digits, _I.insurer_key == query.digits))
            alternatives = [_P.patient_id.in_(query.number_keys), _P.patient_id.in_(numbers),
                            func.ltrim(_P.patient_id, "0") == (query.digits.lstrip("0") or "0")]  # fmt: skip
            born = query.digits_birthdate
            if born is not None:
                alternatives.append(_P.birthdate == born)
            conditions.append(or_(*alternatives))
        if not conditions:
            return []
        statement = select(_P.patient_id).where(*conditions).order_by(*order, _P.patient_id).limit(limit)
        with read_connection(self.engine) as connection:
            ids = list(connection.scalars(statement))
            rows = connection.execute(_PATIENT_ROWS, {"ids": ids}).all()
            found = _assemble(rows, self._insurances(connection, ids), set(ids))
        return [found[pid] for pid in ids if pid in found]


def _reception(row: ReceptionRow) -> Reception:
    return Reception(str(row.id), row.patient_id, row.day, row.department, row.number, row.state,
                     row.appointment_id, row.physician_code)  # fmt: skip
