"""The numbers the elderly-first design promises (research kiosk-packaging.md §1.2), and the catalogue."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from kiosk.core.kiosk_flow import Reason
from kiosk.core.pin_hash import hash_secret, verify_secret
from kiosk.ui.patient.catalog import LANGUAGES, REASONS, TEXT, plain, segments, text
from kiosk.ui.patient.style import TEXT_PAIRS, Metrics, contrast
from tests.kiosk.ui.conftest import Clinic


def test_text_colours_reach_seven_to_one() -> None:
    for foreground, background in TEXT_PAIRS:
        assert contrast(foreground, background) >= 7.0, (foreground, background)
    assert contrast("#777777", "#FFFFFF") < 7.0  # the check can fail


@pytest.mark.parametrize("px_per_mm", [3.78, 4.03, 5.5])
def test_sizes(px_per_mm: float) -> None:
    m = Metrics(px_per_mm)
    assert m.body >= 32 and 40 <= m.instruction <= 48
    assert m.button_height >= 20 * px_per_mm and m.key_size >= 20 * px_per_mm


def test_every_text_has_japanese_and_english_and_balanced_ruby() -> None:
    assert set(LANGUAGES) == {"ja", "en"}
    for key, entry in (TEXT | REASONS).items():
        assert entry.get("ja") and "en" in entry, key
        assert "{" not in plain(entry["ja"]).replace("{n}", ""), key
    for reason in Reason:
        if reason.value.startswith("E-"):
            assert reason.value in REASONS, reason


def test_ruby_markup() -> None:
    assert segments("{受付|うけつけ}します") == [("受付", "うけつけ"), ("します", None)]
    assert plain(text("pin.tries", "ja", n=2)) == "のこり 2 回"
    assert text("pin.tries", "vi", n=2) == "2 tries left"  # a language without texts falls back to English
    assert text("confirm_person.sama", "en") == ""  # no 様 in English


def test_pin_hash() -> None:
    stored = hash_secret("246810")
    assert verify_secret("246810", stored)
    assert not verify_secret("246811", stored)
    assert not verify_secret("246810", "garbage") and not verify_secret("246810", "")


def test_kiosk_mode_needs_the_staff_gesture_and_pin(clinic: Clinic) -> None:
    kiosk = clinic.kiosk(exit_pin_hash=hash_secret("135790"))
    window = kiosk.window
    window.allow_close = False
    window.close()
    assert window.isVisible()  # closing is refused in kiosk mode
    for _ in range(5):
        clinic.qtbot.mouseClick(window, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    assert window.staff_exit.isVisible()
    for digit in "999999":
        clinic.tap(kiosk, f"key_{digit}")
    clinic.tap(kiosk, "key_ok")
    assert window.isVisible() and not window.staff_exit.isVisible()
    for _ in range(5):
        clinic.qtbot.mouseClick(window, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    for digit in "135790":
        clinic.tap(kiosk, f"key_{digit}")
    clinic.tap(kiosk, "key_ok")
    assert not window.isVisible()
