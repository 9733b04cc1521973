"""Several agents scanning one share: every file is stored exactly once (constraints, not luck)."""

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
from kiosk.settings import Settings
from tests.conftest import face_fixture


@pytest.mark.parametrize("agents", [2, 4])
def test_agents_sharing_a_folder_store_each_file_once(settings: Settings, face_dir: Path, agents: int) -> None:
    template = face_fixture("shaho_reference_number").read_bytes()
    stores = [open_store(settings) for _ in range(agents)]  # one engine each, like separate processes
    services = [ingest_service(settings, s, clock=FixedClock(datetime(2025, 4, 1, 12))) for s in stores]
    total = 200
    done = threading.Event()

    def writer() -> None:
        old = time.time() - 30
        for i in range(total):
            path = face_dir / f"OQSsiquc01res_face_9919999999{i:020x}_20250401{10 + i // 60:02d}{i % 60:02d}00.xml"
            path.write_bytes(template.replace(b"000123", f"{i:06d}".encode()))
            os.utime(path, (old, old))
        done.set()

    def agent(index: int) -> None:
        while not done.is_set():
            services[index].scan()
        services[index].drain(timeout=2)

    threads = [threading.Thread(target=agent, args=(n,)) for n in range(agents)]
    feeder = threading.Thread(target=writer)
    for thread in [*threads, feeder]:
        thread.start()
    for thread in [feeder, *threads]:
        thread.join(120)
    with stores[0].engine.connect() as connection:
        files, names = connection.execute(text("select count(*), count(distinct name_key) from face_files")).one()
        entries = connection.execute(text("select count(*) from cr_entries")).scalar_one()
    for store in stores:
        store.engine.dispose()
    assert (files, names, entries) == (total, total, total)
