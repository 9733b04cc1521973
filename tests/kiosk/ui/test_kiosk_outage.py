"""The store goes away under a kiosk: "ただいま受付できません" instead of an error, and back by itself."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.bootstrap import ingest_service, open_store
from kiosk.core.kiosk_flow import Screen
from kiosk.core.registry import Department
from kiosk.demo.oqs_terminal import Terminal
from kiosk.services.registry_import import import_csv
from kiosk.services.review import ReviewService
from kiosk.settings import settings_from_mapping
from tests.conftest import FIXTURES
from tests.kiosk.ui.conftest import Clinic, StepClock
from tests.postgres import Cluster


@pytest.mark.postgresql
def test_kiosk_pauses_while_postgresql_is_down(own_cluster: Cluster, tmp_path: Path, qtbot: QtBot) -> None:
    settings = settings_from_mapping({"store": {"url": own_cluster.create_database("kiosk")},
                                      "paths": {"data_dir": str(tmp_path)}})  # fmt: skip
    store = open_store(settings)
    import_csv(store.sessions, FIXTURES / "registry" / "kiosk_clinic.csv")
    store.registry.set_departments([Department("01", "内科")])
    clock = StepClock()
    terminal = Terminal(tmp_path / "OQS")
    clinic = Clinic(store, settings, clock, terminal,
                    ingest_service(settings, store, face_dir=str(terminal.face), clock=clock),
                    ReviewService(store.sessions, clock), qtbot)  # fmt: skip
    kiosk = clinic.kiosk()
    clinic.tap(kiosk, "btn_start")
    own_cluster.stop_server()
    clinic.tap(kiosk, "btn_first")  # needs the store
    assert kiosk.flow.screen is Screen.UNAVAILABLE
    assert "ただいま 受付できません" in kiosk.window.visible_texts()
    clock.advance(3)
    kiosk.flow.tick()
    assert kiosk.flow.screen is Screen.UNAVAILABLE
    own_cluster.start_server()
    deadline = time.monotonic() + 20
    while kiosk.flow.screen is not Screen.WELCOME:
        assert time.monotonic() < deadline, "the kiosk did not come back"
        clock.advance(3)
        kiosk.flow.tick()
        time.sleep(0.1)
    clinic.tap(kiosk, "btn_start")
    clinic.tap(kiosk, "btn_first")
    assert kiosk.flow.screen is Screen.FIRST_VISIT and kiosk.flow.visit.counter_number == 1
    store.engine.dispose()
