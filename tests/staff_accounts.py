"""Real staff accounts for tests: the services check every actor against the store, so a test's clerk is a row in
staff_accounts (inserted directly with one cached hash — the login path itself is tested in the account tests)."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kiosk.core.pin_hash import hash_secret
from kiosk.core.staff_roles import Actor
from kiosk.store.models import StaffAccount

PASSWORD = "test-clerk-2026"


@cache
def _secret_hash(password: str) -> str:
    return hash_secret(password)


def staff_actor(sessions: sessionmaker[Session], login: str = "clerk-1", role: str = "clerk", *,
                active: bool = True, password: str = PASSWORD, display_name: str | None = None) -> Actor:  # fmt: skip
    """The account `login` (made if missing; it can sign in with `password`) and the actor a login returns."""
    name = display_name or f"試験 {login}"
    with sessions.begin() as session:
        row = session.scalar(select(StaffAccount).where(StaffAccount.login == login))
        if row is None:
            session.add(StaffAccount(login=login, display_name=name, role=role, secret_hash=_secret_hash(password),
                                     active=active, failed_attempts=0, created_at=datetime(2026, 1, 1)))  # fmt: skip
    return Actor(login, name, role)
