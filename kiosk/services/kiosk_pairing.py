"""Pairing kiosk PCs with the agent: one token per kiosk name, printed once, stored as a hash, revocable.

A token is 32 random bytes (256 bits), so a plain SHA-256 is the right store for it — nothing to stretch, and the
lookup is by hash. Pairing a name again replaces its token (the old one stops working at once). Pairing and
unpairing are audited under whoever ran the command; calls made with a token are audited under `kiosk:<name>`.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from kiosk.core.clock import Clock
from kiosk.core.errors import UketsukeError
from kiosk.services.audit import AuditEvent, append
from kiosk.store.db import read_sessions
from kiosk.store.models import KioskToken

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,40}$")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


class KioskPairing:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self.sessions = sessions
        self.reads = read_sessions(sessions)
        self.clock = clock

    def pair(self, name: str, *, by: str) -> str:
        """A new token for `name` (any earlier token of that kiosk is revoked)."""
        if not NAME.match(name):
            raise UketsukeError("kiosk_name", "キオスク名は英数字と . _ - で 41 文字までです",
                                "a kiosk name is letters, digits, . _ - (up to 41 characters)")  # fmt: skip
        token = secrets.token_urlsafe(32)
        now = self.clock.now()
        with self.sessions.begin() as session:
            replaced = self._revoke(session, name)
            session.add(KioskToken(kiosk_name=name, token_hash=token_hash(token), created_at=now))
            append(session, AuditEvent(by, "kiosk_pair", subject=name, after={"replaced": replaced}), now)
        return token

    def unpair(self, name: str, *, by: str) -> bool:
        with self.sessions.begin() as session:
            revoked = self._revoke(session, name)
            if revoked:
                append(session, AuditEvent(by, "kiosk_unpair", subject=name), self.clock.now())
        return revoked > 0

    def _revoke(self, session: Session, name: str) -> int:
        done = session.execute(update(KioskToken).where(KioskToken.kiosk_name == name, KioskToken.revoked_at.is_(None))
                               .values(revoked_at=self.clock.now()))  # fmt: skip
        return int(done.rowcount or 0)  # type: ignore[attr-defined]

    def kiosk_of(self, token: str) -> str | None:
        """The kiosk a valid token belongs to, or None (unknown or revoked)."""
        if not token or len(token) > 200:
            return None
        with self.reads() as session:
            return session.scalar(select(KioskToken.kiosk_name).where(KioskToken.token_hash == token_hash(token),
                                                                      KioskToken.revoked_at.is_(None)))  # fmt: skip

    def paired(self) -> list[str]:
        with self.reads() as session:
            rows = session.scalars(select(KioskToken.kiosk_name).where(KioskToken.revoked_at.is_(None))
                                   .order_by(KioskToken.kiosk_name))  # fmt: skip
            return list(rows)
