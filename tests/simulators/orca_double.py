"""A loopback ORCA API double reproducing the documented behaviour (research recept-adapters.md §1, §3.3).

Separate from the client (stdlib only): its own parsing of both wire formats, its own search rules
(full-width conversion, `＊` split, prefix LIKE on kanji or kana), ORCA's data shapes (full-width kana
and 記号/番号, zero-padded 患者番号, 4-digit 保険組合せ番号), Api_Result codes (K1–K3 warnings, 16 duplicate,
20/21 empty, 90 lock) and HTTP 401/404/405. Seeded from data files; the clock can be set.
"""

from __future__ import annotations

import base64
import csv
import json
import re
import threading
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from kiosk.core.birthdates import parse_birthdate

ROUTES = {
    ("GET", "/api01rv2/patientgetv2"), ("POST", "/api01rv2/patientlst1v2"), ("POST", "/api01rv2/patientlst2v2"),
    ("POST", "/api01rv2/patientlst3v2"), ("POST", "/api01rv2/acceptlstv2"), ("POST", "/orca11/acceptmodv2"),
    ("POST", "/api01rv2/system01lstv2"), ("POST", "/orca12/patientmodv2"), ("POST", "/api01rv2/appointlstv2"),
    ("POST", "/api01rv2/appointlst2v2"), ("POST", "/orca14/appointmodv2"),
}  # fmt: skip
WRITE_ROUTES = {"/orca11/acceptmodv2", "/orca12/patientmodv2", "/orca14/appointmodv2"}


def full_width(text: str) -> str:
    """ORCA stores kana and 記号/番号 in full width (ORCSKANACHK-style conversion)."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in text)


def widened(text: str) -> str:
    """What ORCA does to a search name: full width, nothing more (hiragana is not turned into katakana)."""
    text = unicodedata.normalize("NFKC", text)  # half-width kana become full-width katakana
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in text)


def _home(row: dict[str, Any]) -> dict[str, str]:
    """ORCA keeps 住所 (WholeAddress1, up to the 番地) and 番地番号 (WholeAddress2) apart, both in full width
    with U+2212 as the dash (patientgetv2 sample: 東京都文京区本駒込 / ６−１６−３); the zip code as 7 digits."""
    address = unicodedata.normalize("NFKC", row.get("address") or "")
    cut = next((i for i, ch in enumerate(address) if ch.isdigit()), len(address))
    street = full_width(address[cut:]).replace("－", "−")
    zipcode = re.sub(r"\D", "", unicodedata.normalize("NFKC", row.get("postcode") or ""))
    return {"Address_ZipCode": zipcode, "WholeAddress1": full_width(address[:cut]), "WholeAddress2": street}


@dataclass
class Reception:
    acceptance_id: str
    patient_id: str
    day: str
    time: str
    department: str
    physician: str
    combination: str
    paid: bool = False


@dataclass
class Booking:
    """An appointment as ORCA holds it (予約): removed when cancelled, 来院済 once the patient is received."""

    appointment_id: str
    patient_id: str
    day: str
    time: str  # HH:MM:SS
    department: str
    physician: str
    medical: str = "01"
    note: str = ""
    visited: bool = False


@dataclass
class OrcaDouble:
    masters: dict[str, Any]
    patients: dict[str, dict[str, Any]] = field(default_factory=dict)
    receptions: list[Reception] = field(default_factory=list)
    bookings: list[Booking] = field(default_factory=list)
    # appointlstv2 answers 20 at 500 or more; appointlst2v2 lists 50 at most and answers 20 when there are more
    appointlst_cap: int = 500
    appointlst2_cap: int = 50
    today: date = field(default_factory=date.today)
    locked: bool = False
    writes_closed: bool = False
    max_acceptance_id: int = 99999
    # acceptlstv2 answers 20 「受付対象件数が５００件以上あります」 above this many (the 2019 source: 500; the current
    # page says 1000, WebORCA 1500 — research recept-adapters.md §1.5)
    acceptlst_cap: int = 500
    # the per-day Acceptance_Id counter: never reused, even after the last reception is cancelled
    last_acceptance_id: dict[str, int] = field(default_factory=dict)
    # patientmodv2 registers and answers its first warning (K0–K5) instead of 00; a test sets the one it needs
    patient_warning: tuple[str, str] | None = None
    calls: list[tuple[str, str]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    # -- seeding ------------------------------------------------------------------------------
    @classmethod
    def from_files(cls, masters: Path, registry_csv: Path | None = None) -> OrcaDouble:
        double = cls(json.loads(masters.read_text(encoding="utf-8")))
        if registry_csv is not None:
            with registry_csv.open(encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    double.add_patient(row)
        return double

    def add_patient(self, row: dict[str, str]) -> str:
        pid = self._pid(row["patient_id"])
        # the fixture CSVs write birthdates the ways clinics type them; ORCA holds YYYY-MM-DD
        born = parse_birthdate(row.get("birthdate") or "")
        birth = born.isoformat() if born else (row.get("birthdate") or "")
        sex = {"M": "1", "F": "2", "男": "1", "女": "2"}.get(row.get("sex") or "", row.get("sex") or "")
        insurances = []
        if row.get("insurer_number"):
            insurances.append({
                "InsuranceProvider_Number": row["insurer_number"].strip(),
                "HealthInsuredPerson_Symbol": full_width(row.get("insured_card_symbol") or ""),
                "HealthInsuredPerson_Number": full_width(row.get("insured_identification_number") or ""),
                "HealthInsuredPerson_Branch_Number": row.get("insured_branch_number") or "",
            })  # fmt: skip
        self.patients[pid] = {
            "Patient_ID": pid,
            "WholeName": (row.get("name") or "").replace(" ", "\u3000"),
            "WholeName_inKana": full_width(row.get("name_kana") or ""),
            "BirthDate": birth.replace("/", "-"),
            "Sex": sex,
            "Home_Address_Information": _home(row),
            "Insurances": insurances,
            # 公費 (e.g. 54 難病): ORCA makes the combinations itself — the insurance alone and insurance + 公費
            "Public": [{"PublicInsurance_Class": row.get("public_class") or "054",
                        "PublicInsurer_Number": row["public_number"],
                        "PublicInsuredPerson_Number": row.get("public_recipient") or ""}]
            if row.get("public_number") else [],
            "CreateDate": row.get("create_date") or "2020-01-01",
            "UpdateDate": row.get("update_date") or "2020-01-01",
        }
        return pid

    def add_booking(self, patient_id: str, day: str, at: str, department: str = "01", physician: str = "10001",
                    note: str = "") -> Booking:  # fmt: skip
        """ORCA numbers appointments itself (appointmodv2 answers the Appointment_Id)."""
        booking = Booking(f"{len(self.bookings) + 1:02d}", self._pid(patient_id), day, at if at.count(":") == 2
                          else f"{at}:00", department, physician, note=note)  # fmt: skip
        self.bookings.append(booking)
        return booking

    def _pid(self, raw: str) -> str:
        digits = int(self.masters.get("patient_id_digits", 5))
        return raw.zfill(digits) if raw.isdigit() else raw

    # -- server ---------------------------------------------------------------------------------
    def start(self) -> str:
        double = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                double._handle(self, "GET")

            def do_POST(self) -> None:
                double._handle(self, "POST")

            def log_message(self, *_args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _handle(self, http: BaseHTTPRequestHandler, method: str) -> None:
        url = urlparse(http.path)
        path = url.path[4:] if url.path.startswith("/api/") else url.path
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if (method, path) not in ROUTES:
            return self._status(http, 404)
        user = self._user(http.headers.get("Authorization", ""))
        if user is None:
            return self._status(http, 401)
        if not user["staff"]:
            return self._status(http, 404)  # Api_Result 99 → HTTP 404 with no body
        if self.writes_closed and path in WRITE_ROUTES:
            return self._status(http, 405, {"Allow": "OPTIONS, GET"})
        fmt = "json" if query.get("format") == "json" else "xml2"
        body = http.rfile.read(int(http.headers.get("Content-Length") or 0))
        self.calls.append((method, path))
        try:
            request = self._read(body, fmt) if method == "POST" else {}
        except UnicodeDecodeError:
            return self._reply(
                http,
                fmt,
                "xmlio2",
                "res",
                {"Api_Result": "98", "Api_Result_Message": "送信内容の読込ができませんでした"},
            )
        except (ValueError, ET.ParseError):
            return self._reply(
                http, fmt, "xmlio2", "res", {"Api_Result": "97", "Api_Result_Message": "送信内容に誤りがあります"}
            )
        name, content = getattr(self, "_" + path.rsplit("/", 1)[1])(query, request)
        return self._reply(http, fmt, "xmlio2", name, content)

    def _user(self, header: str) -> dict[str, Any] | None:
        try:
            user, password = base64.b64decode(header.removeprefix("Basic ")).decode().split(":", 1)
        except (ValueError, UnicodeDecodeError):
            return None
        found = self.masters["users"].get(user)
        return found if found is not None and found["password"] == password else None

    @staticmethod
    def _status(http: BaseHTTPRequestHandler, code: int, headers: dict[str, str] | None = None) -> None:
        http.send_response(code)
        for key, value in (headers or {}).items():
            http.send_header(key, value)
        http.send_header("Content-Length", "0")
        http.end_headers()

    @staticmethod
    def _read(body: bytes, fmt: str) -> dict[str, Any]:
        text = body.decode("utf-8")
        if fmt == "json":
            data = json.loads(text)
            return next(iter(data.values())) if data else {}
        root = ET.fromstring(text.split("?>", 1)[1] if text.startswith("<?xml") else text)
        return _xml_to_data(root[0]) if len(root) else {}

    @staticmethod
    def _reply(http: BaseHTTPRequestHandler, fmt: str, xml_root: str, name: str, content: dict[str, Any]) -> None:
        if fmt == "json":
            payload = json.dumps({name: content}, ensure_ascii=False).encode("utf-8")
            kind = "application/json"
        else:
            root = ET.Element(xml_root)
            _data_to_xml(root, name, content)
            payload = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")
            kind = "application/xml"
        http.send_response(200)
        http.send_header("Content-Type", f"{kind}; charset=UTF-8")
        http.send_header("Content-Length", str(len(payload)))
        http.end_headers()
        http.wfile.write(payload)

    # -- APIs -----------------------------------------------------------------------------------
    def _result(self, code: str, message: str, **extra: Any) -> dict[str, Any]:
        now = datetime.now()
        return {"Information_Date": self.today.isoformat(), "Information_Time": now.strftime("%H:%M:%S"),
                "Api_Result": code, "Api_Result_Message": message, **extra}  # fmt: skip

    def _patientgetv2(self, query: dict[str, str], _request: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        if self.locked:
            return "patientinfores", self._result("90", "他端末使用中")
        raw = query.get("id", "")
        if not raw:
            return "patientinfores", self._result("01", "患者番号の設定がありません")
        patient = self.patients.get(self._pid(raw))
        if patient is None:
            return "patientinfores", self._result("10", "患者番号に該当する患者が存在しません")
        info = {k: v for k, v in patient.items() if k not in ("Insurances", "Public", "CreateDate", "UpdateDate")}
        combos = self.combinations(patient)
        # JSON pads the fixed 30 slots with {} (orca-api fixture api01rv2_patientgetv2.json); xml2 does not
        padding = [{}] * (30 - len(combos)) if query.get("format") == "json" else []
        info["HealthInsurance_Information"] = combos + padding
        return "patientinfores", self._result("00", "処理終了", Reskey="Patient Info", Patient_Information=info)

    @staticmethod
    def combinations(patient: dict[str, Any]) -> list[dict[str, Any]]:
        """保険組合せ as patientgetv2 lists them: each insurance alone, then with each 公費 (4 slots, JSON-padded)."""
        combos: list[dict[str, Any]] = []
        for insurance in patient["Insurances"]:
            combos.append({**insurance})
            for public in patient.get("Public", []):
                combos.append({**insurance, "PublicInsurance_Information": [public]})
        for public in patient.get("Public", []) if not patient["Insurances"] else []:
            combos.append({"PublicInsurance_Information": [public]})  # 公費単独
        return [{"Insurance_Combination_Number": f"{n:04d}", **c} for n, c in enumerate(combos, 1)]

    def _summary(self, patient: dict[str, Any]) -> dict[str, Any]:
        summary = {k: patient[k] for k in ("Patient_ID", "WholeName", "WholeName_inKana", "BirthDate", "Sex")}
        summary["Home_Address_Information"] = patient["Home_Address_Information"]
        summary["HealthInsurance_Information"] = patient["Insurances"][:3]
        return summary

    def _patientlst1v2(self, query: dict[str, str], request: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        start = request.get("Base_StartDate") or self.today.isoformat()
        end = request.get("Base_EndDate") or "9999-12-31"
        if start > end:
            return "patientlst1res", self._result("01", "開始日付＞終了日付です")
        new_only = query.get("class") == "02"
        found = [
            p for p in self.patients.values()
            if start <= p["CreateDate"] <= end or (not new_only and start <= p["UpdateDate"] <= end)
        ]  # fmt: skip
        if len(found) >= 1000:
            return "patientlst1res", self._result("10", "該当患者が1000件以上となります")
        if not found:
            return "patientlst1res", self._result("20", "該当患者がありません")
        items = [{k: p[k] for k in ("Patient_ID", "WholeName", "WholeName_inKana", "BirthDate", "Sex", "CreateDate",
                                    "UpdateDate")} for p in found]  # fmt: skip
        return "patientlst1res", self._result("00", "処理終了", Target_Patient_Count=str(len(items)),
                                               Patient_Information=items)  # fmt: skip

    def _patientlst2v2(self, _query: dict[str, str], request: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        wanted = [item.get("Patient_ID", "") for item in request.get("Patient_ID_Information", [])][:100]
        items = []
        for raw in wanted:
            patient = self.patients.get(self._pid(raw))
            items.append(
                self._summary(patient) if patient else {"Patient_ID": raw, "WholeName": "【患者番号がありません】"}
            )
        return "patientlst2res", self._result("00", "処理終了", Target_Patient_Count=str(len(items)),
                                               Patient_Information=items)  # fmt: skip

    def _patientlst3v2(self, _query: dict[str, str], request: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        raw = request.get("WholeName") or ""
        if not raw:
            return "patientlst2res", self._result("17", "検索氏名を設定して下さい")
        if any(ord(c) > 0xFFFF or c in "●■" for c in raw):
            return "patientlst2res", self._result("10", "検索氏名に外字があります")
        name = widened(raw)
        family, _, given = name.partition("＊")
        sex, start = request.get("Sex"), request.get("Birth_StartDate")
        end = request.get("Birth_EndDate") or start
        found = []
        for p in self.patients.values():
            texts = (p["WholeName"], p["WholeName_inKana"])
            if given:
                hit = any(
                    t.startswith(family) and "\u3000" in t and t.split("\u3000", 1)[1].startswith(given) for t in texts
                )
            else:
                hit = any(t.startswith(name) for t in texts)
            if hit and (not sex or p["Sex"] == sex) and (not start or start <= p["BirthDate"] <= (end or start)):
                found.append(self._summary(p))
        if not found:
            return "patientlst2res", self._result("20", "該当患者が存在しません")
        if len(found) >= 100:
            return "patientlst2res", self._result("21", "該当患者が１００件以上となります")
        return "patientlst2res", self._result("00", "処理終了", Target_Patient_Count=str(len(found)),
                                               Patient_Information=found)  # fmt: skip

    def _acceptlstv2(self, query: dict[str, str], request: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        day = request.get("Acceptance_Date") or self.today.isoformat()
        kind = query.get("class", "01")
        department = request.get("Department_Code") or ""
        if department and department not in {d["Code"] for d in self.masters["departments"]}:
            return "acceptlstres", self._result("12", "診療科が存在しません")
        found = [r for r in self.receptions if r.day == day and (kind == "03" or r.paid == (kind == "02"))
                 and (not department or r.department == department)]  # fmt: skip
        if not found:
            return "acceptlstres", self._result("21", "対象の受付はありませんでした", Acceptance_Date=day)
        if len(found) >= self.acceptlst_cap:
            return "acceptlstres", self._result("20", "受付対象件数が５００件以上あります", Acceptance_Date=day)
        items = [{"Acceptance_Time": r.time, "Acceptance_Id": r.acceptance_id, "Department_Code": r.department,
                  "Physician_Code": r.physician, "Patient_Information": self._summary(self.patients[r.patient_id])
                  if r.patient_id in self.patients else {"Patient_ID": r.patient_id},
                  "HealthInsurance_Information": {"Insurance_Combination_Number": r.combination},
                  **({"Account_Time": "12:00:00"} if r.paid and kind != "01" else {})} for r in found]  # fmt: skip
        return "acceptlstres", self._result("00", "処理終了", Acceptance_Date=day, Acceptlst_Information=items)

    def _acceptmodv2(self, query: dict[str, str], request: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        number = request.get("Request_Number") or query.get("class") or ""
        if number not in ("01", "02"):
            return "acceptres", self._result("91", "処理区分未設定")
        pid = self._pid(request.get("Patient_ID") or "")
        if self.locked:
            return "acceptres", self._result("90", "他端末使用中")
        if number == "02":
            target = next((r for r in self.receptions if r.acceptance_id == request.get("Acceptance_Id")
                           and r.day == (request.get("Acceptance_Date") or self.today.isoformat())), None)  # fmt: skip
            if target is None:
                return "acceptres", self._result("17", "削除対象の受付レコードが存在しません")
            if target.patient_id != pid:
                return "acceptres", self._result("20", "受付IDの受付患者番号と患者番号が一致しません")
            self.receptions.remove(target)
            return "acceptres", self._result("00", "受付削除終了", Acceptance_Id=target.acceptance_id)
        if not pid:
            return "acceptres", self._result("01", "患者番号が未設定です")
        if pid not in self.patients:
            return "acceptres", self._result("10", "患者番号に該当する患者が存在しません")
        department, physician = request.get("Department_Code") or "", request.get("Physician_Code") or ""
        if not department:
            return "acceptres", self._result("02", "診療科が未設定です")
        if department not in {d["Code"] for d in self.masters["departments"]}:
            return "acceptres", self._result("13", "診療科が存在しません")
        if physician not in {d["Code"] for d in self.masters["physicians"]}:
            return "acceptres", self._result("14", "ドクターが存在しません")
        warnings = []
        day = request.get("Acceptance_Date") or ""
        if not day:
            day, warnings = self.today.isoformat(), [*warnings, "K1"]
        at = request.get("Acceptance_Time") or ""
        if not at:
            at, warnings = datetime.now().strftime("%H:%M:%S"), [*warnings, "K2"]
        if not request.get("Medical_Information"):
            warnings.append("K3")
        insurance = request.get("HealthInsurance_Information") or {}
        combination = insurance.get("Insurance_Combination_Number") or "0001"  # none given: the previous one
        if insurance.get("InsuranceProvider_Number"):
            keys = ("InsuranceProvider_Number", "HealthInsuredPerson_Symbol", "HealthInsuredPerson_Number")
            wanted = tuple(full_width(insurance.get(k) or "") for k in keys)
            owned = [tuple(full_width(i.get(k) or "") for k in keys) for i in self.patients[pid]["Insurances"]]
            if wanted not in owned:
                return "acceptres", self._result("21", "保険の一致する患者保険情報がありません")
            combination = f"{owned.index(wanted) + 1:04d}"
        if any(r.day == day and r.patient_id == pid and r.department == department and r.combination == combination
               and not r.paid for r in self.receptions):  # fmt: skip
            return "acceptres", self._result("16", "診療科・保険組合せで受付登録済みです。二重登録疑い")
        used = [int(r.acceptance_id) for r in self.receptions if r.day == day]
        last = max(self.last_acceptance_id.get(day, 0), *used, 0)
        if last >= self.max_acceptance_id:
            return "acceptres", self._result("50", "受付登録件数が上限以上です")
        self.last_acceptance_id[day] = last + 1
        reception = Reception(f"{last + 1:05d}", pid, day, at, department, physician, combination)
        self.receptions.append(reception)
        # ORCA marks the matching appointment 来院済 itself (the patient's, that day, in that 診療科)
        booked = sorted((b for b in self.bookings if b.patient_id == pid and b.day == day
                         and b.department == department and not b.visited), key=lambda b: b.time)  # fmt: skip
        if booked:
            booked[0].visited = True
        return "acceptres", self._result(warnings[0] if warnings else "00", "受付登録終了",
                                          Acceptance_Date=day, Acceptance_Time=at,
                                          Acceptance_Id=reception.acceptance_id,
                                          Patient_Information=self._summary(self.patients[pid]))  # fmt: skip

    def _booking_item(self, booking: Booking, *, with_patient: bool) -> dict[str, Any]:
        names = {d["Code"]: d["WholeName"] for d in self.masters["departments"]}
        doctors = {d["Code"]: d["WholeName"] for d in self.masters["physicians"]}
        item: dict[str, Any] = {
            "Appointment_Time": booking.time, "Medical_Information": booking.medical,
            "Department_Code": booking.department, "Department_WholeName": names.get(booking.department, ""),
            "Physician_Code": booking.physician, "Physician_WholeName": doctors.get(booking.physician, ""),
            "Visit_Information": "1" if booking.visited else "", "Appointment_Id": booking.appointment_id,
        }  # fmt: skip
        if with_patient:
            patient = self.patients.get(booking.patient_id)
            item["Patient_Information"] = self._summary(patient) if patient else {"Patient_ID": booking.patient_id}
        else:
            item |= {"Appointment_Date": booking.day, "Appointment_Note": booking.note}
        return item

    def _appointlstv2(self, query: dict[str, str], request: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        if query.get("class") != "01":
            return "appointlstres", self._result("91", "処理区分未設定")
        day = request.get("Appointment_Date") or ""
        if not _is_day(day):
            return "appointlstres", self._result("11", "予約日が暦日ではありません")
        physician = request.get("Physician_Code") or ""
        if physician and physician not in {d["Code"] for d in self.masters["physicians"]}:
            return "appointlstres", self._result("12", "ドクターが存在しません")
        found = sorted((b for b in self.bookings if b.day == day and (not physician or b.physician == physician)),
                       key=lambda b: b.time)  # fmt: skip
        if not found:
            return "appointlstres", self._result("21", "対象の予約はありませんでした", Appointment_Date=day)
        if len(found) >= self.appointlst_cap:
            return "appointlstres", self._result("20", "予約対象件数が５００件以上あります", Appointment_Date=day)
        items = [self._booking_item(b, with_patient=True) for b in found]
        return "appointlstres", self._result("00", "処理終了", Appointment_Date=day, Appointlst_Information=items)

    def _appointlst2v2(self, query: dict[str, str], request: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        if query.get("class") != "01":
            return "appointlst2res", self._result("91", "処理区分未設定")
        raw = request.get("Patient_ID") or ""
        if not raw:
            return "appointlst2res", self._result("01", "患者番号の設定がありません")
        pid = self._pid(raw)
        if pid not in self.patients:
            return "appointlst2res", self._result("10", "患者番号に該当する患者が存在しません")
        base = request.get("Base_Date") or self.today.isoformat()
        if not _is_day(base):
            return "appointlst2res", self._result("11", "基準日が暦日ではありません")
        # on or after the base date, the latest first; at most the cap, 20 when there were more
        found = sorted((b for b in self.bookings if b.patient_id == pid and b.day >= base),
                       key=lambda b: (b.day, b.time), reverse=True)  # fmt: skip
        if not found:
            return "appointlst2res", self._result("21", "対象の予約はありませんでした")
        code = "20" if len(found) > self.appointlst2_cap else "00"
        items = [self._booking_item(b, with_patient=False) for b in found[: self.appointlst2_cap]]
        return "appointlst2res", self._result(code, "処理終了" if code == "00" else "予約件数が５０件以上あります",
                                               Base_Date=base, Patient_Information=self._summary(self.patients[pid]),
                                               Appointlst_Information=items)  # fmt: skip

    def _appointmodv2(self, query: dict[str, str], request: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """Only 取消 (class=02) is modelled. Its error codes are not on the page we read: any non-00 is a
        failure to the client, and the double answers one with ORCA's message for it."""
        if query.get("class") != "02":
            return "appointres", self._result("91", "処理区分未設定")
        pid = self._pid(request.get("Patient_ID") or "")
        target = next((b for b in self.bookings if b.patient_id == pid and b.day == request.get("Appointment_Date")
                       and b.appointment_id == request.get("Appointment_Id")), None)  # fmt: skip
        if target is None:
            return "appointres", self._result("E1", "予約が存在しません")
        self.bookings.remove(target)
        return "appointres", self._result("00", "予約取消終了", Appointment_Id=target.appointment_id)

    def _system01lstv2(self, query: dict[str, str], request: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        number = request.get("Request_Number") or query.get("class") or ""
        if number == "01":
            return "departmentres", self._result("00", "処理終了", Department_Information=self.masters["departments"])
        if number == "02":
            return "physicianres", self._result("00", "処理終了", Physician_Information=self.masters["physicians"])
        return "system01_manageres", self._result("91", "リクエスト番号がありません")

    def _patientmodv2(self, query: dict[str, str], request: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        if query.get("class") != "01":
            return "patientmodres", self._result("91", "処理区分未設定")
        kana, name = request.get("WholeName_inKana") or "", request.get("WholeName") or ""
        if not kana or kana != full_width(kana):
            return "patientmodres", self._result("15", "カナ氏名は全角で設定して下さい")
        raw = request.get("Patient_ID") or "*"
        numbers = [int(p) for p in self.patients if p.isdigit()]
        pid = self._pid(str(max(numbers, default=0) + 1)) if raw == "*" else self._pid(raw)
        if pid in self.patients:
            return "patientmodres", self._result("13", "患者番号登録済み")
        key = (name, request.get("Sex"), request.get("BirthDate"))
        same = any((p["WholeName"], p["Sex"], p["BirthDate"]) == key for p in self.patients.values())
        ins = request.get("HealthInsurance_Information") or {}
        self.add_patient({"patient_id": pid, "name": name.replace("\u3000", " "), "name_kana": kana,
                          "birthdate": request.get("BirthDate") or "", "sex": request.get("Sex") or "",
                          "insurer_number": ins.get("InsuranceProvider_Number") or "",
                          "insured_card_symbol": ins.get("HealthInsuredPerson_Symbol") or "",
                          "insured_identification_number": ins.get("HealthInsuredPerson_Number") or "",
                          "insured_branch_number": ins.get("HealthInsuredPerson_Branch_Number") or "",
                          "create_date": self.today.isoformat(), "update_date": self.today.isoformat()})  # fmt: skip
        code, message = ("K0", "警告！同一患者の登録があります") if same else self.patient_warning or ("00", "登録終了")
        return "patientmodres", self._result(code, message, Patient_Information=self._summary(self.patients[pid]))


def _is_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _xml_to_data(node: ET.Element) -> Any:
    if node.get("type") == "array":
        return [_xml_to_data(child) for child in node]
    if node.get("type") == "record" or len(node):
        return {child.tag: _xml_to_data(child) for child in node}
    return node.text or ""


def _data_to_xml(parent: ET.Element, name: str, value: Any) -> None:
    if isinstance(value, dict):
        node = ET.SubElement(parent, name, type="record")
        for key, item in value.items():
            _data_to_xml(node, key, item)
    elif isinstance(value, list):
        node = ET.SubElement(parent, name, type="array")
        for item in value:
            _data_to_xml(node, f"{name}_child", item)
    else:
        ET.SubElement(parent, name, type="string").text = str(value)
