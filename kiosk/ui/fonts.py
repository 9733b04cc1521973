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


# Han unification: Chinese and Korean drawn with a Japanese font take Japanese glyph shapes, and BIZ UD Gothic has
# neither Hangul nor Vietnamese (research kiosk-packaging §1.3) — each language gets a family that draws it natively.
LANGUAGE_FAMILIES: dict[str, tuple[str, ...]] = {
    "zh": ("Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei UI", "Microsoft YaHei"),
    "ko": ("Noto Sans CJK KR", "Noto Sans KR", "Malgun Gothic"),
    "vi": ("Noto Sans", "Noto Sans CJK JP", "Segoe UI", "Arial"),
}


def family_for(language: str, japanese: str | None) -> str | None:
    """The family for a UI language: its own where one is installed, else the Japanese one."""
    wanted = LANGUAGE_FAMILIES.get(language)
    if not wanted:
        return japanese
    families = set(QFontDatabase.families())
    return next((f for f in wanted if f in families), japanese)


def ui_font(family: str | None, pixel_size: int, *, bold: bool = False) -> QFont:
    font = QFont(family) if family else QFont()
    font.setPixelSize(pixel_size)
    font.setBold(bold)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font
