"""Every kiosk screen rendered under Xvfb (real xcb platform, the project's Japanese fonts) and saved to
tests/artifacts/kiosk for people to look at; a screen whose Japanese text would render as tofu fails."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtGui import QFont, QImage
from PySide6.QtWidgets import QLabel, QWidget

from kiosk.core.kiosk_flow import Screen
from tests.conftest import need_stack
from tests.kiosk.ui.screenshots import missing_glyphs, run_under_xvfb

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "tests" / "artifacts" / "kiosk"


def test_every_screen_in_every_language_renders_without_tofu_under_xvfb() -> None:
    need_stack(shutil.which("xvfb-run") is not None, "Xvfb (xvfb-run)")
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    report = run_under_xvfb("tests.kiosk.ui.screenshots", ARTIFACTS)
    assert report["family"] in ("BIZ UDPGothic", "BIZ UDPゴシック", "Noto Sans CJK JP"), report["family"]
    assert report["missing"] == {}, report["missing"]
    languages = ("ja", "easy", "en", "zh", "ko", "vi")
    for language in languages:  # every screen, in every language
        assert set(report["seen"][language]) == {s.value for s in Screen}, language
    assert len(report["screens"]) == 23 * len(languages)
    for name, path in report["screens"].items():
        image = QImage(path)
        assert (image.width(), image.height()) == (1920, 1080), name
        dark = sum(1 for x in range(0, 1920, 8) for y in range(0, 1080, 8) if image.pixelColor(x, y).lightness() < 100)
        assert dark > 30, f"{name} looks empty"


def test_the_tofu_check_notices_a_character_no_font_can_draw(qtbot: object) -> None:
    holder = QWidget()
    label = QLabel("受付\U000f0041", holder)
    label.setFont(QFont("BIZ UDPGothic"))
    holder.show()
    assert missing_glyphs(holder) == ["\U000f0041"]  # a private-use character: it would show as a box
    holder.close()
