"""Kiosk widgets: text with furigana drawn by hand (Qt rich text has no <ruby>), big buttons, and our own
numeric keypad (not Qt Virtual Keyboard, which is GPL; bigger keys suit elderly patients better anyway)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtSvgWidgets import QSvgWidget
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from kiosk.core.birthdates import ERAS, parse_birthdate
from kiosk.ui.patient.catalog import plain, segments, text


class RubyLabel(QWidget):
    """Centred lines of text; {漢字|かんじ} segments get their reading drawn above at half size."""

    def __init__(self, font: QFont, parent: QWidget | None = None, *, colour: str = "#1A1A1A") -> None:
        super().__init__(parent)
        self._font = font
        self._ruby_font = QFont(font)
        self._ruby_font.setPixelSize(max(12, font.pixelSize() // 2))
        self._ruby_font.setBold(False)
        self._colour = colour
        self._markup = ""
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def set_markup(self, markup: str) -> None:
        self._markup = markup
        self.setAccessibleName(plain(markup))
        self.updateGeometry()
        self.update()

    def text(self) -> str:
        return plain(self._markup)

    def set_colour(self, colour: str) -> None:
        self._colour = colour
        self.update()

    def fonts(self) -> tuple[QFont, QFont]:
        return self._font, self._ruby_font

    def _lines(self) -> list[list[tuple[str, str | None]]]:
        return [segments(line) for line in self._markup.split("\n")] if self._markup else []

    def _line_height(self) -> int:
        """Room for readings only when the text has any (a label without furigana stays centred)."""
        ruby = QFontMetrics(self._ruby_font).height() if "|" in self._markup else 0
        return QFontMetrics(self._font).height() + ruby

    def _placed(self, line: list[tuple[str, str | None]]) -> list[Placed]:
        base, ruby = QFontMetrics(self._font), QFontMetrics(self._ruby_font)
        widths = [(base.horizontalAdvance(b), ruby.horizontalAdvance(r) if r else 0) for b, r in line]
        return ruby_layout(widths)

    def _width(self, line: list[tuple[str, str | None]]) -> int:
        placed = self._placed(line)
        return placed[-1].end if placed else 0

    def sizeHint(self) -> QSize:
        lines = self._lines()
        if not lines:
            return QSize(0, 0)  # an empty line takes no room (the body of a screen without one)
        width = max((self._width(line) for line in lines), default=0)
        return QSize(width + 8, self._line_height() * len(lines) + 4)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setPen(QColor(self._colour))
        base, ruby = QFontMetrics(self._font), QFontMetrics(self._ruby_font)
        lines = self._lines()
        total = self._line_height() * len(lines)
        y = max(0, (self.height() - total) // 2)
        for line in lines:
            placed = self._placed(line)
            x = max(0, (self.width() - (placed[-1].end if placed else 0)) // 2)
            for (segment, reading), where in zip(line, placed, strict=True):
                if reading:
                    painter.setFont(self._ruby_font)
                    painter.drawText(QRect(x + where.ruby_x, y, where.ruby_width, ruby.height()),
                                     Qt.AlignmentFlag.AlignCenter, reading)  # fmt: skip
                painter.setFont(self._font)
                top = y + (ruby.height() if "|" in self._markup else 0)
                painter.drawText(QRect(x + where.base_x, top, where.base_width, base.height()),
                                 Qt.AlignmentFlag.AlignCenter, segment)  # fmt: skip
            y += self._line_height()
        painter.end()


@dataclass(frozen=True)
class Placed:
    base_x: int
    base_width: int
    ruby_x: int
    ruby_width: int
    end: int  # where the next segment starts


def ruby_layout(widths: list[tuple[int, int]]) -> list[Placed]:
    """Where each (base, ruby) segment goes. A reading wider than its word overhangs the neighbouring plain text
    (kana, brackets) as JIS X 4051 allows, so 「（顔認証）」 stays one word; only what cannot overhang (a line edge,
    another reading next to it) spaces the word out."""
    rubied = [r > 0 for _b, r in widths]
    taken = [0] * len(widths)  # how much of a plain segment a reading already covers
    out: list[Placed] = []
    x = 0
    for i, (b, r) in enumerate(widths):
        extra = max(0, r - b)
        left_room = widths[i - 1][0] - taken[i - 1] if i > 0 and not rubied[i - 1] else 0
        right_room = widths[i + 1][0] if i + 1 < len(widths) and not rubied[i + 1] else 0
        left = min(left_room, extra // 2)
        right = min(right_room, extra - left)
        left = min(left_room, extra - right)  # give the rest to the left when the right had no room
        pad = extra - left - right
        pad_left = pad // 2
        if i + 1 < len(widths):
            taken[i + 1] = right
        base_x = x + pad_left
        ruby_x = base_x - left - pad_left if r >= b else base_x + (b - r) // 2
        out.append(Placed(base_x, b, ruby_x, r, x + b + pad))
        x += b + pad
    return out


PICTURES = Path(__file__).parent / "pictures"


class Picture(QSvgWidget):
    """A drawing from kiosk/ui/patient/pictures (SVG, drawn for the project), at a fixed size in mm."""

    def __init__(self, name: str, width: int, parent: QWidget | None = None) -> None:
        super().__init__(str(PICTURES / f"{name}.svg"), parent)
        self.setObjectName(f"picture_{name}")
        box = self.renderer().viewBox()
        self.setFixedSize(width, round(width * box.height() / max(1, box.width())))
        self.setAccessibleName(name)

    def valid(self) -> bool:
        return self.renderer().isValid()


class RubyButton(QPushButton):
    """A big button whose label may carry furigana; `label.text()` is what it says."""

    def __init__(self, name: str, font: QFont, *, primary: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setProperty("primary", primary)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.label = RubyLabel(font, self, colour="#FFFFFF" if primary else "#1A1A1A")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.addWidget(self.label)

    def set_markup(self, markup: str) -> None:
        self.label.set_markup(markup)
        self.setAccessibleName(self.label.text())
        self.updateGeometry()

    def set_primary(self, primary: bool) -> None:
        """Blue with white text, or light with dark text (both >= 7:1)."""
        self.setProperty("primary", primary)
        self.label.set_colour("#FFFFFF" if primary else "#1A1A1A")
        self.style().unpolish(self)
        self.style().polish(self)

    def set_min_height(self, pixels: int) -> None:
        """A taller button than the stylesheet's minimum (setMinimumHeight would lose to the stylesheet)."""
        self.setStyleSheet(f"min-height: {pixels}px;")

    def sizeHint(self) -> QSize:
        hint = self.label.sizeHint()
        return QSize(hint.width() + 48, max(super().sizeHint().height(), hint.height() + 24))


class DigitPad(QWidget):
    """0–9, けす and 決定 in a 3×4 grid of 20 mm keys."""

    digit = Signal(str)
    erase = Signal()
    accept = Signal()

    def __init__(self, font: QFont, key_size: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setSpacing(max(8, key_size // 8))
        self.keys: dict[str, QPushButton] = {}
        layout = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "ok"]
        for index, key in enumerate(layout):
            if key.isdigit():
                button: QPushButton = QPushButton(key)
                button.setObjectName(f"key_{key}")
                button.setFont(font)
                button.clicked.connect(lambda _=False, k=key: self.digit.emit(k))
            else:
                button = RubyButton(f"key_{key}", font, primary=key == "ok")
                button.clicked.connect(self.erase.emit if key == "clear" else self.accept.emit)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setMinimumSize(key_size, key_size)
            self.keys[key] = button
            grid.addWidget(button, index // 3, index % 3)

    def set_language(self, language: str) -> None:
        ok, clear = self.keys["ok"], self.keys["clear"]
        assert isinstance(ok, RubyButton) and isinstance(clear, RubyButton)
        ok.set_markup(text("button.ok", language))
        clear.set_markup(text("button.clear", language))


class KeypadEntry(QWidget):
    """A display line above the digit pad; subclasses say what the keys do."""

    def __init__(self, font: QFont, key_size: int, display_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.display = QLabel()
        self.display.setObjectName(display_name)
        self.display.setFont(font)
        self.display.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pad = DigitPad(font, key_size)
        self.pad.digit.connect(self.press)
        self.pad.erase.connect(self.erase)
        self.pad.accept.connect(self.finish)
        self.row = QHBoxLayout(self)  # room beside the pad for what a subclass adds (the eras)
        self.row.addStretch(1)
        self.column = QVBoxLayout()
        self.column.addWidget(self.display)
        self.column.addWidget(self.pad, alignment=Qt.AlignmentFlag.AlignHCenter)
        self.row.addLayout(self.column)
        self.row.addStretch(1)

    def press(self, digit: str) -> None:
        raise NotImplementedError

    def erase(self) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError


class BirthdateEntry(KeypadEntry):
    """Era (昭和/平成/令和/大正/西暦), then year, month and day on the keypad; the day completes the date."""

    ERAS = ("S", "H", "R", "T", "AD")

    entered = Signal(object)  # a date
    impossible = Signal()  # 決定 on a date that does not exist (昭和99年13月40日)

    def __init__(self, font: QFont, small: QFont, key_size: int, parent: QWidget | None = None) -> None:
        super().__init__(font, key_size, "birthDisplay", parent)
        self.era = "S"
        self.fields = ["", "", ""]
        self.field = 0
        self.language = "ja"
        eras = QVBoxLayout()  # the eras in a column left of the pad: the screen is wider than it is tall
        self.era_buttons: dict[str, RubyButton] = {}
        for era in self.ERAS:
            button = RubyButton(f"era_{era}", small)
            button.setCheckable(True)
            button.clicked.connect(lambda _=False, e=era: self.choose_era(e))
            self.era_buttons[era] = button
            eras.addWidget(button)
        eras.addStretch(1)
        self.row.insertLayout(1, eras)
        self.row.insertSpacing(2, key_size // 2)
        self.clear()

    def set_language(self, language: str) -> None:
        self.language = language
        for era, button in self.era_buttons.items():
            button.set_markup(text(f"era.{era}", language))
        self.pad.set_language(language)
        self._show()

    def choose_era(self, era: str) -> None:
        self.era = era
        self.fields = ["", "", ""]
        self.field = 0
        self._show()

    def press(self, digit: str) -> None:
        limit = 4 if self.era == "AD" and self.field == 0 else 2
        if len(self.fields[self.field]) < limit:
            self.fields[self.field] += digit
        if len(self.fields[self.field]) == limit and self.field < 2:
            self.field += 1
        self._show()

    def erase(self) -> None:
        if not self.fields[self.field] and self.field > 0:
            self.field -= 1
        self.fields[self.field] = self.fields[self.field][:-1]
        self._show()

    def finish(self) -> None:
        if not self.fields[self.field]:
            return
        if self.field < 2:
            self.field += 1
            self._show()
            return
        day = self.value()
        if day is None:
            self.impossible.emit()
            self.clear()
            return
        self.entered.emit(day)
        self.clear()

    def value(self) -> date | None:
        year, month, day = self.fields
        if not (year and month and day):
            return None
        if self.era == "AD":
            return parse_birthdate(f"{year}-{month}-{day}")
        return parse_birthdate(f"{self.era}{int(year)}.{int(month)}.{int(day)}")

    def clear(self) -> None:
        self.era = "S"
        self.fields = ["", "", ""]
        self.field = 0
        self._show()

    def _show(self) -> None:
        for era, button in self.era_buttons.items():
            button.setChecked(era == self.era)
            button.set_primary(era == self.era)
        units = [plain(text(f"birth.{u}", self.language)) for u in ("year", "month", "day")]
        era = plain(text(f"era.{self.era}", self.language))
        shown = []
        for index, (value, unit) in enumerate(zip(self.fields, units, strict=True)):
            cell = value or "＿＿"
            shown.append(f"[{cell}]{unit}" if index == self.field else f"{cell}{unit}")
        self.display.setText(f"{era} " + " ".join(shown))


def keypad_taps(day: date) -> list[str]:
    """The buttons a patient taps to enter `day` on BirthdateEntry, in 和暦 (昭和55年4月1日 → 5 5 4 決定 1 決定);
    tests and the kiosk benchmark tap exactly these."""
    era = "AD"
    for letter in BirthdateEntry.ERAS[:-1]:
        start, end = ERAS[letter]
        if start <= day and (end is None or day <= end):
            era = letter
    year = day.year if era == "AD" else day.year - ERAS[era][0].year + 1
    taps = [] if era == "S" else [f"era_{era}"]
    limits = (4 if era == "AD" else 2, 2, 2)
    for index, (value, limit) in enumerate(zip((year, day.month, day.day), limits, strict=True)):
        digits = str(value)
        taps += [f"key_{d}" for d in digits]
        if len(digits) < limit or index == 2:
            taps.append("key_ok")
    return taps


class PinEntry(KeypadEntry):
    """Four masked digits; the PIN is handed over on 決定 and then forgotten."""

    entered = Signal(str)

    def __init__(self, font: QFont, key_size: int, length: int = 4, parent: QWidget | None = None) -> None:
        self.length = length
        self._digits = ""
        super().__init__(font, key_size, "pinDisplay", parent)
        self.clear()

    def press(self, digit: str) -> None:
        if len(self._digits) < self.length:
            self._digits += digit
        self._show()

    def erase(self) -> None:
        self._digits = self._digits[:-1]
        self._show()

    def finish(self) -> None:
        if len(self._digits) != self.length:
            return
        pin, self._digits = self._digits, ""
        self._show()
        self.entered.emit(pin)

    def clear(self) -> None:
        self._digits = ""
        self._show()

    def _show(self) -> None:
        self.display.setText(" ".join("●" if i < len(self._digits) else "○" for i in range(self.length)))
