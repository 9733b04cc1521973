"""The kiosk window: a QStackedWidget of pages over the flow, the idle warning, and kiosk-mode lockdown.

Frameless full screen; closing needs the staff gesture (five taps in the top-left corner within three
seconds, then the staff PIN). A timer ticks the flow four times a second; any touch tells the flow
the patient is still there.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QStackedWidget, QVBoxLayout, QWidget

from kiosk.core.kiosk_flow import KioskFlow, Screen
from kiosk.core.pin_hash import verify_secret
from kiosk.ui.patient.catalog import text
from kiosk.ui.patient.screens import PAGES, Look, Page
from kiosk.ui.patient.style import stylesheet
from kiosk.ui.patient.widgets import PinEntry, RubyButton, RubyLabel

CORNER_PX = 80
LARGE_TEXT = 1.25
CORNER_TAPS = 5
CORNER_SECONDS = 3.0


class IdleOverlay(QFrame):
    """続けますか？ with a countdown and one big button."""

    def __init__(self, flow: KioskFlow, look: Look, parent: QWidget) -> None:
        super().__init__(parent)
        self.flow = flow
        self.setObjectName("idlePanel")
        m = look.metrics
        layout = QVBoxLayout(self)
        layout.setContentsMargins(m.px(48), m.px(48), m.px(48), m.px(48))
        self.title = RubyLabel(look.font(m.title, bold=True))
        self.countdown = RubyLabel(look.font(m.instruction))
        self.countdown.setObjectName("idleCountdown")
        self.go_on = RubyButton("btn_continue", look.font(m.instruction, bold=True), primary=True)
        self.go_on.clicked.connect(flow.touch)
        for widget in (self.title, self.countdown, self.go_on):
            layout.addWidget(widget)
        self.hide()

    def refresh(self) -> None:
        language = self.flow.visit.language
        self.title.set_markup(text("idle.title", language))
        self.countdown.set_markup(text("idle.countdown", language, n=self.flow.seconds_left()))
        self.go_on.set_markup(text("idle.continue", language))


class StaffExit(QFrame):
    """The staff PIN pad that leaves kiosk mode."""

    def __init__(self, window: KioskWindow, look: Look, pin_hash: str) -> None:
        super().__init__(window)
        self.window_ = window
        self.pin_hash = pin_hash
        self.setObjectName("idlePanel")
        m = look.metrics
        layout = QVBoxLayout(self)
        title = RubyLabel(look.font(m.body, bold=True))
        title.set_markup(text("staff.title"))
        self.entry = PinEntry(look.font(m.instruction), m.key_size, length=6)
        self.entry.entered.connect(self.check)
        self.entry.pad.set_language("ja")
        layout.addWidget(title)
        layout.addWidget(self.entry)
        self.hide()

    def check(self, pin: str) -> None:
        ok = bool(self.pin_hash) and verify_secret(pin, self.pin_hash)
        self.hide()
        if ok:
            self.window_.leave_kiosk_mode()


class KioskWindow(QWidget):
    def __init__(self, flow: KioskFlow, look: Look, *, exit_pin_hash: str = "", tick_ms: int = 250) -> None:
        super().__init__()
        self.flow = flow
        self.look = look
        self.setObjectName("kiosk")
        self.setWindowTitle("Uketsuke 受付")
        self.setStyleSheet(stylesheet(look.metrics))
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.stack = QStackedWidget(self)
        self.pages: dict[Screen, Page] = {}
        self.built_for: tuple[str, bool] = ("ja", False)
        self.built_look: tuple[str | None, bool] = (look.family, False)
        self._build_pages(look)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.staff_exit = StaffExit(self, look, exit_pin_hash)
        self.allow_close = False
        self.on_touch: Callable[[], None] | None = None  # the touch tone
        self._corner_taps: list[float] = []
        self._shown: Screen | None = None
        self.last_change_ms = 0.0
        flow.subscribe(self.refresh)
        self.timer = QTimer(self)
        self.timer.setInterval(tick_ms)
        self.timer.timeout.connect(flow.tick)
        self.timer.start()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.refresh()

    def _build_pages(self, look: Look) -> None:
        for page in self.pages.values():
            self.stack.removeWidget(page)
            page.deleteLater()
        old = getattr(self, "overlay", None)
        if old is not None:
            old.hide()
            old.deleteLater()
        self.overlay = IdleOverlay(self.flow, look, self)  # in the language's font too
        self.pages = {}
        for page_type in PAGES:
            page = page_type(self.flow, look)
            self.pages[page.kiosk_screen] = page
            self.stack.addWidget(page)
        self._shown = None

    # -- rendering -------------------------------------------------------------------------------
    def refresh(self) -> None:
        started = time.perf_counter()
        visit = self.flow.visit
        wanted = (visit.language, visit.large_text)
        if wanted != self.built_for:  # another script's font or 文字を大きく (1.25×): the pages are rebuilt
            look = self.look.for_language(visit.language)
            if (look.family, visit.large_text) != self.built_look:
                self._build_pages(look.larger(LARGE_TEXT) if visit.large_text else look)
                self.built_look = (look.family, visit.large_text)
            self.built_for = wanted
        screen = self.flow.screen
        if screen is Screen.WELCOME and self._shown is not Screen.WELCOME:
            self.wipe()
        page = self.pages[screen]
        page.refresh()
        self.stack.setCurrentWidget(page)
        self._shown = screen
        if self.flow.idle_warning:
            self.overlay.refresh()
            self._place(self.overlay)
            self.overlay.show()
            self.overlay.raise_()
        else:
            self.overlay.hide()
        self.last_change_ms = (time.perf_counter() - started) * 1000

    def wipe(self) -> None:
        """The session ended: every page forgets what it showed."""
        for page in self.pages.values():
            page.clear()

    def current_page(self) -> Page:
        widget = self.stack.currentWidget()
        assert isinstance(widget, Page)
        return widget

    def _place(self, panel: QWidget) -> None:
        width, height = int(self.width() * 0.8), int(self.height() * 0.6)
        panel.setGeometry((self.width() - width) // 2, (self.height() - height) // 2, width, height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        for panel in (self.overlay, self.staff_exit):
            self._place(panel)

    # -- touches, lockdown -----------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress):
            self.flow.touch()
            if self.on_touch is not None and event.type() != QEvent.Type.KeyPress:
                self.on_touch()
            if event.type() == QEvent.Type.MouseButtonPress and isinstance(event, QMouseEvent):
                self._corner(event)
        return False

    def _corner(self, event: QMouseEvent) -> None:
        point = self.mapFromGlobal(event.globalPosition().toPoint())
        if point.x() > CORNER_PX or point.y() > CORNER_PX:
            return
        now = time.monotonic()
        self._corner_taps = [t for t in self._corner_taps if now - t < CORNER_SECONDS] + [now]
        if len(self._corner_taps) >= CORNER_TAPS:
            self._corner_taps = []
            self.staff_exit.entry.clear()
            self._place(self.staff_exit)
            self.staff_exit.show()
            self.staff_exit.raise_()

    def leave_kiosk_mode(self) -> None:
        self.allow_close = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.allow_close:
            self.timer.stop()
            app = QApplication.instance()
            if app is not None:
                app.removeEventFilter(self)
            event.accept()
        else:
            event.ignore()

    def visible_texts(self) -> list[str]:
        """Every text any widget of the window holds (for the privacy checks)."""
        found: list[str] = []
        for widget in self.findChildren(QWidget):
            if isinstance(widget, (QLabel, RubyLabel)):
                found.append(widget.text())
            found.append(widget.accessibleName())
            found.append(widget.toolTip())
        return [t for t in found if t]
