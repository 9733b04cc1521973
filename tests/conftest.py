"""Shared helpers: fixture face files, a fresh store per test, and a stack check for CI."""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.bootstrap import Store, open_store
from kiosk.settings import Settings, settings_from_mapping
from tests.packaging import early_build
from tests.postgres import Cluster
from tests.postgres import available as postgres_available
from tests.simulators.pcsc_stack import Stack, running_stack, stack_available

# Qt tests run offscreen unless a test starts its own Xvfb (the screenshot tests do)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

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


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    need_stack(postgres_available(), "PostgreSQL (Debian postgresql)")
    cluster = Cluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture
def own_cluster() -> Iterator[Cluster]:
    """A PostgreSQL cluster of the test's own, for tests that stop and start the server."""
    need_stack(postgres_available(), "PostgreSQL (Debian postgresql)")
    cluster = Cluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture(params=[pytest.param("sqlite", marks=pytest.mark.sqlite),
                        pytest.param("postgresql", marks=pytest.mark.postgresql)])  # fmt: skip
def store_url(request: pytest.FixtureRequest, data_dir: Path) -> str:
    """Every store and service test runs on SQLite and on a real PostgreSQL (`-m "not postgresql"` skips one)."""
    if request.param == "sqlite":
        return f"sqlite:///{data_dir / 'uketsuke.db'}"
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    return cluster.create_database(f"t{uuid.uuid4().hex[:12]}")


@pytest.fixture
def settings(data_dir: Path, face_dir: Path, store_url: str) -> Settings:
    return settings_from_mapping(
        {
            "store": {"url": store_url},
            "paths": {"data_dir": str(data_dir)},
            "face": {"folder": str(face_dir), "write_grace_seconds": 0.5, "settle_seconds": 0.01},
        }
    )


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = open_store(settings)
    yield opened
    opened.engine.dispose()


@pytest.fixture(scope="session")
def pcsc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A real PC/SC stack (pcscd + vpcd + virtual cards in a private namespace), one per test session:
    libpcsclite reads the socket path once per process, so a second stack could not be reached."""
    need_stack(stack_available(), "pcscd + vsmartcard-vpcd + unshare/ip")
    try:
        with running_stack(tmp_path_factory.mktemp("pcsc")) as stack:
            yield stack
    except RuntimeError as exc:
        pytest.fail(str(exc))


def pytest_collection_finish(session: pytest.Session) -> None:
    early_build.start_if_selected([item.nodeid for item in session.items])


def pytest_sessionfinish(session: pytest.Session) -> None:
    early_build.stop()
