"""Settings that administrators change from the staff console; they override the configuration file
and every agent reads them on its next decision."""

from __future__ import annotations

import time
from typing import get_args

from sqlalchemy.orm import Session, sessionmaker

from kiosk.core.clock import Clock
from kiosk.core.errors import UketsukeError
from kiosk.core.staff_roles import Action, Actor
from kiosk.services.accounts import StaffGate
from kiosk.services.audit import AuditEvent, append
from kiosk.services.linking import AutoMode
from kiosk.store.changes import announce
from kiosk.store.models import RuntimeSetting

LINKING_MODE = "linking.auto"


class RuntimeSettings:
    def __init__(
        self, sessions: sessionmaker[Session], clock: Clock, *, default_mode: AutoMode, cache_seconds: float = 2.0
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.default_mode = default_mode
        self.cache_seconds = cache_seconds
        self._cached: tuple[float, AutoMode] | None = None
        self.gate = StaffGate(sessions, clock)

    def linking_mode(self) -> AutoMode:
        """Read at every decision, but from the store at most every `cache_seconds` (a change applies within that)."""
        now = time.monotonic()
        if self._cached is not None and now - self._cached[0] < self.cache_seconds:
            return self._cached[1]
        with self.sessions() as session:
            row = session.get(RuntimeSetting, LINKING_MODE)
        value = row.value if row is not None else self.default_mode
        mode: AutoMode = value if value in get_args(AutoMode) else self.default_mode  # type: ignore[assignment]
        self._cached = (now, mode)
        return mode

    def set_linking_mode(self, mode: str, *, by: Actor, reason: str | None = None) -> None:
        self.gate.require(by, Action.SET_LINKING_MODE)
        if mode not in get_args(AutoMode):
            raise UketsukeError("bad_mode", "off / reference_only / on のどれかです", "off, reference_only or on")
        now = self.clock.now()
        with self.sessions.begin() as session:
            row = session.get(RuntimeSetting, LINKING_MODE, with_for_update=True)
            before = row.value if row is not None else self.default_mode
            if row is None:
                session.add(RuntimeSetting(key=LINKING_MODE, value=mode, updated_at=now, updated_by=by.login))
            else:
                row.value, row.updated_at, row.updated_by = mode, now, by.login
            self._cached = None
            append(session, AuditEvent(by.login, "setting_change", subject=LINKING_MODE, before={"value": before},
                                       after={"value": mode}, reason=reason), now)  # fmt: skip
            announce(session, "runtime_settings")
