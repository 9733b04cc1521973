"""A reader supervisor of our own: pyscard's CardMonitor/ReaderMonitor stop for good when the PC/SC
service stops (Windows stops it when the last reader is unplugged), so this loop re-establishes the
context, notices readers coming and going, and reports card insertions and removals.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from drivers.pcsc.transport import SCARD_E_NO_READERS_AVAILABLE


@dataclass(frozen=True)
class CardEvent:
    kind: str  # service_lost | service_back | reader_added | reader_removed | card_inserted | card_removed
    reader: str | None = None
    atr: bytes | None = None


class ReaderSupervisor:
    def __init__(
        self,
        on_event: Callable[[CardEvent], None],
        *,
        reader_patterns: tuple[str, ...] = (".*",),
        wait_ms: int = 300,
        max_backoff: float = 5.0,
    ) -> None:
        self.on_event = on_event
        self.patterns = [re.compile(p) for p in reader_patterns]
        self.wait_ms = wait_ms
        self.max_backoff = max_backoff
        self.stop_event = threading.Event()
        self._context: Any = None
        self._service_up: bool | None = None
        self._readers: dict[str, bool] = {}  # reader → card present

    def run(self) -> None:
        backoff = 0.2
        while not self.stop_event.is_set():
            if self._context is None and not self._establish():
                self.stop_event.wait(backoff)
                backoff = min(self.max_backoff, backoff * 2)
                continue
            backoff = 0.2
            if not self._poll():
                self._drop_context()

    def stop(self) -> None:
        self.stop_event.set()

    def _establish(self) -> bool:
        from smartcard.scard import SCARD_S_SUCCESS, SCARD_SCOPE_USER, SCardEstablishContext

        result, context = SCardEstablishContext(SCARD_SCOPE_USER)
        if result != SCARD_S_SUCCESS:
            self._service(False)
            return False
        self._context = context
        self._service(True)
        return True

    def _drop_context(self) -> None:
        from smartcard.scard import SCardReleaseContext

        with contextlib.suppress(Exception):
            SCardReleaseContext(self._context)
        self._context = None
        for reader in list(self._readers):
            self._forget(reader)
        self._service(False)

    def _service(self, up: bool) -> None:
        if self._service_up is not None and self._service_up != up:
            self.on_event(CardEvent("service_back" if up else "service_lost"))
        self._service_up = up

    def _forget(self, reader: str) -> None:
        if self._readers.pop(reader, False):
            self.on_event(CardEvent("card_removed", reader))
        self.on_event(CardEvent("reader_removed", reader))

    def _poll(self) -> bool:
        """One round: readers, then a bounded wait for a state change. False when the service is gone."""
        from smartcard.scard import (
            SCARD_E_TIMEOUT,
            SCARD_S_SUCCESS,
            SCARD_STATE_PRESENT,
            SCARD_STATE_UNAWARE,
            SCardGetStatusChange,
            SCardListReaders,
        )

        result, names = SCardListReaders(self._context, [])
        if (result & 0xFFFFFFFF) == SCARD_E_NO_READERS_AVAILABLE:
            names = []
        elif result != SCARD_S_SUCCESS:
            return False
        wanted = [n for n in names if any(p.search(n) for p in self.patterns)]
        for reader in [r for r in self._readers if r not in wanted]:
            self._forget(reader)
        for reader in wanted:
            if reader not in self._readers:
                self._readers[reader] = False
                self.on_event(CardEvent("reader_added", reader))
        if not self._readers:
            self.stop_event.wait(self.wait_ms / 1000)
            return True
        states = [(reader, SCARD_STATE_UNAWARE) for reader in self._readers]
        result, answers = SCardGetStatusChange(self._context, 0, states)
        if result != SCARD_S_SUCCESS:
            return False
        self._apply(answers, SCARD_STATE_PRESENT)
        current = [(reader, state) for reader, state, _atr in answers]
        result, answers = SCardGetStatusChange(self._context, self.wait_ms, current)
        if result == SCARD_S_SUCCESS:
            self._apply(answers, SCARD_STATE_PRESENT)
        elif (result & 0xFFFFFFFF) != (SCARD_E_TIMEOUT & 0xFFFFFFFF):
            return False
        return True

    def _apply(self, answers: list[tuple[str, int, list[int]]], present_flag: int) -> None:
        for reader, state, atr in answers:
            present = bool(state & present_flag)
            if present and not self._readers.get(reader):
                self._readers[reader] = True
                self.on_event(CardEvent("card_inserted", reader, bytes(atr)))
            elif not present and self._readers.get(reader):
                self._readers[reader] = False
                self.on_event(CardEvent("card_removed", reader))
