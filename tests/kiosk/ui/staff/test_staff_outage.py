"""The store goes away under the staff console: a clear line instead of an error, and back on the next change."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.bootstrap import ingest_service, open_store
from kiosk.core.clock import SteppingClock
from kiosk.demo.oqs_terminal import Terminal
from kiosk.demo.people import TARO
from kiosk.services.registry_import import import_csv
from kiosk.services.review import ReviewService
from kiosk.settings import settings_from_mapping
from kiosk.ui.staff.window import StaffWindow
from tests.conftest import FIXTURES
from tests.kiosk.ui.conftest import Clinic
from tests.kiosk.ui.staff.conftest import ADMIN, build_services
from tests.postgres import Cluster


@pytest.mark.postgresql
def test_the_console_says_the_store_is_away_and_recovers(own_cluster: Cluster, tmp_path: Path, qtbot: QtBot) -> None:
    settings = settings_from_mapping({"store": {"url": own_cluster.create_database("staff")},
                                      "paths": {"data_dir": str(tmp_path)}})  # fmt: skip
    store = open_store(settings)
    import_csv(store.sessions, FIXTURES / "registry" / "kiosk_clinic.csv")
    clock = SteppingClock()
    terminal = Terminal(tmp_path / "OQS")
    clinic = Clinic(store, settings, clock, terminal, ingest_service(settings, store, face_dir=str(terminal.face),
                    clock=clock), ReviewService(store.sessions, clock), qtbot)  # fmt: skip
    services = build_services(clinic, store.registry, None)  # type: ignore[arg-type]
    services.accounts.create(ADMIN[0], "試験 管理者", "admin", ADMIN[1], by=None)
    window = StaffWindow(services, live=False)
    qtbot.addWidget(window)
    window.login.login.setText(ADMIN[0])
    window.login.secret.setText(ADMIN[1])
    window.login.submit()
    clinic.face(TARO)
    own_cluster.stop_server()
    window._changed()  # what a change notification does
    assert "接続できません" in window.main.banner.text()
    own_cluster.start_server()
    own_cluster.wait_ready()
    window._changed()
    assert window.main.model.rowCount() == 1
    window.close()
    store.engine.dispose()
