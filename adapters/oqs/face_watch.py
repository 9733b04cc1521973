"""File-system events for the face folder, where the platform gives them (inotify, ReadDirectoryChangesW).

Events only say "look at this name now"; the periodic scan stays the source of truth because SMB
change notifications are unreliable and a folder that vanishes silently drops its watch.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from kiosk.core.face import is_face_file_name


class _Handler(FileSystemEventHandler):
    def __init__(self, notify: Callable[[str], None]) -> None:
        self.notify = notify

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory:
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            name = os.path.basename(os.fsdecode(raw)) if raw else ""
            if name and is_face_file_name(name):
                self.notify(name)


class FolderWatch:
    """Start/stop an observer for one folder; safe to restart after the folder came back."""

    def __init__(self, path: Path, notify: Callable[[str], None]) -> None:
        self.path = path
        self.notify = notify
        self._observer: BaseObserver | None = None

    def start(self) -> bool:
        self.stop()
        observer = Observer()
        try:
            observer.schedule(_Handler(self.notify), str(self.path), recursive=False)
            observer.daemon = True
            observer.start()
        except OSError:
            return False
        self._observer = observer
        return True

    @property
    def alive(self) -> bool:
        return self._observer is not None and self._observer.is_alive()

    def stop(self) -> None:
        observer, self._observer = self._observer, None
        if observer is not None:
            try:
                observer.stop()
                observer.join(timeout=2)
            except (OSError, RuntimeError):
                pass
