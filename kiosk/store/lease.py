"""A lease in the store: one holder at a time, renewed while alive, taken over by another process when the
holder stops renewing (it died). Works the same on SQLite and PostgreSQL (row lock + unique key)."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kiosk.store.models import Lease


def default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def acquire(sessions: sessionmaker[Session], name: str, holder: str, ttl: timedelta, now: datetime) -> bool:
    """True when `holder` holds the lease until now + ttl (newly taken, renewed, or taken over)."""
    try:
        with sessions.begin() as session:
            row = session.get(Lease, name, with_for_update=True)
            if row is None:
                session.add(Lease(name=name, holder=holder, expires_at=now + ttl))
                return True
            if row.holder == holder or row.expires_at < now:
                row.holder, row.expires_at = holder, now + ttl
                return True
            return False
    except IntegrityError:
        return False  # another process created it at the same moment


def release(sessions: sessionmaker[Session], name: str, holder: str) -> None:
    with sessions.begin() as session:
        row = session.get(Lease, name)
        if row is not None and row.holder == holder:
            session.delete(row)
