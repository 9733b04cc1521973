"""The registry port's contract. Every back-end (embedded SQL now; ORCA and file exchange later)
is added to BACKENDS and must pass all of it unchanged."""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import astuple
from datetime import date
from pathlib import Path
from typing import Protocol

import pytest

from adapters.registry.file_exchange import FileExchangeRegistry
from adapters.registry.orca.client import OrcaClient, OrcaSettings
from adapters.registry.orca.registry import OrcaRegistry
from adapters.registry.orca.wire import WireFormat
from adapters.registry.sql_registry import SqlRegistry
from kiosk.bootstrap import Store
from kiosk.core.address import AddressLevel, compare_addresses, parse_address
from kiosk.core.appointments import CSV_COLUMNS, rows_from_csv
from kiosk.core.normalize import insurance_key, kana_strict
from kiosk.core.patient_search import parse_search, rank
from kiosk.core.registry import CandidateQuery, Department, Insurance, NewPatient, ReceptionRegistry, RegistryError
from kiosk.services.registry_import import import_csv
from kiosk.settings import FileExchangeConfig
from tests.conftest import FIXTURES
from tests.simulators.orca_double import OrcaDouble

# 予約 a back-end holds for the appointment contract: (患者番号, day, HH:MM, 診療科, physician)
Booking = tuple[str, date, str, str, str]


def appointment_csv(bookings: Sequence[Booking]) -> str:
    """The DESIGN.md appointments CSV; the ids are the row numbers (ORCA makes its own)."""
    lines = [",".join(CSV_COLUMNS)]
    lines += [f"A{n},{pid},{day.isoformat()},{at},{dept},{doctor}," for n, (pid, day, at, dept, doctor)
              in enumerate(bookings, start=1)]  # fmt: skip
    return "\n".join(lines) + "\n"


class Backend(Protocol):
    def __call__(self, store: Store, bookings: Sequence[Booking] = ()) -> AbstractContextManager[ReceptionRegistry]:
        ...


@contextmanager
def sql_backend(store: Store, bookings: Sequence[Booking] = ()) -> Iterator[ReceptionRegistry]:
    import_csv(store.sessions, FIXTURES / "registry" / "edge_cases.csv")
    store.registry.set_departments([Department("01", "内科"), Department("02", "小児科")])
    store.registry.book.import_rows(rows_from_csv(appointment_csv(bookings)))
    yield store.registry


def orca_backend(wire_format: WireFormat, prefix: str) -> Backend:
    @contextmanager
    def backend(store: Store, bookings: Sequence[Booking] = ()) -> Iterator[ReceptionRegistry]:
        double = OrcaDouble.from_files(FIXTURES / "orca" / "masters.json", FIXTURES / "registry" / "edge_cases.csv")
        for pid, day, at, dept, doctor in bookings:
            double.add_booking(pid, day.isoformat(), at, dept, doctor)
        url = double.start()
        try:
            client = OrcaClient(OrcaSettings(url, "ormaster", "ormaster", path_prefix=prefix, wire_format=wire_format))
            registry = OrcaRegistry(client, SqlRegistry(store.sessions), physician_code="10001")
            registry.sync_mirror()
            yield registry
        finally:
            double.stop()

    return backend


VENDOR_ORDER = ["name", "name_kana", "patient_id", "birthdate", "sex", "insurer_number", "insured_card_symbol",
                "insured_identification_number", "insured_branch_number", "postcode", "address"]  # fmt: skip


@contextmanager
def file_backend(store: Store, bookings: Sequence[Booking] = ()) -> Iterator[ReceptionRegistry]:
    """The same people as a vendor's export: cp932, no header, its own column order."""
    folder = Path(tempfile.mkdtemp())
    with (FIXTURES / "registry" / "edge_cases.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    export = folder / "PATIENT.CSV"
    export.write_bytes("".join(",".join(row[key] for key in VENDOR_ORDER) + "\r\n" for row in rows).encode("cp932"))
    (folder / "out").mkdir()
    appointments = folder / "YOYAKU.CSV"  # the レセコン's appointments export, in its encoding
    appointments.write_bytes(appointment_csv(bookings).replace("\n", "\r\n").encode("cp932"))
    written = time.time() - 60  # both exported a minute ago: settled, read at once
    os.utime(export, (written, written))
    os.utime(appointments, (written, written))
    config = FileExchangeConfig(
        patient_file=str(export), header=False, encoding="cp932", appointment_file=str(appointments),
        columns={key: str(index + 1) for index, key in enumerate(VENDOR_ORDER)},
        reception_folder=str(folder / "out"), departments={"01": "内科", "02": "小児科"},
    )  # fmt: skip
    try:
        yield FileExchangeRegistry(SqlRegistry(store.sessions), config)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


BACKENDS: dict[str, Backend] = {
    "sql": sql_backend,
    "file": file_backend,
    "orca-json": orca_backend("json", ""),
    "orca-xml2-api-prefix": orca_backend("xml2", "/api"),
}


@pytest.fixture(params=sorted(BACKENDS))
def registry(request: pytest.FixtureRequest, store: Store) -> Iterator[ReceptionRegistry]:
    with BACKENDS[request.param](store) as backend:
        yield backend


DAY = date(2026, 11, 22)


def test_patient_numbers_are_strings_and_kept_exactly(registry: ReceptionRegistry) -> None:
    record = registry.get_patient("1131")
    assert record is not None
    assert record.patient_id == "1131"
    (insurance,) = record.insurances
    keys = [insurance_key(value) for value in astuple(insurance)]
    assert keys == ["999994", "123", "0045678", "1"]  # leading zeros kept, nothing turned into a number
    assert registry.get_patient("01131") is None
    assert registry.get_patient("nonexistent") is None


def test_candidates_carry_why_they_were_found(registry: ReceptionRegistry) -> None:
    found = registry.find_candidates(
        CandidateQuery(patient_id="1001", insurer_key="06999991", number_key="1111", birthdate=date(2015, 6, 1))
    )
    by_id = {c.record.patient_id: c.fired for c in found}
    assert "照会番号" in by_id["1001"] and "生年月日" in by_id["1001"]
    assert "保険者番号+番号" in by_id["1002"]


def test_the_address_reaches_the_matcher(registry: ReceptionRegistry) -> None:
    """House-level comparison needs the registry's address from every back-end (ORCA: WholeAddress1 + 2)."""
    face = parse_address("試験県試験市１番２号")
    (found,) = [c.record for c in registry.find_candidates(CandidateQuery(patient_id="1004"))]
    fetched = registry.get_patient("1004")
    assert fetched is not None
    for record in (found, fetched):
        key = parse_address(record.address)
        assert compare_addresses(face, key, None, None) is AddressLevel.HOUSE, record.address
    other = parse_address("試験県試験市１番３号")
    assert compare_addresses(other, parse_address(found.address), None, None) is not AddressLevel.HOUSE


def test_a_reception_is_registered_once_per_idempotency_key(registry: ReceptionRegistry) -> None:
    first = registry.register_reception("1001", DAY, "01", "entry-1")
    again = registry.register_reception("1001", DAY, "01", "entry-1")
    other = registry.register_reception("1002", DAY, "02", "entry-2")
    assert first.status == "registered" and again.status == "duplicate"
    assert again.reception == first.reception
    assert [r.number for r in registry.list_receptions(DAY)] == [1, 2]
    assert other.reception.number == 2
    registry.cancel_reception(first.reception.reception_id)
    states = {r.reception_id: r.state for r in registry.list_receptions(DAY)}
    assert states.get(first.reception.reception_id, "cancelled") == "cancelled"  # gone (ORCA) or marked (SQL)
    assert states[other.reception.reception_id] == "registered"


def test_unknown_patient_or_reception_is_a_clear_error(registry: ReceptionRegistry) -> None:
    with pytest.raises(RegistryError) as caught:
        registry.register_reception("nobody", DAY, None, "entry-x")
    assert caught.value.ja and caught.value.en
    with pytest.raises(RegistryError):
        registry.cancel_reception("999999")


def test_departments(registry: ReceptionRegistry) -> None:
    assert [(d.code, d.name) for d in registry.departments()] == [("01", "内科"), ("02", "小児科")]


def test_create_patient_or_refuse_clearly(registry: ReceptionRegistry) -> None:
    new = NewPatient("試験 新人", "ｼｹﾝ ｼﾝｼﾞﾝ", date(2000, 1, 1), "1", Insurance("06999992", None, "1", "01"))
    if not registry.can_create_patients:
        with pytest.raises(RegistryError):
            registry.create_patient(new)
        return
    created = registry.create_patient(new)
    assert isinstance(created.patient_id, str)
    again = registry.get_patient(created.patient_id)
    assert again is not None and kana_strict(again.names[0].name_kana or "") == kana_strict("ｼｹﾝ ｼﾝｼﾞﾝ")


# -- staff search (issue 21): every back-end answers the same words with the same people -------------------------
def found(registry: ReceptionRegistry, text: str) -> list[str]:
    return [r.patient_id for r in rank(parse_search(text), registry.search_patients(parse_search(text)))]


NAME_SEARCHES = [
    ("しけん さぶろう", ["1051", "1052"]),  # hiragana for a registry written in half-width and in hiragana
    ("ｼｹﾝ ﾕｳﾀ", ["1001"]),  # half width; ユウキ (the twin) is not ユウタ
    ("タカハシ", ["1071"]),
    ("高橋", ["1071"]),  # 髙橋 in the registry: variants folded
    ("渡辺 試験", ["1072"]),  # 渡邊
    ("スミス", ["1121"]),
]
BIRTHDATES = ["S30.5.5", "昭和30年5月5日", "1955-05-05", "1955/5/5", "19550505", "３３００５０５"]


def test_search_by_name_in_any_writing(registry: ReceptionRegistry) -> None:
    """(One test per back-end, the cases in a loop: each ORCA back-end starts a double and syncs its mirror.)"""
    assert [(text, found(registry, text)) for text, _ in NAME_SEARCHES] == NAME_SEARCHES


def test_search_by_birthdate_in_wareki_or_seireki(registry: ReceptionRegistry) -> None:
    assert {born: found(registry, born) for born in BIRTHDATES} == {born: ["1051", "1052"] for born in BIRTHDATES}


def test_search_words_of_different_kinds_narrow_each_other(registry: ReceptionRegistry) -> None:
    assert len(found(registry, "しけん")) == 20  # a common surname: the first 20
    assert found(registry, "しけん H27.7.2") == ["1003", "1004"]  # the twins without 枝番, nobody else
    assert found(registry, "ｼｹﾝ ﾋﾅ 平成27年7月2日") == ["1004"]
    assert found(registry, "しけん 2001-01-01") == []


def test_search_by_number_patient_insurer_or_insured(registry: ReceptionRegistry) -> None:
    assert found(registry, "1131") == ["1131"]
    assert found(registry, "01131") == ["1131"]  # a 診察券 number typed with a leading zero
    assert found(registry, "００４５６７８") == ["1131"]  # 被保険者番号, full width, leading zeros
    assert found(registry, "999993") == ["1041", "1042", "1043"]  # the household's 保険者番号
    assert found(registry, "9999") == []  # no partial numbers: a clerk types a whole one


def test_search_results_carry_what_a_result_row_shows(registry: ReceptionRegistry) -> None:
    [record] = rank(parse_search("ｼｹﾝ ﾊﾁﾛｳ"), registry.search_patients(parse_search("ｼｹﾝ ﾊﾁﾛｳ")))
    assert record.patient_id == "1131" and record.birthdate == date(1982, 2, 12) and record.sex == "1"
    assert (record.names[0].name or "").replace("\u3000", " ") == "試験 八郎"  # ORCA writes a full-width space
