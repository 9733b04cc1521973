"""IC 診察券 → 患者番号: issued by staff, looked up by the card's id, revocable, never reassigned silently."""

from __future__ import annotations

import pytest

from kiosk.bootstrap import Store
from kiosk.core.registry import RegistryError
from kiosk.services.registry_import import import_csv
from tests.conftest import FIXTURES


def test_issue_look_up_and_revoke(store: Store) -> None:
    import_csv(store.sessions, FIXTURES / "registry" / "edge_cases.csv")
    registry = store.registry
    registry.issue_card("012e4cd3a1b2c3d4", "1001", staff="clerk1")
    assert registry.patient_for_card("012E4CD3A1B2C3D4") == "1001"
    with pytest.raises(RegistryError) as caught:
        registry.issue_card("012E4CD3A1B2C3D4", "1002")
    assert caught.value.code == "card_in_use"
    registry.revoke_card("012E4CD3A1B2C3D4")
    assert registry.patient_for_card("012E4CD3A1B2C3D4") is None
    registry.issue_card("012E4CD3A1B2C3D4", "1002")
    assert registry.patient_for_card("012E4CD3A1B2C3D4") == "1002"
    with pytest.raises(RegistryError):
        registry.issue_card("FFFF", "no-such-patient")
    assert registry.patient_for_card("UNKNOWN") is None
