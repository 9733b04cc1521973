"""The staff console's main screens rendered under Xvfb into tests/artifacts/staff (no tofu allowed)."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtGui import QImage

from tests.conftest import need_stack
from tests.kiosk.ui.screenshots import run_under_xvfb

ARTIFACTS = Path(__file__).resolve().parents[4] / "tests" / "artifacts" / "staff"


def test_staff_screens_render_under_xvfb() -> None:
    need_stack(shutil.which("xvfb-run") is not None, "Xvfb (xvfb-run)")
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    report = run_under_xvfb("tests.kiosk.ui.staff.screenshots", ARTIFACTS)
    assert report["missing"] == {}, report["missing"]
    assert sorted(report["screens"]) == ["01_login", "02_review", "03_search", "04_compare_marks",
                                         "05_confirm_link", "06_insurance", "07_alert_call", "08_audit", "09_admin"]
    for name, path in report["screens"].items():
        image = QImage(path)
        if name == "05_confirm_link":  # the dialog, at its own size
            assert 200 < image.width() < 1600 and 80 < image.height() < 900, name
        else:
            assert (image.width(), image.height()) == (1600, 900), name
