"""The Japanese UI font: BIZ UDPGothic (on Windows since 1809, Debian fonts-morisawa-bizud-gothic) or
Noto Sans CJK JP. Fonts placed in kiosk/ui/fonts/ (OFL files) are loaded first, so a site can bundle one."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase

from kiosk.logsetup import get_logger

log = get_logger("uketsuke.ui")

PREFERRED = ("BIZ UDPGothic", "BIZ UDPゴシック", "Noto Sans CJK JP", "Noto Sans JP", "Yu Gothic UI", "Meiryo UI")
BUNDLED = Path(__file__).parent / "fonts"


def japanese_family() -> str | None:
    """The first preferred family this machine has; None when no Japanese font is installed (tofu ahead)."""
    if BUNDLED.is_dir():
        for path in sorted(BUNDLED.iterdir()):
            if path.suffix.lower() in (".ttf", ".otf", ".ttc"):
                QFontDatabase.addApplicationFont(str(path))
    families = set(QFontDatabase.families())
    for family in PREFERRED:
        if family in families:
            return family
    japanese = QFontDatabase.families(QFontDatabase.WritingSystem.Japanese)
    if japanese:
        return japanese[0]
    log.error(
        "ui_no_japanese_font",
        ja="日本語フォントがありません（BIZ UDPゴシック か Noto Sans CJK JP を入れてください）",
        en="no Japanese font installed (install BIZ UDPGothic or Noto Sans CJK JP)",
    )
    return None


def ui_font(family: str | None, pixel_size: int, *, bold: bool = False) -> QFont:
    font = QFont(family) if family else QFont()
    font.setPixelSize(pixel_size)
    font.setBold(bold)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font
