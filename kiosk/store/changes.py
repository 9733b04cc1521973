"""Telling kiosks and staff consoles that something changed, within a second.

PostgreSQL: NOTIFY on the channel `uketsuke_changes` inside the writing transaction (delivered on commit)
and LISTEN on a dedicated connection. SQLite: `PRAGMA data_version` on the watcher's own connection, which
changes whenever another connection commits — polled, as SQLite has no notifications.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

CHANNEL = "uketsuke_changes"


def announce(session: Session, topic: str) -> None:
    """Call inside a write transaction; watchers hear of it when the transaction commits."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, :topic)"), {"channel": CHANNEL, "topic": topic})


class ChangeWatcher:
    """`wait(timeout)` returns the topics seen (PostgreSQL) or ["*"] (SQLite) as soon as a change is committed."""

    def __init__(self, engine: Engine, *, poll_seconds: float = 0.2) -> None:
        self.engine = engine
        self.poll = poll_seconds
        self._raw: Any = engine.raw_connection()
        self.postgres = engine.dialect.name == "postgresql"
        if self.postgres:
            connection: Any = self._raw.driver_connection
            connection.autocommit = True
            connection.execute(f"LISTEN {CHANNEL}")
            self._version = None
        else:
            self._version = self._data_version()

    def _data_version(self) -> int:
        cursor = self._raw.cursor()
        try:
            cursor.execute("PRAGMA data_version")
            return int(cursor.fetchone()[0])
        finally:
            cursor.close()

    def wait(self, timeout: float) -> list[str]:
        if self.postgres:
            topics = [note.payload for note in self._raw.driver_connection.notifies(timeout=timeout, stop_after=1)]
            return topics
        deadline = time.monotonic() + timeout
        while True:
            version = self._data_version()
            if version != self._version:
                self._version = version
                return ["*"]
            if time.monotonic() >= deadline:
                return []
            time.sleep(min(self.poll, max(0.0, deadline - time.monotonic())))

    def close(self) -> None:
        self._raw.close()
