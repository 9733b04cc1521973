"""The ORCA client and back-end against the ORCA double: every Api_Result path, HTTP errors,
broken transports, and the complaints of research recept-adapters.md §5."""

from __future__ import annotations

import base64
import json
import socket
import threading
import urllib.request
from datetime import date

import pytest

from adapters.registry.orca.client import OrcaClient, OrcaSettings
from adapters.registry.orca.registry import OrcaRegistry
from adapters.registry.sql_registry import SqlRegistry
from kiosk.bootstrap import Store
from kiosk.core.face import Identity
from kiosk.core.matching import Decision, Matcher
from kiosk.core.patient_search import parse_search, rank
from kiosk.core.registry import RegistryError
from tests.adapters.registry.conftest import client
from tests.simulators.orca_double import OrcaDouble
from tests.simulators.orca_double import Reception as OrcaReception

DAY = date(2026, 11, 22)




def test_warnings_k1_to_k3_are_success(double: OrcaDouble) -> None:
    answer = client(double).post("/orca11/acceptmodv2", "acceptreq", {
        "Request_Number": "01", "Patient_ID": "1001", "Department_Code": "01", "Physician_Code": "10001",
    })  # fmt: skip
    assert answer.api_result == "K1" and answer.ok and answer.message == "受付登録終了"


def test_already_received_16_is_a_duplicate_not_an_error(orca: OrcaRegistry) -> None:
    first = orca.register_reception("1001", DAY, "01", "kiosk-1")
    second = orca.register_reception("1001", DAY, "01", "kiosk-2")  # another request, same patient and department
    assert (first.status, second.status) == ("registered", "duplicate")
    assert second.reception == first.reception
    assert orca.register_reception("1001", DAY, "02", "kiosk-3").status == "registered"  # other department is fine


def test_no_data_20_21_is_an_empty_answer(orca: OrcaRegistry, double: OrcaDouble) -> None:
    assert orca.list_receptions(date(2026, 1, 1)) == []
    answer = client(double).post("/api01rv2/patientlst3v2", "patientlst3req", {"WholeName": "ﾍﾞﾂｼﾞﾝ"}, {"class": "01"})
    assert answer.api_result == "20" and answer.empty


def test_a_locked_record_is_retried_then_explained(orca: OrcaRegistry, double: OrcaDouble) -> None:
    double.locked = True
    calls = len(double.calls)
    with pytest.raises(RegistryError) as caught:
        orca.register_reception("1001", DAY, "01", "kiosk-1")
    assert caught.value.code == "orca_locked" and "他の端末" in caught.value.ja
    assert len(double.calls) - calls == 4  # one try and three retries with backoff
    double.locked = False
    assert orca.register_reception("1001", DAY, "01", "kiosk-1").status == "registered"


@pytest.mark.parametrize(
    ("user", "password", "code", "ja"),
    [("ormaster", "wrong", "orca_http_401", "パスワード"), ("apionly", "secret", "orca_http_404", "職員")],
)
def test_http_401_and_404_are_explained(double: OrcaDouble, user: str, password: str, code: str, ja: str) -> None:
    with pytest.raises(RegistryError) as caught:
        client(double, user, password).get("/api01rv2/patientgetv2", {"id": "1001"})
    assert caught.value.code == code and ja in caught.value.ja


def test_closed_write_routes_405(orca: OrcaRegistry, double: OrcaDouble) -> None:
    double.writes_closed = True
    with pytest.raises(RegistryError) as caught:
        orca.register_reception("1001", DAY, "01", "kiosk-1")
    assert caught.value.code == "orca_http_405"


def _silent_server(behaviour: str) -> tuple[str, socket.socket]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            if behaviour == "drop":
                connection.close()
            elif behaviour == "garbage":
                connection.recv(65536)
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nnot json!")
                connection.close()
            # "silent": keep the connection open and say nothing

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}", listener


@pytest.mark.parametrize(
    ("behaviour", "code"), [("silent", "orca_unreachable"), ("drop", "orca_unreachable"), ("garbage", "orca_malformed")]
)
def test_broken_transports_give_clear_errors(behaviour: str, code: str) -> None:
    url, listener = _silent_server(behaviour)
    try:
        broken = OrcaClient(OrcaSettings(url, "ormaster", "ormaster", timeout=0.5))
        with pytest.raises(RegistryError) as caught:
            broken.get("/api01rv2/patientgetv2", {"id": "1001"})
        assert caught.value.code == code and caught.value.ja
    finally:
        listener.close()


def test_the_double_refuses_a_body_that_is_not_utf8(double: OrcaDouble) -> None:
    request = urllib.request.Request(
        f"{double.url}/api01rv2/patientlst3v2?class=01&format=json",  # type: ignore[attr-defined]
        data='{"patientlst3req": {"WholeName": "シケン"}}'.encode("cp932"),
        method="POST",
        headers={"Authorization": "Basic b3JtYXN0ZXI6b3JtYXN0ZXI="},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert b'"Api_Result": "98"' in response.read()


def test_name_search_is_full_width_prefix_with_star_split(double: OrcaDouble) -> None:
    orca_client = client(double)
    half = orca_client.post("/api01rv2/patientlst3v2", "patientlst3req", {"WholeName": "ｼｹﾝ"}, {"class": "01"})
    assert half.ok and all(p["WholeName_inKana"].startswith("シケン") for p in half.data["Patient_Information"])
    split = orca_client.post(
        "/api01rv2/patientlst3v2", "patientlst3req", {"WholeName": "シケン＊ユウ"}, {"class": "01"}
    )
    assert {p["Patient_ID"] for p in split.data["Patient_Information"]} == {"1001", "1002"}
    gaiji = orca_client.post("/api01rv2/patientlst3v2", "patientlst3req", {"WholeName": "渡●"}, {"class": "01"})
    assert gaiji.api_result == "10"


def test_over_100_hits_is_21(double: OrcaDouble) -> None:
    for n in range(101):
        double.add_patient({"patient_id": f"{8000 + n}", "name": "多数 試験", "name_kana": "ﾀｽｳ ｼｹﾝ",
                            "birthdate": "1990-01-01", "sex": "1"})  # fmt: skip
    answer = client(double).post("/api01rv2/patientlst3v2", "patientlst3req", {"WholeName": "タスウ"}, {"class": "01"})
    assert answer.api_result == "21"


def test_orca_data_is_full_width_and_still_matches_half_width_oqs(orca: OrcaRegistry) -> None:
    record = orca.get_patient("1001")
    assert record is not None and record.names[0].name_kana == "シケン\u3000ユウタ"
    assert record.insurances[0].insured_identification_number == "１１１１"
    result = Matcher(orca).match(
        Identity(name_kana="ｼｹﾝ ﾕｳﾀ", birthdate="20150601", sex="1", insurer_number="06999991",
                 insured_card_symbol="試験", insured_identification_number="1111", insured_branch_number="01")
    )  # fmt: skip
    assert (result.decision, result.patient_id) == (Decision.AUTO_LINK, "1001")


def test_the_mirror_follows_changes_in_orca(orca: OrcaRegistry, double: OrcaDouble) -> None:
    today = double.today.isoformat()
    double.add_patient({"patient_id": "7001", "name": "試験 新規", "name_kana": "ｼｹﾝ ｼﾝｷ", "birthdate": "2000-02-02",
                        "sex": "2", "create_date": today, "update_date": today})  # fmt: skip
    report = orca.sync_mirror(since=double.today)
    assert report.added == 1
    assert orca.mirror.get_patient("7001") is not None


def test_creating_a_patient_warns_on_a_same_name_duplicate(orca: OrcaRegistry, double: OrcaDouble) -> None:
    from kiosk.core.registry import NewPatient

    created = orca.create_patient(NewPatient("試験 悠太", "ｼｹﾝ ﾕｳﾀ", date(2015, 6, 1), "1"))
    assert created.patient_id not in ("1001", "")
    assert created.names[0].name_kana == "シケン\u3000ユウタ"


def test_staff_search_through_patientlst3v2(orca: OrcaRegistry) -> None:
    found = orca.search("ｼｹﾝ＊ﾕｳ", birthdate=date(2015, 6, 1), sex="1")
    assert sorted(r.patient_id for r in found) == ["1001", "1002"]
    assert orca.search("ﾍﾞﾂｼﾞﾝ") == []
    with pytest.raises(RegistryError) as caught:
        orca.search("渡●")
    assert caught.value.code == "orca_gaiji"


def test_the_face_results_insurance_is_sent_and_a_mismatch_goes_to_staff(orca: OrcaRegistry) -> None:
    from kiosk.core.registry import Insurance

    right = Insurance("06999991", "試験", "1111", "01")
    assert orca.register_reception("1001", DAY, "01", "k-1", insurance=right).status == "registered"
    with pytest.raises(RegistryError) as caught:
        orca.register_reception("1002", DAY, "01", "k-2", insurance=Insurance("39999999", None, "1", None))
    assert caught.value.code == "insurance_mismatch" and "保険" in caught.value.ja


def test_the_daily_reception_counter_has_a_limit(orca: OrcaRegistry, double: OrcaDouble) -> None:
    double.max_acceptance_id = 1
    orca.register_reception("1001", DAY, "01", "k-1")
    with pytest.raises(RegistryError) as caught:
        orca.register_reception("1002", DAY, "01", "k-2")
    assert caught.value.code == "orca_50"


def test_initial_load_finds_migrated_patients_without_dates(double: OrcaDouble, store: Store) -> None:
    double.add_patient({"patient_id": "1500", "name": "移行 試験", "name_kana": "ｲｺｳ ｼｹﾝ", "birthdate": "1940-01-01",
                        "sex": "2", "create_date": "", "update_date": ""})  # fmt: skip
    registry = OrcaRegistry(client(double), SqlRegistry(store.sessions), physician_code="10001")
    report = registry.initial_load(stop_after_empty=20)
    assert report.added == 26  # the 25 seeded patients and the migrated one
    assert registry.mirror.get_patient("1500") is not None
    assert registry.sync_mirror().added == 0  # the change feed does not know it, the walk did


def test_the_search_box_finds_a_patient_the_mirror_does_not_know_yet(orca: OrcaRegistry, double: OrcaDouble) -> None:
    """Registered in ORCA a minute ago (after the last mirror sync): ORCA's own name search finds them, and the
    hiragana the clerk typed reaches ORCA as katakana (ORCA widens but does not convert hiragana)."""
    double.add_patient({"patient_id": "7002", "name": "試験 新人", "name_kana": "ｼｹﾝ ｼﾝｼﾞﾝ", "birthdate": "2001-03-03",
                        "sex": "1"})  # fmt: skip
    raw = client(double).post("/api01rv2/patientlst3v2", "patientlst3req", {"WholeName": "しけん"}, {"class": "01"})
    assert raw.api_result == "20"  # the double is as strict as ORCA here
    query = parse_search("しけん しんじん")
    assert [r.patient_id for r in rank(query, orca.search_patients(query))] == ["7002"]
    assert orca.mirror.get_patient("7002") is None
    by_number = parse_search("7002")
    assert [r.patient_id for r in rank(by_number, orca.search_patients(by_number))] == ["7002"]  # patientgetv2


def test_an_unpadded_number_finds_the_padded_chart(orca: OrcaRegistry, double: OrcaDouble) -> None:
    """ORCA pads 患者番号 to its 患者番号構成 and accepts `id=7003`: a 診察券 printed without leading zeros still
    resolves, and the chart number kept is ORCA's padded one (issue 22)."""
    double.masters["patient_id_digits"] = 7
    double.add_patient({"patient_id": "7003", "name": "試験 七三", "name_kana": "ｼｹﾝ ﾅﾐ", "birthdate": "1973-07-03",
                        "sex": "2"})  # fmt: skip
    record = orca.get_patient("7003")
    assert record is not None and record.patient_id == "0007003"
    assert orca.get_patient("007003") is not None and orca.get_patient("7004") is None
    double.add_patient({"patient_id": "A7003", "name": "試験 英字", "name_kana": "ｼｹﾝ ｴｲｼﾞ", "birthdate": "1973-07-03",
                        "sex": "2"})  # fmt: skip
    assert orca.get_patient("a7003") is None  # an alphanumeric number matches exactly or not at all


@pytest.mark.parametrize("code", ["K0", "K4", "K5"])
def test_a_registration_with_a_warning_is_a_registration(orca: OrcaRegistry, double: OrcaDouble, code: str) -> None:
    """patientmodv2 answers success with its first warning code; K4/K5 used to be read as failures although
    ORCA had registered the patient (a retry would then make a second chart)."""
    from kiosk.core.registry import NewPatient

    if code == "K0":
        person = NewPatient("試験 悠太", "ｼｹﾝ ﾕｳﾀ", date(2015, 6, 1), "1")  # same 氏名・性別・生年月日 as 1001
    else:
        double.patient_warning = (code, f"警告（{code}）")
        person = NewPatient("試験 新規", "ｼｹﾝ ｼﾝｷ", date(2001, 1, 1), "2")
    before = len(double.patients)
    created = orca.create_patient(person)
    assert len(double.patients) == before + 1 and created.patient_id in double.patients
    assert created.notices and created.notices[0].startswith(code)  # the warning reaches staff


def test_insurance_combinations_are_not_insurances(orca: OrcaRegistry, double: OrcaDouble) -> None:
    """A patient with one insurance and one 公費 has two 保険組合せ (alone, and with the 公費): one insurance,
    not two (issue 22). The combinations are still read as such, each naming its 公費."""
    from adapters.registry.orca.insurance import combinations

    double.add_patient({"patient_id": "7005", "name": "試験 公子", "name_kana": "ｼｹﾝ ｷﾐｺ", "birthdate": "1960-05-05",
                        "sex": "2", "insurer_number": "06999991", "insured_card_symbol": "試験",
                        "insured_identification_number": "5005", "insured_branch_number": "00",
                        "public_number": "54999991", "public_recipient": "9000005"})  # fmt: skip
    record = orca.get_patient("7005")
    assert record is not None and len(record.insurances) == 1
    assert record.insurances[0].insured_identification_number == "５００５"
    raw = client(double).get("/api01rv2/patientgetv2", {"id": "7005"})
    combos = combinations(raw.data["Patient_Information"]["HealthInsurance_Information"])
    assert [(c.number, c.public) for c in combos] == [("0001", ()), ("0002", ("54999991",))]
    token = base64.b64encode(b"ormaster:ormaster").decode()
    request = urllib.request.Request(f"{double.url}/api01rv2/patientgetv2?id=7005&format=json",
                                     headers={"Authorization": f"Basic {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        slots = json.loads(response.read())["patientinfores"]["Patient_Information"]["HealthInsurance_Information"]
    assert len(slots) == 30 and slots[2:] == [{}] * 28  # JSON pads the 30 slots with {} ...
    xml2 = client(double, wire_format="xml2").get("/api01rv2/patientgetv2", {"id": "7005"})
    assert len(xml2.data["Patient_Information"]["HealthInsurance_Information"]) == 2  # ... xml2 does not


def busy_day(double: OrcaDouble, count: int, department: str = "01", paid: bool = False, start: int = 1) -> None:
    for n in range(start, start + count):
        double.receptions.append(OrcaReception(f"{n:05d}", "01001", double.today.isoformat(), "09:00:00",
                                               department, "10001", "0001", paid))  # fmt: skip


def test_a_day_with_500_receptions_is_listed_in_parts_never_as_empty(orca: OrcaRegistry, double: OrcaDouble) -> None:
    """acceptlstv2 answers 20 「受付対象件数が５００件以上あります」: it used to be read as "no receptions"."""
    busy_day(double, 300, "01")
    busy_day(double, 201, "02", start=301)
    listed = orca.list_receptions(double.today)
    assert len(listed) == 501 and [r.number for r in listed] == list(range(1, 502))
    busy_day(double, 300, "01", paid=True, start=502)  # 01 has 600 now: 受付中 and 会計済 are asked apart
    assert len(orca.list_receptions(double.today)) == 801
    busy_day(double, 500, "02", start=802)  # 02: 701 受付中 — cannot be listed at all
    with pytest.raises(RegistryError) as caught:
        orca.list_receptions(double.today)
    assert caught.value.code == "orca_too_many_receptions"


def test_the_duplicate_is_the_reception_orca_means(orca: OrcaRegistry, double: OrcaDouble) -> None:
    """ORCA's 16: same day, patient, 診療科 and 保険組合せ, still 受付中. An earlier visit already paid is not it."""
    today = double.today
    pid = "01001" if "01001" in double.patients else "1001"
    double.receptions.append(OrcaReception("00001", pid, today.isoformat(), "08:30:00", "01", "10001", "0001", True))
    double.last_acceptance_id[today.isoformat()] = 1
    first = orca.register_reception(pid, today, "01", "visit-2")
    assert first.status == "registered" and first.reception.number == 2  # the paid visit does not block
    again = orca.register_reception(pid, today, "01", "visit-2-from-another-pc")
    assert again.status == "duplicate" and again.reception.number == 2  # not the paid 00001


def test_a_cancelled_last_reception_number_is_never_reused(orca: OrcaRegistry, double: OrcaDouble) -> None:
    pid = "01001" if "01001" in double.patients else "1001"
    made = orca.register_reception(pid, double.today, "01", "a")
    orca.cancel_reception(made.reception.reception_id)
    other = orca.register_reception(pid, double.today, "01", "b")
    assert other.reception.number == made.reception.number + 1  # ORCA's per-day counter goes on
