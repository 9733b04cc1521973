"""ORCA (日医標準レセプトソフト / WebORCA) behind the reception-registry port.

Matching never waits for ORCA's search: candidates come from a local mirror of the fields the matcher
needs (the embedded registry tables), filled by `sync_mirror` from patientlst1v2 + patientlst2v2;
everything that must be current (a patient's record, receptions, departments) is asked of ORCA.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from adapters.registry.orca.appointments import OrcaAppointments
from adapters.registry.orca.client import OrcaAnswer, OrcaClient
from adapters.registry.orca.ids import iso_date, reception_id, same_patient_number
from adapters.registry.orca.insurance import combinations, insurances_of, orca_width
from adapters.registry.sql_registry import SqlRegistry
from kiosk.core.appointments import Appointment, AppointmentState
from kiosk.core.normalize import insurance_key, kana_base
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
from kiosk.logsetup import get_logger
from kiosk.services.registry_import import ImportReport, Row, apply_rows
from kiosk.store.models import ReceptionRow

log = get_logger("uketsuke.orca")


# patientmodv2 answers a registration that succeeded with its first warning code (K0 「同一患者の登録があります」…
# K5), not 00 (research recept-adapters.md §1.8; ORCA API patientmod.html)
PATIENTMOD_WARNINGS = frozenset({"K0", "K1", "K2", "K3", "K4", "K5"})


def _failed(answer: OrcaAnswer) -> RegistryError:
    return RegistryError(
        f"orca_{answer.api_result}",
        f"レセコンがエラーを返しました（{answer.api_result} {answer.message}）",
        f"ORCA answered Api_Result {answer.api_result}",
    )


ACCEPTLST_TOO_MANY = "20"  # acceptlstv2: 受付対象件数が５００件以上あります — not "no receptions"


@dataclass(frozen=True)
class Listed:
    """A reception as acceptlstv2 lists it, with what ORCA's duplicate rule needs."""

    reception: Reception
    combination: str  # Insurance_Combination_Number
    paid: bool  # 会計済 (Account_Time set)


def _home(info: dict[str, Any]) -> tuple[str | None, str | None]:
    """(郵便番号, 住所): WholeAddress1 is the 住所 (東京都文京区本駒込), WholeAddress2 the 番地番号 (６−１６−３)."""
    home = info.get("Home_Address_Information")
    if not isinstance(home, dict):
        return None, None
    address = "".join(part for part in (home.get("WholeAddress1"), home.get("WholeAddress2")) if part) or None
    return home.get("Address_ZipCode") or None, address


class OrcaRegistry:
    def __init__(
        self, client: OrcaClient, mirror: SqlRegistry, *, physician_code: str, default_department: str = "01"
    ) -> None:
        self.client = client
        self.mirror = mirror
        self.physician_code = physician_code
        self.default_department = default_department
        self.appointments = OrcaAppointments(client, mirror.sessions, self.physicians)

    can_create_patients = True

    # -- lookup ---------------------------------------------------------------------------------
    def find_candidates(self, query: CandidateQuery, limit: int = 300) -> list[Candidate]:
        return self.mirror.find_candidates(query, limit)

    def get_patient(self, patient_id: str) -> PatientRecord | None:
        answer = self.client.get("/api01rv2/patientgetv2", {"id": patient_id})
        if answer.api_result in ("01", "10"):
            return None
        if not answer.ok:
            raise _failed(answer)
        info = answer.data.get("Patient_Information") or {}
        if not same_patient_number(info.get("Patient_ID") or "", patient_id):
            return None  # ORCA answered with another patient: not the one asked for
        return self._record(info)  # with ORCA's own (padded) number: that is the chart number

    def _record(self, info: dict[str, Any]) -> PatientRecord:
        zipcode, address = _home(info)
        return PatientRecord(
            patient_id=info["Patient_ID"],
            names=(PatientName(info.get("WholeName") or None, info.get("WholeName_inKana") or None),),
            birthdate=iso_date(info.get("BirthDate")),
            sex=info.get("Sex") or None,
            insurances=insurances_of(info.get("HealthInsurance_Information") or []),
            postcode=zipcode,
            address=address,
        )

    def search(self, kana_or_name: str, birthdate: date | None = None, sex: str | None = None) -> list[PatientRecord]:
        """ORCA's own name search (patientlst3v2) for staff: surname kana + birthdate + sex works best;
        ORCA converts to full width, `＊` splits 姓/名, and more than 100 hits is an error (narrow it)."""
        data: dict[str, Any] = {"WholeName": kana_or_name}
        if birthdate is not None:
            data["Birth_StartDate"] = data["Birth_EndDate"] = birthdate.isoformat()
        if sex:
            data["Sex"] = sex
        answer = self.client.post("/api01rv2/patientlst3v2", "patientlst3req", data, {"class": "01"})
        if answer.api_result == "20":
            return []
        if answer.api_result == "21":
            raise RegistryError("orca_too_many", "該当者が100人以上です。生年月日や性別で絞ってください",
                                "more than 100 patients match; narrow by birthdate or sex")  # fmt: skip
        if answer.api_result == "10":
            raise RegistryError("orca_gaiji", "検索する氏名に外字があります。カナで検索してください",
                                "the search name contains a character ORCA cannot search; use kana")  # fmt: skip
        if not answer.ok:
            raise _failed(answer)
        return [self._record(item) for item in answer.data.get("Patient_Information") or []]

    def search_patients(self, query: SearchQuery, limit: int = FETCH_LIMIT) -> list[PatientRecord]:
        """The mirror (every field, history names, insurance numbers) plus ORCA itself for what may be newer than
        the mirror: the number through patientgetv2, the name through patientlst3v2 (katakana for kana: ORCA
        widens what it is sent but does not turn hiragana into katakana). ORCA's record wins over the mirror's."""
        found = {record.patient_id: record for record in self.mirror.search_patients(query, limit)}
        live: list[PatientRecord] = []
        if query.digits:
            record = self.get_patient(query.digits)
            if record is not None:
                live.append(record)
        words = [kana_base(w) for w in query.kana_words] if query.kana_words else list(query.kanji_words)
        if words:
            try:
                live.extend(self.search("＊".join(words[:2]) if len(words) > 1 else words[0], query.birthdate))
            except RegistryError:
                if not found:
                    raise  # too many or an unsearchable character, and the mirror has nobody: the clerk must narrow
                log.info("orca_name_search_refused_mirror_used")
        for record in live:
            found[record.patient_id] = record
        return list(found.values())

    def refresh_patient(self, patient_id: str) -> None:
        """Bring one patient's mirror row up to date from patientgetv2 (before an auto-link)."""
        record = self.get_patient(patient_id)
        if record is None:
            return
        name = record.names[0] if record.names else PatientName(None, None)
        row = Row(0, record.patient_id, name.name, name.name_kana, record.birthdate, record.sex,
                  record.insurances[0] if record.insurances else None, record.postcode, record.address,
                  None)  # fmt: skip
        apply_rows(self.mirror.sessions, [row], ImportReport())

    def initial_load(self, *, stop_after_empty: int = 100) -> ImportReport:
        """Load every patient by walking 患者番号 in blocks of 100 (patientlst2v2): migrated patients may
        have no 登録日/更新日, so the change feed alone cannot fill an empty mirror."""
        report = ImportReport()
        empty_blocks, start = 0, 1
        while empty_blocks < stop_after_empty:
            batch = [{"Patient_ID": str(number)} for number in range(start, start + 100)]
            rows = self._details(batch)
            apply_rows(self.mirror.sessions, rows, report)
            empty_blocks = 0 if rows else empty_blocks + 1
            start += 100
        log.info("orca_mirror_loaded", added=report.added, updated=report.updated)
        return report

    def _details(self, batch: list[dict[str, str]]) -> list[Row]:
        answer = self.client.post("/api01rv2/patientlst2v2", "patientlst2req",
                                  {"Patient_ID_Information": batch}, {"class": "01"})  # fmt: skip
        if not answer.ok:
            raise _failed(answer)
        rows = [self._mirror_row(n, item) for n, item in enumerate(answer.data.get("Patient_Information") or [])]
        return [row for row in rows if row is not None]

    def sync_mirror(self, since: date = date(1900, 1, 1)) -> ImportReport:
        """Refresh the local mirror from ORCA's change feed (patientlst1v2) and details (patientlst2v2)."""
        ids = self._changed_ids(since, date(9999, 12, 31))
        report = ImportReport()
        for start in range(0, len(ids), 100):
            apply_rows(self.mirror.sessions, self._details([{"Patient_ID": pid} for pid in ids[start : start + 100]]),
                       report)  # fmt: skip
        log.info("orca_mirror_synced", patients=len(ids), added=report.added, updated=report.updated)
        return report

    def _changed_ids(self, start: date, end: date) -> list[str]:
        answer = self.client.post("/api01rv2/patientlst1v2", "patientlst1req",
                                  {"Base_StartDate": start.isoformat(), "Base_EndDate": end.isoformat()},
                                  {"class": "01"})  # fmt: skip
        if answer.empty:
            return []
        if answer.api_result == "10" and start < end:  # 1000 or more: split the range
            middle = date.fromordinal((start.toordinal() + min(end, date.today()).toordinal()) // 2)
            if middle <= start:
                raise _failed(answer)
            return self._changed_ids(start, middle) + self._changed_ids(date.fromordinal(middle.toordinal() + 1), end)
        if not answer.ok:
            raise _failed(answer)
        return [item["Patient_ID"] for item in answer.data.get("Patient_Information") or []]

    @staticmethod
    def _mirror_row(line: int, item: dict[str, Any]) -> Row | None:
        if not item.get("Patient_ID") or item.get("WholeName") == "【患者番号がありません】":
            return None
        insurances = insurances_of(item.get("HealthInsurance_Information") or [])
        zipcode, address = _home(item)
        return Row(
            line, item["Patient_ID"], item.get("WholeName") or None, item.get("WholeName_inKana") or None,
            iso_date(item.get("BirthDate")), item.get("Sex") or None, insurances[0] if insurances else None, zipcode,
            address, None,
        )  # fmt: skip

    # -- receptions -----------------------------------------------------------------------------
    def list_receptions(self, day: date) -> list[Reception]:
        return [listed.reception for listed in self._listed(day)]

    def receptions_of(self, patient_id: str, day: date) -> list[Reception]:
        """acceptlstv2 has no patient filter: the day's list, this patient's (ORCA may pad the number)."""
        return [r for r in self.list_receptions(day) if same_patient_number(r.patient_id, patient_id)]

    def _listed(self, day: date, department: str | None = None, kind: str = "03") -> list[Listed]:
        """The day's receptions, complete or not at all. acceptlstv2 answers 20 (「受付対象件数が５００件以上」) rather
        than a long list, and 20 is not "none": the query is narrowed — by 診療科, then 受付中 and 会計済 apart —
        and if even that is too many, the failure is loud (research recept-adapters.md §1.5)."""
        request = {"Acceptance_Date": day.isoformat()} | ({"Department_Code": department} if department else {})
        answer = self.client.post("/api01rv2/acceptlstv2", "acceptlstreq", request, {"class": kind})
        if answer.api_result == ACCEPTLST_TOO_MANY:
            if department is None:
                return sorted((r for d in self.departments() for r in self._listed(day, d.code, kind)),
                              key=lambda r: r.reception.number)  # fmt: skip
            if kind == "03":
                return sorted(self._listed(day, department, "01") + self._listed(day, department, "02"),
                              key=lambda r: r.reception.number)  # fmt: skip
            raise RegistryError("orca_too_many_receptions",
                                "レセコンの受付が多すぎて一覧を取得できません（1診療科で500件以上）。レセコンで確認してください",
                                "ORCA has too many receptions to list (500+ in one department and state)")  # fmt: skip
        if answer.api_result == "21":
            return []
        if not answer.ok:
            raise _failed(answer)
        result = []
        for item in answer.data.get("Acceptlst_Information") or []:
            acceptance = item.get("Acceptance_Id") or "0"
            patient = (item.get("Patient_Information") or {}).get("Patient_ID") or ""
            combination = (item.get("HealthInsurance_Information") or {}).get("Insurance_Combination_Number") or ""
            reception = Reception(reception_id(day, int(acceptance)), patient, day, item.get("Department_Code"),
                                  int(acceptance), "registered",
                                  physician_code=item.get("Physician_Code") or None)  # fmt: skip
            result.append(Listed(reception, combination, bool(item.get("Account_Time")) or kind == "02"))
        return sorted(result, key=lambda r: r.reception.number)

    def _duplicate_of(self, patient_id: str, day: date, department: str, insurance: Insurance | None) -> Reception:
        """The reception ORCA calls a duplicate (16): same day, patient, 診療科 and 保険組合せ, still 受付中 — never
        an earlier visit that is already paid. With no insurance sent, ORCA used the previous combination, which
        we cannot know: one 受付中 reception in the 診療科 is it; several go to staff."""
        waiting = [r for r in self._listed(day, department, "01")
                   if same_patient_number(r.reception.patient_id, patient_id) and not r.paid]  # fmt: skip
        if insurance is not None and insurance.insurer_number:
            wanted = self._combination_for(patient_id, insurance)
            waiting = [r for r in waiting if wanted is None or r.combination == wanted]
        if len(waiting) != 1:
            raise RegistryError("orca_duplicate_unclear",
                                "レセコンが二重受付と判断しましたが、どの受付か決められません。レセコンで確認してください",
                                "ORCA reports a duplicate reception but which one is unclear")  # fmt: skip
        return waiting[0].reception

    def _combination_for(self, patient_id: str, insurance: Insurance) -> str | None:
        """The 保険組合せ ORCA picks for this insurance without 公費 (what acceptmodv2 was sent)."""
        answer = self.client.get("/api01rv2/patientgetv2", {"id": patient_id})
        if not answer.ok:
            return None
        items = (answer.data.get("Patient_Information") or {}).get("HealthInsurance_Information") or []
        key = (insurance_key(insurance.insurer_number), insurance_key(insurance.insured_identification_number))
        for combination in combinations(items):
            have = combination.insurance
            if have is not None and not combination.public and key == (
                    insurance_key(have.insurer_number), insurance_key(have.insured_identification_number)):
                return combination.number
        return None

    def register_reception(
        self,
        patient_id: str,
        day: date,
        department: str | None,
        idempotency_key: str,
        insurance: Insurance | None = None,
        appointment: Appointment | None = None,
    ) -> ReceptionResult:
        known = self._local(idempotency_key)
        if known is not None:
            return ReceptionResult("duplicate", known)
        if appointment is not None:
            appointment = self.appointments.still_booked(appointment, patient_id, day)
            department = appointment.department_code or department
        department = department or self.default_department
        physician = (appointment.physician_code if appointment else None) or self.physician_code
        request: dict[str, Any] = {
            "Request_Number": "01", "Patient_ID": patient_id, "Acceptance_Date": day.isoformat(),
            "Acceptance_Time": datetime.now().strftime("%H:%M:%S"), "Department_Code": department,
            "Physician_Code": physician, "Medical_Information": "01",
        }  # fmt: skip
        if insurance is not None and insurance.insurer_number:
            # ORCA matches these against the patient's insurances; without them it would silently reuse
            # the previous 保険組合せ, which may be stale.
            request["HealthInsurance_Information"] = {
                "InsuranceProvider_Number": insurance.insurer_number.strip(),
                "HealthInsuredPerson_Symbol": orca_width(insurance.insured_card_symbol),
                "HealthInsuredPerson_Number": orca_width(insurance.insured_identification_number),
                "HealthInsuredPerson_Branch_Number": insurance.insured_branch_number or "",
            }
        answer = self.client.post("/orca11/acceptmodv2", "acceptreq", request)
        if answer.api_result == "10":
            raise RegistryError("unknown_patient", "患者番号が登録されていません", "unknown patient number")
        if answer.api_result in ("21", "22", "23"):
            raise RegistryError(
                "insurance_mismatch",
                "顔認証の保険がレセコンの患者保険と一致しません。窓口で保険を確認してください",
                f"the face result's insurance is not among the patient's insurances in ORCA ({answer.api_result})",
            )
        if answer.api_result == "16":  # ORCA: 受付中 today in this 診療科 with this 保険組合せ already
            existing = self._duplicate_of(patient_id, day, department, insurance)
            self._remember(idempotency_key, existing)
            return ReceptionResult("duplicate", existing)
        if not answer.ok:
            raise _failed(answer)
        acceptance = answer.data.get("Acceptance_Id") or "0"
        # ORCA itself marked the appointment 来院済 (acceptmodv2); the reception remembers which one it was
        reception = Reception(reception_id(day, int(acceptance)), patient_id, day, department, int(acceptance),
                              "registered", appointment.appointment_id if appointment else None, physician)  # fmt: skip
        self._remember(idempotency_key, reception)
        if answer.api_result != "00":
            log.info("orca_reception_warning", code=answer.api_result)
        return ReceptionResult("registered", reception)

    # -- appointments (予約) ---------------------------------------------------------------------
    def physicians(self) -> list[str]:
        answer = self.client.post("/api01rv2/system01lstv2", "system01_managereq",
                                  {"Request_Number": "02", "Base_Date": date.today().isoformat()})  # fmt: skip
        if not answer.ok:
            raise _failed(answer)
        return [d["Code"] for d in answer.data.get("Physician_Information") or [] if d.get("Code")]

    def appointments_on(self, day: date) -> list[Appointment]:
        return self.appointments.on(day)

    def appointments_of(self, patient_id: str, day: date) -> list[Appointment]:
        return self.appointments.of(patient_id, day)

    def set_appointment_state(self, appointment_id: str, state: AppointmentState) -> None:
        self.appointments.set_state(appointment_id, state)

    def cancel_reception(self, reception_id: str) -> None:
        day_text, _, _number = reception_id.partition("-")
        try:
            day = datetime.strptime(day_text, "%Y%m%d").date()
        except ValueError:
            raise RegistryError("unknown_reception", "受付が見つかりません", "reception not found") from None
        target = next((r.reception for r in self._listed(day) if r.reception.reception_id == reception_id), None)
        if target is None:
            raise RegistryError("unknown_reception", "受付が見つかりません", "reception not found")
        answer = self.client.post("/orca11/acceptmodv2", "acceptreq", {
            "Request_Number": "02", "Patient_ID": target.patient_id, "Acceptance_Date": day.isoformat(),
            "Acceptance_Id": f"{target.number:05d}",
        })  # fmt: skip
        if not answer.ok:
            raise _failed(answer)

    def departments(self) -> list[Department]:
        answer = self.client.post("/api01rv2/system01lstv2", "system01_managereq",
                                  {"Request_Number": "01", "Base_Date": date.today().isoformat()})  # fmt: skip
        if not answer.ok:
            raise _failed(answer)
        return [Department(d["Code"], d.get("WholeName", "")) for d in answer.data.get("Department_Information") or []]

    def create_patient(self, patient: NewPatient) -> PatientRecord:
        from kiosk.core.normalize import kana_base

        kana = kana_base(patient.name_kana or "").replace(" ", "\u3000")
        data: dict[str, Any] = {
            "Patient_ID": "*", "WholeName": (patient.name or "").replace(" ", "\u3000"), "WholeName_inKana": kana,
            "BirthDate": patient.birthdate.isoformat() if patient.birthdate else "", "Sex": patient.sex or "",
        }  # fmt: skip
        if patient.insurance is not None:
            data["HealthInsurance_Information"] = {
                "InsuranceProvider_Number": (patient.insurance.insurer_number or "").strip(),
                "HealthInsuredPerson_Symbol": patient.insurance.insured_card_symbol or "",
                "HealthInsuredPerson_Number": patient.insurance.insured_identification_number or "",
                "HealthInsuredPerson_Branch_Number": patient.insurance.insured_branch_number or "",
            }
        answer = self.client.post("/orca12/patientmodv2", "patientmodreq", data, {"class": "01"})
        if not (answer.ok or answer.api_result in PATIENTMOD_WARNINGS):
            raise _failed(answer)
        record = self.get_patient(answer.data["Patient_Information"]["Patient_ID"])
        assert record is not None
        if answer.api_result in PATIENTMOD_WARNINGS:  # registered, with a warning staff must read (K0: 同一患者)
            log.warning("orca_patient_registered_with_warning", code=answer.api_result)
            record = replace(record, notices=(f"{answer.api_result} {answer.message}".strip(),))
        return record

    # -- idempotency ----------------------------------------------------------------------------
    def _local(self, key: str) -> Reception | None:
        with self.mirror.sessions() as session:
            row = session.scalar(select(ReceptionRow).where(ReceptionRow.idempotency_key == key))
            if row is None:
                return None
            return Reception(reception_id(row.day, row.number), row.patient_id, row.day, row.department, row.number,
                             row.state, row.appointment_id, row.physician_code)  # fmt: skip

    def _remember(self, key: str, reception: Reception) -> None:
        with self.mirror.sessions.begin() as session:
            session.add(
                ReceptionRow(
                    patient_id=reception.patient_id, day=reception.day, department=reception.department,
                    number=reception.number, state="registered", idempotency_key=key, created_at=datetime.now(),
                    appointment_id=reception.appointment_id, physician_code=reception.physician_code,
                )
            )  # fmt: skip
