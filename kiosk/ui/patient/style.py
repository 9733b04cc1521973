"""Sizes and colours of the patient kiosk (research kiosk-packaging.md §1.2): body text >= 32 px, instructions
40–48 px, touch targets >= 20 mm, contrast >= 7:1. Everything scales with the configured px/mm and scale.
Fonts are set per widget, never in the stylesheet (a stylesheet font-size would override them)."""

from __future__ import annotations

from dataclasses import dataclass

INK = "#1A1A1A"
PAPER = "#FFFFFF"
PRIMARY = "#0B4F9C"  # buttons: white text on this blue
PRIMARY_TEXT = "#FFFFFF"
SECONDARY = "#E6ECF3"
ALERT = "#8A1C1C"  # the counter screen's title
NOTICE = "#FFF3CC"  # the idle warning panel

#: (foreground, background) pairs that carry text, checked >= 7:1 by the tests.
TEXT_PAIRS = ((INK, PAPER), (PRIMARY_TEXT, PRIMARY), (INK, SECONDARY), (ALERT, PAPER), (INK, NOTICE))


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(foreground: str, background: str) -> float:
    """WCAG / JIS X 8341-3 contrast ratio."""
    a, b = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


@dataclass(frozen=True)
class Metrics:
    px_per_mm: float = 3.78
    scale: float = 1.0
    text: float = 1.0  # 文字を大きく: text grows, keys and margins keep their size so every screen still fits

    def px(self, value: float) -> int:
        return round(value * self.scale)

    def tx(self, value: float) -> int:
        """A font size in px."""
        return round(value * self.scale * self.text)

    def mm(self, value: float) -> int:
        return round(value * self.px_per_mm * self.scale)

    @property
    def body(self) -> int:
        return self.tx(32)

    @property
    def instruction(self) -> int:
        return self.tx(44)

    @property
    def title(self) -> int:
        return self.tx(56)

    @property
    def small(self) -> int:
        return self.tx(26)

    @property
    def number(self) -> int:
        return self.tx(200)

    @property
    def button_height(self) -> int:
        return max(self.mm(25), self.px(96))

    @property
    def key_size(self) -> int:
        return max(self.mm(20), self.px(88))


def stylesheet(m: Metrics) -> str:
    return f"""
    QWidget#kiosk {{ background: {PAPER}; color: {INK}; }}
    QLabel {{ color: {INK}; }}
    QLabel#alertTitle {{ color: {ALERT}; }}
    QPushButton {{ background: {SECONDARY}; color: {INK}; border: 3px solid {INK}; border-radius: 14px;
                   min-height: {m.button_height}px; min-width: {m.key_size}px;
                   padding: 8px 24px; }}
    QPushButton[primary="true"] {{ background: {PRIMARY}; color: {PRIMARY_TEXT}; border-color: {PRIMARY}; }}
    QPushButton:pressed {{ border-width: 6px; }}
    QPushButton:disabled {{ color: #4A4A4A; border-style: dashed; }}
    QFrame#idlePanel {{ background: {NOTICE}; border: 4px solid {INK}; border-radius: 20px; }}
    QFrame#header {{ border-bottom: 2px solid {SECONDARY}; }}
    """
