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
from kiosk.demo.people import TARO
from kiosk.services.registry_import import import_csv
from kiosk.services.review import ReviewService
from kiosk.settings import settings_from_mapping
from kiosk.store.models import KioskClaim
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


@pytest.mark.parametrize("desk_mode", ["agent"])
def test_a_kiosk_pc_rides_out_an_agent_restart_mid_visit(clinic: Clinic) -> None:
    """The kiosk PC holds no store: the agent stops while the patient is on the confirmation, the kiosk says
    ただいま受付できません, comes back by itself when the agent is back, and the patient is received once."""
    kiosk = clinic.kiosk()
    [first] = clinic.to_face_reader(kiosk, TARO)
    clinic.enter_birthdate(kiosk, TARO.birthdate)
    assert kiosk.flow.screen is Screen.CONFIRM_PERSON
    agent = clinic.agent
    assert agent is not None
    agent.stop()
    clinic.tap(kiosk, "btn_yes")
    assert kiosk.flow.screen is Screen.UNAVAILABLE
    assert "ただいま 受付できません" in kiosk.window.visible_texts()
    clinic.clock.advance(10)
    kiosk.flow.tick()
    assert kiosk.flow.screen is Screen.UNAVAILABLE  # still down: it keeps trying, quietly
    agent.start_again()
    clinic.clock.advance(10)
    kiosk.flow.tick()
    assert kiosk.flow.screen is Screen.WELCOME
    with clinic.store.sessions() as session:  # the claim of the interrupted visit was given back on recovery
        assert session.get(KioskClaim, first) is None
    clinic.to_face_reader(kiosk, TARO)  # the patient starts over at the reader
    clinic.enter_birthdate(kiosk, TARO.birthdate)
    clinic.tap(kiosk, "btn_yes")
    clinic.tap(kiosk, "dept_01")
    clinic.tap(kiosk, "btn_confirm")
    assert kiosk.flow.screen is Screen.DONE
    assert len([r for r in clinic.receptions() if r.state == "registered"]) == 1
