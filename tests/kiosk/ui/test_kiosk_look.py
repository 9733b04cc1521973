"""The numbers the elderly-first design promises (research kiosk-packaging.md §1.2), and the catalogue."""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import QPoint, Qt

from kiosk.core.kiosk_flow import Reason
from kiosk.core.pin_hash import hash_secret, verify_secret
from kiosk.ui.patient.catalog import LANGUAGES, REASONS, TEXT, plain, segments, text
from kiosk.ui.patient.style import TEXT_PAIRS, Metrics, contrast
from kiosk.ui.patient.widgets import ruby_layout
from tests.kiosk.ui.conftest import Clinic


@pytest.fixture
def desk_mode() -> str:
    """How the kiosk looks does not depend on where its desk is."""
    return "local"


def test_text_colours_reach_seven_to_one() -> None:
    for foreground, background in TEXT_PAIRS:
        assert contrast(foreground, background) >= 7.0, (foreground, background)
    assert contrast("#777777", "#FFFFFF") < 7.0  # the check can fail


@pytest.mark.parametrize("px_per_mm", [3.78, 4.03, 5.5])
def test_sizes(px_per_mm: float) -> None:
    m = Metrics(px_per_mm)
    assert m.body >= 32 and 40 <= m.instruction <= 48
    assert m.button_height >= 20 * px_per_mm and m.key_size >= 20 * px_per_mm


def test_every_text_is_in_every_language_with_balanced_ruby() -> None:
    assert set(LANGUAGES) == {"ja", "easy", "en", "zh", "ko", "vi"}
    for key, entry in (TEXT | REASONS).items():
        if key == "staff.title":  # the staff PIN pad speaks Japanese only
            continue
        assert set(entry) == set(LANGUAGES), key
        for language in ("ja", "easy"):
            assert "{" not in plain(entry[language]).replace("{n}", ""), (key, language)
        # the same placeholders in every language
        assert {value.count("{n}") for value in entry.values()} == {entry["ja"].count("{n}")}, key
    for reason in Reason:
        if reason.value.startswith("E-"):
            assert reason.value in REASONS, reason


def test_ruby_markup() -> None:
    assert segments("{受付|うけつけ}します") == [("受付", "うけつけ"), ("します", None)]
    assert plain(text("pin.tries", "ja", n=2)) == "のこり 2 回"
    assert text("pin.tries", "vi", n=2) == "Còn 2 lần"
    assert text("pin.tries", "fr", n=2) == "2 tries left"  # a language without texts falls back to English
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


def test_a_wide_reading_overhangs_its_neighbours_instead_of_breaking_the_word() -> None:
    # 「（{顔認証|かおにんしょう}）」 at 40 px: brackets 40, 顔認証 120, its reading 7 × 20 = 140
    placed = ruby_layout([(40, 0), (120, 140), (40, 0)])
    assert [p.base_x for p in placed] == [0, 40, 160]  # no gap: 「（顔認証）」 reads as one word
    assert placed[1].ruby_x == 30 and placed[1].ruby_width == 140  # centred, 10 px over each bracket
    # at a line's start the reading can only go right; two readings side by side must make room
    assert [p.base_x for p in ruby_layout([(120, 140), (40, 0)])] == [0, 120]
    side_by_side = ruby_layout([(40, 60), (40, 60)])
    assert side_by_side[1].base_x >= side_by_side[0].ruby_x + 60 - 20  # the readings never overlap


def test_no_catalogue_line_is_spaced_out_by_its_furigana() -> None:
    """At the nominal metric (a kanji 1 em, a ruby kana ½ em) every reading in the catalogue fits by overhang."""
    for key, entry in (TEXT | REASONS).items():
        for language in ("ja", "easy"):
            for line in entry.get(language, "").split("\n"):
                parts = segments(line)
                widths = [(len(b) * 20, len(r or "") * 10) for b, r in parts]
                placed = ruby_layout(widths)
                gaps = [p.base_x - (q.base_x + q.base_width) for q, p in itertools.pairwise(placed)]
                assert not any(gaps), (key, language, line, gaps)  # a lone word may be padded at its edges only
