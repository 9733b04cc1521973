"""The kiosk desk's plumbing: the store's sessions, the registry, and one rule for what cannot be reached (the kiosk
pauses: DeskUnavailable) or was refused (the patient goes to the counter: DeskRefused)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import InterfaceError as SAInterfaceError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from kiosk.core.check_in import CheckInWindow
from kiosk.core.clock import Clock
from kiosk.core.kiosk_ports import DeskRefused, DeskUnavailable
from kiosk.core.matching import Matcher
from kiosk.core.registry import ReceptionRegistry, RegistryError
from kiosk.logsetup import get_logger
from kiosk.services.audit import kiosk_actor
from kiosk.store.db import read_sessions
from kiosk.store.models import CrEntry

log = get_logger("uketsuke.kiosk")

T = TypeVar("T")


class DeskBase:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        registry: ReceptionRegistry,
        clock: Clock,
        *,
        kiosk_id: str,
        window: CheckInWindow | None = None,
    ) -> None:
        self.window = window or CheckInWindow()
        self.sessions = sessions
        self.reads = read_sessions(sessions)
        self.registry = registry
        self.clock = clock
        self.kiosk_id = kiosk_id
        self.actor = kiosk_actor(kiosk_id)
        self.matcher = Matcher(registry)

    @contextmanager
    def _reachable(self) -> Iterator[None]:
        try:
            yield
        except (OperationalError, SAInterfaceError) as exc:
            log.warning("kiosk_store_unreachable", error=type(exc.orig).__name__)
            raise DeskUnavailable() from None
        except RegistryError as exc:
            if exc.code == "orca_unreachable":
                raise DeskUnavailable() from None
            log.warning("kiosk_registry_refused", code=exc.code)
            raise DeskRefused(exc.code) from None

    def _read(self, work: Callable[[Session], T]) -> T:
        with self._reachable(), self.reads() as session:
            return work(session)

    def _write(self, work: Callable[[Session], T]) -> T:
        with self._reachable(), self.sessions.begin() as session:
            return work(session)

    @staticmethod
    def _first_entry(session: Session, face_file_id: int | None) -> int | None:
        if face_file_id is None:
            return None
        return session.scalar(select(CrEntry.id).where(CrEntry.face_file_id == face_file_id)
                              .order_by(CrEntry.result_index).limit(1))  # fmt: skip
