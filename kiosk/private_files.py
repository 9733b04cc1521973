"""Files with patient data are the service account's alone: on Linux 0700 folders and 0600 files — the store (SQLite
gives its WAL and shared-memory files the database's mode), the logs, the audit keys and anchor — and existing
installs are tightened at start. On Windows the MSI's ACLs do this job."""

from __future__ import annotations

import os
import stat
from pathlib import Path


def tighten(path: Path, *, folder: bool) -> None:
    """Take group and other access away from an existing file or folder we own (a no-op elsewhere)."""
    if os.name != "posix":
        return
    try:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            path.chmod(0o700 if folder else 0o600)
    except OSError:
        pass  # not ours or gone: the check in doctor reports it


def tighten_sqlite(database: Path) -> None:
    """The database and its WAL and shared-memory files."""
    tighten(database.parent, folder=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        candidate = database.with_name(database.name + suffix)
        if candidate.exists():
            tighten(candidate, folder=False)
