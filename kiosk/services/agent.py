"""The agent loop: events wake it at once, a periodic scan catches everything events miss."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from types import FrameType

from adapters.oqs.face_folder import FaceFolder
from adapters.oqs.face_watch import FolderWatch
from kiosk.logsetup import get_logger
from kiosk.services.ingest import IngestService

log = get_logger("uketsuke.agent")


class Agent:
    def __init__(
        self,
        ingest: IngestService,
        *,
        poll_interval: float,
        use_events: bool,
        status: Callable[[str, str, str | None], None] | None = None,
        stop_event: threading.Event | None = None,
        after_scan: Callable[[], None] | None = None,
        on_store_failure: Callable[[], None] | None = None,
    ) -> None:
        self.ingest = ingest
        self.poll_interval = poll_interval
        self.use_events = use_events
        self.status = status
        self.stop_event = stop_event or threading.Event()
        self.after_scan = after_scan
        self.on_store_failure = on_store_failure
        self._store_failures = 0
        self._hints: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._watches: dict[str, FolderWatch] = {}
        ingest.on_folder_state = self._folder_changed

    def request_stop(self, *_args: object) -> None:
        self.stop_event.set()
        self._hints.put("")

    def run(self) -> None:
        log.info("agent_started", folders=[folder.source for folder in self.ingest.folders])
        self._report("running", f"pid={os.getpid()}")
        self._guarded(self.ingest.warm_up)
        if self.use_events:
            for folder in self.ingest.folders:
                self._watch(folder)
        try:
            self._guarded(self.ingest.scan)
            while not self.stop_event.is_set():
                hints = self._wait_for_hints()
                if self.stop_event.is_set():
                    break
                if hints:
                    self._guarded(partial(self.ingest.scan, hints))
                else:
                    self._guarded(self.ingest.scan)
                self._after_scan()
                self._rearm_dead_watches()
        finally:
            for watch in self._watches.values():
                watch.stop()
            self._report("stopped", None)
            log.info("agent_stopped")

    def _guarded(self, work: Callable[[], object]) -> None:
        """The store may be unreachable (PostgreSQL restarting, SQLite locked too long): report it, wait with
        backoff and carry on. Nothing is lost: an unstored file is simply read again on the next scan."""
        try:
            work()
        except Exception as exc:
            self._store_failures += 1
            delay = min(30.0, 0.5 * 2 ** min(self._store_failures, 6))
            if self._store_failures == 1:
                log.error("store_unavailable", error=type(exc).__name__)
            if self.on_store_failure is not None:
                # Pooled connections can stay broken after the store is back (SQLite opened read-only while the
                # file was not writable keeps refusing writes): drop them so the next try opens fresh ones.
                with contextlib.suppress(Exception):
                    self.on_store_failure()
            self.stop_event.wait(delay)
            return
        if self._store_failures:
            log.info("store_available_again", after_failures=self._store_failures)
            self._store_failures = 0
            self._report("running", f"pid={os.getpid()}")

    def _after_scan(self) -> None:
        """Follow-up work (照会番号 registration) must never stop the ingest loop."""
        if self.after_scan is None:
            return
        try:
            self.after_scan()
        except Exception as exc:
            log.error("after_scan_failed", error=type(exc).__name__)

    def _wait_for_hints(self) -> set[str]:
        hints: set[str] = set()
        try:
            first = self._hints.get(timeout=self.poll_interval)
        except queue.Empty:
            return hints
        if first:
            hints.add(first)
        while True:
            try:
                name = self._hints.get_nowait()
            except queue.Empty:
                return hints
            if name:
                hints.add(name)

    def _watch(self, folder: FaceFolder) -> None:
        watch = self._watches.get(folder.source) or FolderWatch(folder.path, self._hints.put)
        self._watches[folder.source] = watch
        if not watch.start():
            log.info("face_folder_events_unavailable", folder=folder.source)

    def _rearm_dead_watches(self) -> None:
        if not self.use_events:
            return
        for folder in self.ingest.folders:
            watch = self._watches.get(folder.source)
            if watch is not None and not watch.alive and folder.path.is_dir():
                self._watch(folder)

    def _folder_changed(self, folder: FaceFolder, up: bool, message: str | None) -> None:
        if up and self.use_events:
            self._watch(folder)
        if self.status is not None:
            self.status(f"folder:{folder.source}", "ok" if up else "unavailable", message)

    def _report(self, state: str, message: str | None) -> None:
        if self.status is not None:
            try:
                self.status("agent", state, message)
            except Exception:
                log.warning("status_not_saved", state=state)


def stop_on_signals(stop_event: threading.Event) -> None:
    """SIGINT/SIGTERM end the loop after the current file; installed before the slow start-up."""

    def handler(signum: int, _frame: FrameType | None) -> None:
        log.info("agent_stop_requested", signal=signum)
        stop_event.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


class MirrorRefresher:
    """Keeps a mirrored registry (ORCA's change feed, a file export) fresh on a schedule."""

    def __init__(self, backend: object, interval_seconds: float) -> None:
        self.backend = backend
        self.interval = interval_seconds
        self._last: float | None = None
        self._since: date | None = None

    def maybe_sync(self) -> None:
        now = time.monotonic()
        if self._last is not None and now - self._last < self.interval:
            return
        self._last = now
        sync = getattr(self.backend, "sync_mirror", None) or getattr(self.backend, "refresh", None)
        if sync is None:
            return
        try:
            mirror = getattr(self.backend, "mirror", None)
            initial_load = getattr(self.backend, "initial_load", None)
            if self._since is None and initial_load is not None and mirror is not None and mirror.count() == 0:
                initial_load()  # an empty mirror: walk every 患者番号 once
                self._since = date.today()
                return
            if self._since is not None and getattr(self.backend, "sync_mirror", None) is not None:
                sync(since=self._since)
            else:
                sync()
            self._since = date.today()
        except Exception as exc:
            log.warning("registry_mirror_not_refreshed", error=type(exc).__name__)
