"""予約 in ORCA: appointlstv2 (a day), appointlst2v2 (a patient), appointmodv2 (cancel), read the way ORCA means them.

ORCA keeps no "来院せず" (no-show) and marks an appointment 来院済 (Visit_Information 1) itself when acceptmodv2
registers the patient's reception (research recept-adapters.md §1.6). Our appointment id joins the day, the
患者番号 and ORCA's Appointment_Id, so it names one appointment whatever ORCA's numbering scope is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from adapters.registry.orca.client import OrcaAnswer, OrcaClient
from adapters.registry.orca.ids import iso_date, reception_id, same_patient_number
from kiosk.core.appointments import Appointment, AppointmentState
from kiosk.core.registry import RegistryError, appointment_arrived
from kiosk.store.models import ReceptionRow

APPOINTLST_TOO_MANY = "20"  # appointlstv2: 500 or more; appointlst2v2: 50 or more (the list is cut, not empty)
NONE_FOUND = "21"
UNKNOWN_PATIENT = "10"


def appointment_id(day: date, patient_id: str, orca_id: str) -> str:
    return f"{day:%Y%m%d}-{patient_id}-{orca_id}"


def split_appointment_id(value: str) -> tuple[date, str, str]:
    try:
        day_text, rest = value.split("-", 1)
        patient_id, orca_id = rest.rsplit("-", 1)
        return datetime.strptime(day_text, "%Y%m%d").date(), patient_id, orca_id
    except ValueError:
        raise RegistryError("unknown_appointment", "予約が見つかりません", "no such appointment") from None


def _time(text: str | None) -> time | None:
    try:
        return time.fromisoformat(text) if text else None
    except ValueError:
        return None


def _failed(answer: OrcaAnswer, api: str) -> RegistryError:
    return RegistryError(f"orca_{answer.api_result}",
                         f"レセコンが予約の処理でエラーを返しました（{api} {answer.api_result} {answer.message}）",
                         f"ORCA answered {api} with Api_Result {answer.api_result}")  # fmt: skip


def parse_item(item: dict[str, Any], day: date | None, patient_id: str | None) -> Appointment | None:
    """One Appointlst_Information item; appointlst2v2 names the patient once at the top and the day per item."""
    day = iso_date(item.get("Appointment_Date")) or day
    patient_id = (item.get("Patient_Information") or {}).get("Patient_ID") or patient_id
    at = _time(item.get("Appointment_Time"))
    orca_id = (item.get("Appointment_Id") or "").strip()
    if day is None or not patient_id or at is None or not orca_id:
        return None  # an item we cannot pin down is never checked in against
    visited = (item.get("Visit_Information") or "").strip() == "1"  # 来院済
    state = AppointmentState.ARRIVED if visited else AppointmentState.BOOKED
    return Appointment(appointment_id(day, patient_id, orca_id), patient_id, day, at,
                       item.get("Department_Code") or None, item.get("Physician_Code") or None,
                       item.get("Appointment_Note") or None, state)  # fmt: skip


class OrcaAppointments:
    """`mirror` holds the receptions we made (ORCA does not say which reception an arrival was); `physicians`
    asks ORCA for its doctors, only when a day's list is too long and must be narrowed."""

    def __init__(self, client: OrcaClient, mirror: sessionmaker[Session], physicians: Callable[[], list[str]]) -> None:
        self.client = client
        self.mirror = mirror
        self.physicians = physicians

    def on(self, day: date) -> list[Appointment]:
        return self._with_receptions(self._complete_day(day), day)

    def of(self, patient_id: str, day: date) -> list[Appointment]:
        return self._with_receptions(self._patient_day(patient_id, day), day)

    def still_booked(self, appointment: Appointment, patient_id: str, day: date) -> Appointment:
        """Asked of ORCA just before the reception: the patient's own appointment, today, still booked."""
        current = next((a for a in self.of(patient_id, day) if a.appointment_id == appointment.appointment_id), None)
        if current is None or not same_patient_number(current.patient_id, patient_id):
            raise RegistryError("unknown_appointment", "予約が見つかりません（レセコンで取消された可能性があります）",
                                "no such appointment (it may have been cancelled in ORCA)")  # fmt: skip
        if current.state is not AppointmentState.BOOKED:
            raise RegistryError("appointment_not_booked", "この予約はすでに受付済みです",
                                "the appointment is no longer booked")  # fmt: skip
        return current

    def set_state(self, appointment_id: str, state: AppointmentState) -> None:
        """Only 取消 exists in ORCA (appointmodv2 class=02); no-show or back-to-booked are refused, not faked."""
        if state is not AppointmentState.CANCELLED:
            raise RegistryError("orca_appointment_state",
                                "ORCAには「来院せず」などの予約状態がありません。ORCAの予約画面で操作してください",
                                "ORCA keeps no such state (no-show); use ORCA's appointment screen")  # fmt: skip
        day, patient_id, _orca_id = split_appointment_id(appointment_id)
        current = next((a for a in self.of(patient_id, day) if a.appointment_id == appointment_id), None)
        if current is None:
            raise RegistryError("unknown_appointment", "予約が見つかりません", "no such appointment")
        if current.state is AppointmentState.ARRIVED:  # as on every back-end: its reception is cancelled instead
            raise appointment_arrived()
        self._cancel(current)

    def _with_receptions(self, appointments: list[Appointment], day: date) -> list[Appointment]:
        with self.mirror() as session:
            made = {row.appointment_id: row for row in session.scalars(
                select(ReceptionRow).where(ReceptionRow.day == day, ReceptionRow.appointment_id.is_not(None)))}
        return [replace(a, reception_id=reception_id(day, made[a.appointment_id].number))
                if a.appointment_id in made else a for a in appointments]  # fmt: skip

    def _complete_day(self, day: date) -> list[Appointment]:
        """The day's appointments, complete or not at all: 20 (500 or more) is narrowed by physician, and is loud
        if one doctor alone has that many."""
        found = self._day(day, None)
        if found is not None:
            return found
        result: list[Appointment] = []
        for code in self.physicians():
            narrowed = self._day(day, code)
            if narrowed is None:
                raise RegistryError("orca_too_many_appointments",
                                    "レセコンの予約が多すぎて一覧を取得できません（1医師で500件以上）。レセコンで確認してください",
                                    "ORCA has too many appointments to list (500+ for one physician)")  # fmt: skip
            result += narrowed
        return sorted(result, key=lambda a: (a.at, a.appointment_id))

    def _day(self, day: date, physician: str | None) -> list[Appointment] | None:
        request = {"Appointment_Date": day.isoformat()} | ({"Physician_Code": physician} if physician else {})
        answer = self.client.post("/api01rv2/appointlstv2", "appointlstreq", request, {"class": "01"})
        if answer.api_result == APPOINTLST_TOO_MANY:
            return None
        if answer.api_result == NONE_FOUND:
            return []
        if not answer.ok:
            raise _failed(answer, "appointlstv2")
        items = [parse_item(i, day, None) for i in answer.data.get("Appointlst_Information") or []]
        return sorted((a for a in items if a is not None), key=lambda a: (a.at, a.appointment_id))

    def _patient_day(self, patient_id: str, day: date) -> list[Appointment]:
        """The patient's appointments on `day`. appointlst2v2 lists at most 50 from Base_Date on, latest first, and
        answers 20 when there are more — today's may be the ones cut off, so the day's list is asked instead."""
        request = {"Patient_ID": patient_id, "Base_Date": day.isoformat()}
        answer = self.client.post("/api01rv2/appointlst2v2", "appointlst2req", request, {"class": "01"})
        if answer.api_result in (NONE_FOUND, UNKNOWN_PATIENT):
            return []
        if answer.api_result == APPOINTLST_TOO_MANY:
            return [a for a in self._complete_day(day) if same_patient_number(a.patient_id, patient_id)]
        if not answer.ok:
            raise _failed(answer, "appointlst2v2")
        listed = (answer.data.get("Patient_Information") or {}).get("Patient_ID") or patient_id
        items = [parse_item(i, None, listed) for i in answer.data.get("Appointlst_Information") or []]
        return sorted((a for a in items if a is not None and a.day == day), key=lambda a: (a.at, a.appointment_id))

    def _cancel(self, appointment: Appointment) -> None:
        """appointmodv2 class=02 (予約取消). WebORCA may close the route (HTTP 405): the client's error says so."""
        _day, _patient, orca_id = split_appointment_id(appointment.appointment_id)
        answer = self.client.post("/orca14/appointmodv2", "appointreq", {
            "Patient_ID": appointment.patient_id, "Appointment_Date": appointment.day.isoformat(),
            "Appointment_Time": appointment.at.strftime("%H:%M:%S"), "Appointment_Id": orca_id,
            "Department_Code": appointment.department_code or "", "Physician_Code": appointment.physician_code or "",
        }, {"class": "02"})  # fmt: skip
        if not answer.ok:
            raise _failed(answer, "appointmodv2")
