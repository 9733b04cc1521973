"""Reading the terminal's face folder without ever disturbing it.

Files are only opened for reading, with every sharing flag on Windows, and closed at once:
nothing is deleted, moved, renamed or locked. The terminal does not write atomically, so a file
counts as read only when two reads a moment apart are identical.
"""

from __future__ import annotations

import hashlib
import os
import stat as stat_mode
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kiosk.core.face import is_face_file_name

_CHUNK = 1024 * 1024


def stat_is_file(info: os.stat_result) -> bool:
    return stat_mode.S_ISREG(info.st_mode)


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


@dataclass(frozen=True)
class Trouble:
    """One entry of the folder that cannot be read (the rest of the folder is unaffected). `name` is safe to
    store and show: bytes that are not UTF-8 are written as \\xNN."""

    name: str
    code: str
    ja: str
    en: str

    @property
    def reason(self) -> str:
        return f"{self.ja} / {self.en}"


@dataclass(frozen=True)
class Listing:
    files: list[Listed]
    troubles: list[Trouble]


def display_name(name: str) -> str:
    """A file name as text that can always be stored and logged (undecodable bytes become \\xNN)."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", errors="backslashreplace")


def _trouble(name: str, exc: OSError | None, code: str) -> Trouble:
    shown = display_name(name)
    if code == "bad_name":
        return Trouble(shown, code, "ファイル名の文字を読めません（文字コードが不正）",
                       "the file name is not valid text (bad character encoding)")  # fmt: skip
    if isinstance(exc, PermissionError):
        return Trouble(shown, "no_permission", "読み取る権限がありません", "no permission to read the file")
    detail = (exc.strerror if exc is not None else None) or type(exc).__name__
    return Trouble(shown, code, f"ファイルを読めません（{detail}）", f"the file cannot be read ({detail})")


def _identity(path: Path) -> tuple[int, int] | None:
    info = path.stat()
    return (info.st_dev, info.st_ino) if info.st_dev or info.st_ino else None


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
        self._identity: tuple[int, int] | None = None

    def listing(self, only: Iterable[str] | None = None) -> Listing:
        """Face files present now, and the entries that cannot be read (each on its own: one bad entry never
        hides the others); `only` restricts to names (from file-system events)."""
        found: list[Listed] = []
        troubles: list[Trouble] = []
        try:
            self._check_identity()
            if only is not None:
                for name in only:
                    if is_face_file_name(name):
                        self._entry(self.path / name, name, found, troubles)
            else:
                with os.scandir(self.path) as scan:
                    for item in scan:
                        if is_face_file_name(item.name):
                            self._entry(Path(item.path), item.name, found, troubles)
        except FolderUnavailable:
            raise
        except OSError as exc:
            raise FolderUnavailable(f"{self.path}: {exc.strerror or type(exc).__name__}") from None
        found.sort(key=lambda listed: (listed.mtime_ns, listed.name))
        return Listing(found, troubles)

    def _check_identity(self) -> None:
        """A share that is unmounted leaves its empty mount point behind: a folder whose device or inode changed
        is not the terminal's folder any more."""
        identity = _identity(self.path)
        if self._identity is None:
            self._identity = identity
        elif identity is not None and identity != self._identity:
            raise FolderUnavailable(
                f"{self.path}: 共有フォルダが別のものに入れ替わりました（マウントが外れた可能性） / "
                "the folder is no longer the same share (unmounted?)"
            )

    @staticmethod
    def _entry(path: Path, name: str, found: list[Listed], troubles: list[Trouble]) -> None:
        if display_name(name) != name:
            troubles.append(_trouble(name, None, "bad_name"))
            return
        try:
            info = os.stat(path)
            if not stat_is_file(info):
                if not path.is_dir():
                    troubles.append(_trouble(name, None, "not_a_file"))
                return
        except FileNotFoundError:
            if path.is_symlink():  # a link to nothing
                troubles.append(_trouble(name, FileNotFoundError(2, "リンク先がありません"), "dangling_link"))
            return
        except OSError as exc:  # a link loop, a permission, an I/O error on the share
            troubles.append(_trouble(name, exc, "unreadable"))
            return
        found.append(Listed(path, name, info.st_size, info.st_mtime_ns))

    def read_stable(self, files: list[Listed]) -> list[Snapshot | Unstable | Trouble]:
        """Read every file twice, `settle_seconds` apart; identical reads make a Snapshot."""
        first = [self._read(listed) for listed in files]
        if self.settle_seconds and any(item is not None for item in first):
            time.sleep(self.settle_seconds)
        results: list[Snapshot | Unstable | Trouble] = []
        for listed, before in zip(files, first, strict=True):
            if isinstance(before, Trouble):
                results.append(before)
                continue
            after = self._read(listed)
            if isinstance(after, Trouble):
                results.append(after)
            elif before is None or after is None:
                results.append(Unstable(listed, vanished=True))
            elif before.sha256 != after.sha256 or before.size != after.size or before.mtime_ns != after.mtime_ns:
                results.append(Unstable(listed, vanished=False))
            else:
                results.append(after)
        return results

    def _read(self, listed: Listed) -> Snapshot | Trouble | None:
        """None when the file has gone; a Trouble when it is there but cannot be read."""
        try:
            sha, size, data = read_limited(listed.path, self.max_bytes)
            mtime_ns = listed.path.stat().st_mtime_ns
        except FileNotFoundError:
            return None
        except OSError as exc:
            return _trouble(listed.name, exc, "unreadable")
        return Snapshot(listed.path, listed.name, size, mtime_ns, sha, data)
