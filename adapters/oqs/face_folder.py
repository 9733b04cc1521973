"""Reading the terminal's face folder without ever disturbing it.

Files are only opened for reading, with every sharing flag on Windows, and closed at once:
nothing is deleted, moved, renamed or locked. The terminal does not write atomically, so a file
counts as read only when two reads a moment apart are identical.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kiosk.core.face import is_face_file_name

_CHUNK = 1024 * 1024


class FolderUnavailable(Exception):
    """The folder (or the share behind it) cannot be listed right now."""


@dataclass(frozen=True)
class Listed:
    path: Path
    name: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Snapshot:
    """One stable read of a file. `data` is None when the file is over the size cap."""

    path: Path
    name: str
    size: int
    mtime_ns: int
    sha256: str
    data: bytes | None


@dataclass(frozen=True)
class Unstable:
    """Vanished or still changing between the two reads; look again later."""

    listed: Listed
    vanished: bool


def _open_shared(path: Path) -> int:
    """Open for reading; on Windows with FILE_SHARE_DELETE so other programs can still delete it."""
    if sys.platform != "win32":
        return os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    import ctypes
    import msvcrt
    from ctypes import wintypes

    generic_read = 0x80000000
    share_all = 0x1 | 0x2 | 0x4  # FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE
    open_existing = 3
    create_file = ctypes.windll.kernel32.CreateFileW
    create_file.restype = wintypes.HANDLE
    handle = create_file(str(path), generic_read, share_all, None, open_existing, 0x80, None)
    if handle == wintypes.HANDLE(-1).value:
        raise OSError(ctypes.get_last_error(), "CreateFileW failed", str(path))
    return msvcrt.open_osfhandle(handle, os.O_RDONLY | os.O_BINARY)


def read_limited(path: Path, cap: int) -> tuple[str, int, bytes | None]:
    """SHA-256, size and bytes of a file; bytes only when size <= cap (the hash always)."""
    digest = hashlib.sha256()
    kept = bytearray()
    total = 0
    fd = _open_shared(path)
    with os.fdopen(fd, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            total += len(chunk)
            if total <= cap:
                kept += chunk
    return digest.hexdigest(), total, bytes(kept) if total <= cap else None


class FaceFolder:
    """One folder to watch: the terminal's face folder, or another program's trash."""

    def __init__(self, path: Path, *, source: str = "face", max_bytes: int, settle_seconds: float) -> None:
        self.path = path
        self.source = source
        self.max_bytes = max_bytes
        self.settle_seconds = settle_seconds

    def listing(self, only: Iterable[str] | None = None) -> list[Listed]:
        """Face files present now; `only` restricts to names (from file-system events)."""
        found: list[Listed] = []
        try:
            if only is not None:
                entries = [self.path / name for name in only if is_face_file_name(name)]
                for entry in entries:
                    try:
                        info = entry.stat()
                    except FileNotFoundError:
                        continue
                    if entry.is_file():
                        found.append(Listed(entry, entry.name, info.st_size, info.st_mtime_ns))
                if not self.path.is_dir():
                    raise FolderUnavailable(str(self.path))
                return found
            with os.scandir(self.path) as scan:
                for item in scan:
                    if not is_face_file_name(item.name):
                        continue
                    try:
                        if not item.is_file():
                            continue
                        info = item.stat()
                    except FileNotFoundError:
                        continue
                    found.append(Listed(Path(item.path), item.name, info.st_size, info.st_mtime_ns))
        except FolderUnavailable:
            raise
        except OSError as exc:
            raise FolderUnavailable(f"{self.path}: {exc.strerror or type(exc).__name__}") from None
        found.sort(key=lambda listed: (listed.mtime_ns, listed.name))
        return found

    def read_stable(self, files: list[Listed]) -> list[Snapshot | Unstable]:
        """Read every file twice, `settle_seconds` apart; identical reads make a Snapshot."""
        first = [self._read(listed) for listed in files]
        if self.settle_seconds and any(item is not None for item in first):
            time.sleep(self.settle_seconds)
        results: list[Snapshot | Unstable] = []
        for listed, before in zip(files, first, strict=True):
            after = self._read(listed)
            if before is None or after is None:
                results.append(Unstable(listed, vanished=True))
            elif before.sha256 != after.sha256 or before.size != after.size or before.mtime_ns != after.mtime_ns:
                results.append(Unstable(listed, vanished=False))
            else:
                results.append(after)
        return results

    def _read(self, listed: Listed) -> Snapshot | None:
        try:
            sha, size, data = read_limited(listed.path, self.max_bytes)
            mtime_ns = listed.path.stat().st_mtime_ns
        except OSError:
            return None
        return Snapshot(listed.path, listed.name, size, mtime_ns, sha, data)
