"""Shared helpers: fixture face files, a fresh store per test, and a stack check for CI."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.bootstrap import Store, open_store
from kiosk.settings import Settings, settings_from_mapping

FIXTURES = Path(__file__).parent / "fixtures"
FACE_FIXTURES = FIXTURES / "face"
IN_CI = os.environ.get("CI") == "true"


def face_fixture(case: str) -> Path:
    """The single face file of a fixture case folder."""
    files = [p for p in (FACE_FIXTURES / case).iterdir() if p.is_file()]
    assert len(files) == 1, f"{case} should hold exactly one file"
    return files[0]


def place(source: Path, folder: Path, *, age_seconds: float = 60.0, name: str | None = None) -> Path:
    """Copy a fixture into a face folder with an mtime in the past (a finished write)."""
    target = folder / (name or source.name)
    shutil.copyfile(source, target)
    past = time.time() - age_seconds
    os.utime(target, (past, past))
    return target


def need_stack(available: bool, what: str) -> None:
    """Skip on a developer machine without the stack; fail loudly under CI=true."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but missing")
    pytest.skip(f"{what} not available on this machine (CI=true makes this a failure)")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def face_dir(tmp_path: Path) -> Path:
    path = tmp_path / "face"
    path.mkdir()
    return path


@pytest.fixture
def settings(data_dir: Path, face_dir: Path) -> Settings:
    return settings_from_mapping(
        {
            "paths": {"data_dir": str(data_dir)},
            "face": {"folder": str(face_dir), "write_grace_seconds": 0.5, "settle_seconds": 0.01},
        }
    )


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = open_store(settings)
    yield opened
    opened.engine.dispose()
