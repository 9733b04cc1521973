"""Live updates: a watcher learns of a committed change within a second (NOTIFY on PostgreSQL, polling on SQLite)."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from pathlib import Path

from kiosk.bootstrap import Store, ingest_service
from kiosk.core.clock import FixedClock
from kiosk.settings import Settings
from kiosk.store.changes import ChangeWatcher
from tests.conftest import face_fixture, place


def test_a_new_entry_is_announced_within_a_second(settings: Settings, store: Store, face_dir: Path) -> None:
    watcher = ChangeWatcher(store.engine)
    try:
        assert watcher.wait(0.3) == []  # nothing yet
        heard: list[tuple[float, list[str]]] = []
        listener = threading.Thread(target=lambda: heard.append((time.monotonic(), watcher.wait(5))))
        listener.start()
        time.sleep(0.2)
        place(face_fixture("shaho_reference_number"), face_dir)
        ingest_service(settings, store, clock=FixedClock(datetime(2025, 4, 1, 12))).drain(timeout=2)
        committed = time.monotonic()
        listener.join(6)
        (when, topics) = heard[0]
        assert topics and (topics == ["*"] or "cr_entries" in topics)
        assert when - committed < 1.0
    finally:
        watcher.close()
