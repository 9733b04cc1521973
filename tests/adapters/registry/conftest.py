"""The ORCA double on loopback and the ORCA back-end on it (the mirror in the test's store)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.registry.orca.client import OrcaClient, OrcaSettings
from adapters.registry.orca.registry import OrcaRegistry
from adapters.registry.sql_registry import SqlRegistry
from kiosk.bootstrap import Store
from tests.conftest import FIXTURES
from tests.simulators.orca_double import OrcaDouble


@pytest.fixture
def double() -> Iterator[OrcaDouble]:
    simulated = OrcaDouble.from_files(FIXTURES / "orca" / "masters.json", FIXTURES / "registry" / "edge_cases.csv")
    simulated.url = simulated.start()  # type: ignore[attr-defined]
    yield simulated
    simulated.stop()


def client(double: OrcaDouble, user: str = "ormaster", password: str = "ormaster", **kw: object) -> OrcaClient:
    return OrcaClient(OrcaSettings(double.url, user, password, lock_backoff=0.01, **kw))  # type: ignore[attr-defined,arg-type]


@pytest.fixture
def orca(double: OrcaDouble, store: Store) -> OrcaRegistry:
    registry = OrcaRegistry(client(double), SqlRegistry(store.sessions), physician_code="10001")
    registry.sync_mirror()
    return registry
