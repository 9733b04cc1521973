"""The audit CSV never hands a spreadsheet a live formula (issue 19): a clerk's reason such as
=HYPERLINK(...) is exported as text."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kiosk.bootstrap import Store
from kiosk.core.clock import SteppingClock
from kiosk.services.audit import AuditEvent, AuditTrail, append, spreadsheet_safe


@pytest.mark.parametrize("reason", ['=HYPERLINK("http://example.invalid","x")', "+1+1", "-2+3", "@SUM(A1)",
                                    "\t=1", "\r=1"])  # fmt: skip
def test_formula_cells_are_exported_as_text(store: Store, tmp_path: Path, reason: str) -> None:
    clock = SteppingClock()
    with store.sessions.begin() as session:
        append(session, AuditEvent("clerk-1", "link", 1, "2001", reason=reason), clock.now())
    out = tmp_path / "audit.csv"
    assert AuditTrail(store.sessions).export_csv(out) == 1
    with out.open(encoding="utf-8-sig", newline="") as handle:
        header, row = list(csv.reader(handle))
    cell = row[header.index("reason")]
    assert cell == "'" + reason  # shown as typed, never evaluated
    assert row[header.index("id")] == "1" and row[header.index("actor")] == "clerk-1"


def test_plain_cells_are_untouched() -> None:
    assert spreadsheet_safe("保険証を確認しました") == "保険証を確認しました"
    assert spreadsheet_safe(-5) == -5 and spreadsheet_safe(None) is None
