"""The 保険・公費 panel: what the clerk transcribes into the レセコン, grouped as on the cards, each value with its
own copy button; the qualification state first, in red when it is not valid today."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QLabel,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.staff.catalog import t
from kiosk.ui.staff.insurance_rows import InsuranceRow

ALARM_STYLE = "color:#B00020; font-weight:bold;"


class InsurancePanel(QScrollArea):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("insurancePanel")
        self.setWidgetResizable(True)
        self.rows: list[InsuranceRow] = []
        self.values: dict[str, QLabel] = {}
        self.copied: str | None = None
        self.show_rows([])

    def show_rows(self, rows: list[InsuranceRow]) -> None:
        self.rows = rows
        self.values = {}
        body = QWidget()
        column = QVBoxLayout(body)
        groups: dict[str, QGridLayout] = {}
        for row in rows:
            grid = groups.get(row.section)
            if grid is None:
                box = QGroupBox(row.section)
                grid = groups[row.section] = QGridLayout(box)
                grid.setColumnStretch(1, 1)
                column.addWidget(box)
            line = grid.rowCount()
            label = QLabel(row.label)
            value = QLabel(row.value or "—")
            value.setObjectName(f"ins_{row.key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            if row.alarm:
                value.setStyleSheet(ALARM_STYLE)
                label.setStyleSheet(ALARM_STYLE)
            grid.addWidget(label, line, 0)
            grid.addWidget(value, line, 1)
            self.values[row.key] = value
            if row.value and row.key != "qualification":  # the state is read, not transcribed
                copy = QToolButton()
                copy.setText(t("copy"))
                copy.setObjectName(f"copy_{row.key}")
                copy.setToolTip(t("copy.tip", what=row.label))
                copy.clicked.connect(lambda _=False, r=row: self.copy(r))
                grid.addWidget(copy, line, 2)
        if not rows:
            column.addWidget(QLabel(t("detail.none")))
        column.addStretch(1)
        self.setWidget(body)

    def copy(self, row: InsuranceRow) -> None:
        """The value alone (as shown) onto the clipboard, ready to paste into the レセコン."""
        QGuiApplication.clipboard().setText(row.copy_text)
        self.copied = row.key
