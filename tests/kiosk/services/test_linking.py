"""Linking during ingest, in each `linking.auto` mode, on the real store."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.bootstrap import Store, ingest_service
from kiosk.core.clock import FixedClock
from kiosk.services.cr_list import cr_list
from kiosk.services.registry_import import import_csv
from kiosk.settings import Settings, settings_from_mapping
from kiosk.store.models import CrEntry
from tests.conftest import face_fixture, place

REGISTRY = (
    "patient_id,name,name_kana,birthdate,sex,insurer_number,insured_card_symbol,insured_identification_number,"
    "insured_branch_number,postcode,address,reference_number\n"
    "000123,試験 太郎,ｼｹﾝ ﾀﾛｳ,S55.4.1,M,06999991,１２３,0045678,00,999-0001,,000123\n"
    "2002,試験 翔子,しけん しょうこ,1950-07-15,F,999991,試験市,00012345,,999-0002,,\n"
)


@pytest.fixture
def registry(store: Store, tmp_path: Path) -> Store:
    csv = tmp_path / "registry.csv"
    csv.write_text(REGISTRY, encoding="utf-8")
    assert import_csv(store.sessions, csv).added == 2
    return store


def ingest(settings: Settings, store: Store, face_dir: Path) -> dict[str, dict[str, object]]:
    place(face_fixture("shaho_reference_number"), face_dir)
    place(face_fixture("kokuho_shift_jis_random_order"), face_dir)
    ingest_service(settings, store, clock=FixedClock(datetime(2025, 4, 1, 12))).drain()
    return {str(line["name_kana"]): line for line in cr_list(store.faces, datetime(2025, 4, 1).date())}


def with_mode(settings: Settings, mode: str) -> Settings:
    data = settings.model_dump()
    data["linking"] = {"auto": mode}
    return settings_from_mapping(data)


def test_auto_links_by_reference_number_and_by_match(settings: Settings, registry: Store, face_dir: Path) -> None:
    lines = ingest(settings, registry, face_dir)
    taro, shoko = lines["ｼｹﾝ ﾀﾛｳ"], lines["ｼｹﾝ ｼﾖｳｺ"]
    assert (taro["status"], taro["patient_id"], taro["link_method"]) == ("auto_linked", "000123", "reference_number")
    assert (shoko["status"], shoko["patient_id"], shoko["link_method"]) == ("auto_linked", "2002", "match")


def test_shadow_mode_records_the_decision_but_links_nothing(
    settings: Settings, registry: Store, face_dir: Path
) -> None:
    lines = ingest(with_mode(settings, "off"), registry, face_dir)
    assert {line["status"] for line in lines.values()} == {"needs_review"}
    assert all(line["patient_id"] is None for line in lines.values())
    assert "自動連携オフ" in str(lines["ｼｹﾝ ﾀﾛｳ"]["reason"])
    with registry.sessions() as session:
        decisions = [entry.match_result for entry in session.scalars(select(CrEntry))]
    assert all(d is not None and d["decision"] == "auto_link" for d in decisions)


def test_reference_only_mode(settings: Settings, registry: Store, face_dir: Path) -> None:
    lines = ingest(with_mode(settings, "reference_only"), registry, face_dir)
    assert lines["ｼｹﾝ ﾀﾛｳ"]["status"] == "auto_linked"
    assert lines["ｼｹﾝ ｼﾖｳｺ"]["status"] == "needs_review"
