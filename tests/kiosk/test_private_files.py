"""On Linux the store, its WAL, the logs, the audit keys and the anchor are the service account's alone
(issue 19): they were 0644 files in 0755 folders. An install from before is tightened when the program starts."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.conftest import FACE_FIXTURES, place
from tests.kiosk.cli.conftest import config, run_cli

__all__ = ["config"]  # the CLI tests' per-test config file

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes; Windows uses the MSI's ACLs")


def open_to_others(path: Path) -> bool:
    return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))


def test_a_fresh_install_keeps_everything_private(config: Path, data_dir: Path, face_dir: Path) -> None:
    for file in (FACE_FIXTURES / "shaho_reference_number").iterdir():
        place(file, face_dir)
    os.chmod(data_dir, 0o755)  # as a default umask would have made it
    done = run_cli("--config", str(config), "ingest", "--once", "--face-dir", str(face_dir))
    assert done.returncode == 0, done.stderr
    assert run_cli("--config", str(config), "cr-list", "--json").returncode == 0
    checked = [data_dir, data_dir / "uketsuke.db", data_dir / "logs", data_dir / "keys"]
    checked += list((data_dir / "logs").iterdir()) + list((data_dir / "keys").iterdir())
    checked += [p for p in data_dir.iterdir() if p.name.startswith("uketsuke.db-")]
    assert len(checked) >= 6
    assert [p.name for p in checked if open_to_others(p)] == []


def test_an_older_install_is_tightened_at_start(config: Path, data_dir: Path) -> None:
    assert run_cli("--config", str(config), "db", "upgrade").returncode == 0
    for path in (data_dir, data_dir / "uketsuke.db", *(data_dir / "logs").iterdir()):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    assert run_cli("--config", str(config), "db", "upgrade").returncode == 0
    assert not open_to_others(data_dir) and not open_to_others(data_dir / "uketsuke.db")
    assert [p.name for p in (data_dir / "logs").iterdir() if open_to_others(p)] == []
