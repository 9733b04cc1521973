"""The registry port's contract. Every back-end (embedded SQL now; ORCA and file exchange later)
is added to BACKENDS and must pass all of it unchanged."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from kiosk.bootstrap import Store
from kiosk.core.registry import CandidateQuery, Department, Insurance, NewPatient, ReceptionRegistry, RegistryError
from kiosk.services.registry_import import import_csv
from tests.conftest import FIXTURES

Seeded = Callable[[], ReceptionRegistry]


def sql_backend(store: Store) -> ReceptionRegistry:
    import_csv(store.sessions, FIXTURES / "registry" / "edge_cases.csv")
    store.registry.set_departments([Department("01", "内科"), Department("02", "小児科")])
    return store.registry


BACKENDS = {"sql": sql_backend}


@pytest.fixture(params=sorted(BACKENDS))
def registry(request: pytest.FixtureRequest, store: Store, tmp_path: Path) -> Iterator[ReceptionRegistry]:
    yield BACKENDS[request.param](store)


DAY = date(2026, 11, 22)


def test_patient_numbers_are_strings_and_kept_exactly(registry: ReceptionRegistry) -> None:
    record = registry.get_patient("1131")
    assert record is not None
    assert record.patient_id == "1131"
    assert record.insurances[0] == Insurance("999994", "１２３", "0045678", "1")
    assert registry.get_patient("01131") is None
    assert registry.get_patient("nonexistent") is None


def test_candidates_carry_why_they_were_found(registry: ReceptionRegistry) -> None:
    found = registry.find_candidates(
        CandidateQuery(patient_id="1001", insurer_key="06999991", number_key="1111", birthdate=date(2015, 6, 1))
    )
    by_id = {c.record.patient_id: c.fired for c in found}
    assert "照会番号" in by_id["1001"] and "生年月日" in by_id["1001"]
    assert "保険者番号+番号" in by_id["1002"]


def test_name_history_is_returned_current_first(registry: ReceptionRegistry, store: Store, tmp_path: Path) -> None:
    csv = tmp_path / "renamed.csv"
    csv.write_text("patient_id,name,name_kana,birthdate,sex\n1031,実験 恵子,ｼﾞｯｹﾝ ｹｲｺ,1985-03-03,F\n", encoding="utf-8")
    import_csv(store.sessions, csv)
    record = registry.get_patient("1031")
    assert record is not None
    assert [n.name_kana for n in record.names] == ["ｼﾞｯｹﾝ ｹｲｺ", "ｼｹﾝ ｹｲｺ"]


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
    assert states[first.reception.reception_id] == "cancelled"


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
    assert again is not None and again.names[0].name_kana == "ｼｹﾝ ｼﾝｼﾞﾝ"
