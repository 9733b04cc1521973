"""PostgreSQL stopped mid-run and restarted: the agent reports it, waits, resumes; nothing lost or doubled."""

from __future__ import annotations

import os
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from kiosk.bootstrap import ingest_service, open_store
from kiosk.core.clock import FixedClock
from kiosk.demo.oqs_terminal import wait_until
from kiosk.services.agent import Agent
from kiosk.settings import settings_from_mapping
from tests.conftest import face_fixture
from tests.postgres import Cluster


@pytest.mark.postgresql
def test_postgresql_outage_mid_run(own_cluster: Cluster, face_dir: Path, data_dir: Path) -> None:
    url = own_cluster.create_database("outage")
    settings = settings_from_mapping({"store": {"url": url}, "paths": {"data_dir": str(data_dir)},
                                      "face": {"folder": str(face_dir), "write_grace_seconds": 0.5}})  # fmt: skip
    store = open_store(settings)
    states: list[str] = []
    agent = Agent(ingest_service(settings, store, clock=FixedClock(datetime(2025, 4, 1, 12))), poll_interval=0.2,
                  use_events=True, status=lambda _c, state, _m: states.append(state))  # fmt: skip
    thread = threading.Thread(target=agent.run, daemon=True)
    thread.start()
    template = face_fixture("shaho_reference_number").read_bytes()
    old = time.time() - 30

    def drop(first: int, last: int) -> None:
        for i in range(first, last):
            path = face_dir / f"OQSsiquc01res_face_9919999999{i:020x}_2025040110{i:02d}00.xml"
            path.write_bytes(template.replace(b"000123", f"{i:06d}".encode()))
            os.utime(path, (old, old))

    def stored() -> int:
        try:
            with store.engine.connect() as connection:
                return int(connection.execute(text("select count(*) from face_files")).scalar_one())
        except Exception:
            return -1

    try:
        drop(0, 20)
        assert wait_until(lambda: stored() == 20, timeout=20)
        own_cluster.stop_server()
        drop(20, 40)  # files keep arriving during the outage
        time.sleep(2)
        assert thread.is_alive()
        own_cluster.start_server()
        assert wait_until(lambda: stored() == 40, timeout=60)
    finally:
        agent.request_stop()
        thread.join(timeout=10)
    with store.engine.connect() as connection:
        query = text(
            "select count(distinct name_key), count(*) from cr_entries "
            "join face_files on face_files.id = cr_entries.face_file_id"
        )
        names = connection.execute(query).one()
    store.engine.dispose()
    assert tuple(names) == (40, 40)
