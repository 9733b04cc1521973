"""The Qt binding itself: PySide6 6.12.0 loses a reference to None on every void call under Python 3.11,
so a kiosk aborts ("deallocating None") after a few thousand repaints. pyproject.toml keeps it out; this
test fails if such a build comes back."""

from __future__ import annotations

import sys

from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QWidget


def test_void_qt_calls_keep_none_alive(qtbot: object) -> None:
    widget = QWidget()
    image = QImage(20, 20, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    colour = QColor("#1A1A1A")
    before = sys.getrefcount(None)
    for _ in range(500):
        widget.setObjectName("probe")
        painter.setPen(colour)
    lost = before - sys.getrefcount(None)
    painter.end()
    assert lost < 50, f"{lost} references to None lost in 1000 void calls"
