"""The comparison of the face result with one candidate: every row visible at once (the table is as tall as its
rows, never scrolling inside), the characters that differ marked (colour *and* underline, never colour alone),
the matcher's reasons as a short list, and hints for the situations that explain a difference."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableWidget, QTableWidgetItem

from kiosk.core.birthdates import wareki
from kiosk.core.candidate_summary import Band, Reason, char_marks
from kiosk.core.compare import VERDICT_LABEL, FieldComparison, Verdict
from kiosk.services.staff_console import CandidateView
from kiosk.ui.staff.catalog import t
from kiosk.ui.staff.models import SEX

VERDICT_COLOURS = {Verdict.DIFFERENT: "#FFD6D6", Verdict.VARIANT: "#FFF3CC", Verdict.NORMALISED: "#EEF4FF"}
MARK_STYLE = {
    Verdict.DIFFERENT: "background:#FF8A8A; color:#000; font-weight:bold; text-decoration:underline;",
    Verdict.VARIANT: "background:#FFD966; color:#000; text-decoration:underline;",
}
BAND_COLOURS = {Band.CERTAIN: "#1B5E20", Band.LIKELY: "#8A5A00", Band.POSSIBLE: "#555555"}


def marked_html(text: str, other: str, verdict: Verdict, *, face_side: bool) -> str:
    """The text with the runs the other side does not share marked (only for differences and variants)."""
    style = MARK_STYLE.get(verdict)
    if style is None or not text:
        return html.escape(text)
    left, right = char_marks(text, other) if face_side else char_marks(other, text)
    segments = left if face_side else right
    return "".join(f'<span style="{style}">{html.escape(s.text)}</span>' if s.differs else html.escape(s.text)
                   for s in segments)  # fmt: skip


def candidate_line(number: int, candidate: CandidateView, band: Band | None, reason: str | None) -> str:
    """Two lines a clerk can tell apart: who (番号, name, kana), then birthdate, sex, band and the main reason."""
    record = candidate.record
    name = record.names[0] if record and record.names else None
    who = f"{name.name or ''}（{name.name_kana or ''}）" if name else t("candidate.unknown")
    born = wareki(record.birthdate) if record and record.birthdate else "—"
    sex = SEX.get(record.sex or "", "") if record else ""
    if candidate.score is None:
        kind = candidate.reasons[0] if candidate.reasons else ""
    else:
        kind = f"【{band.value}】" if band else ""
    tail = f" · {reason}" if reason else ""
    return f"{number}. {candidate.patient_id}  {who}\n     {born} {sex}  {kind}{tail}"


def reasons_text(reasons: list[Reason], hints: list[str]) -> str:
    lines = [f"⚠ {hint}" for hint in hints]
    lines += [f"{r.mark} {r.text}" for r in reasons[:6]]
    return "\n".join(lines)


class ComparisonTable(QTableWidget):
    """Label | face result | candidate | verdict; cells with marks are rich-text labels."""

    def __init__(self) -> None:
        super().__init__(0, 4)
        self.setObjectName("comparison")
        self.setHorizontalHeaderLabels(["", t("detail.face"), t("detail.candidate"), t("detail.verdict")])
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWordWrap(True)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.fields: list[FieldComparison] = []

    def show_fields(self, fields: list[FieldComparison]) -> None:
        self.fields = fields
        for row in range(self.rowCount()):  # the old rows' labels: emptied now (Qt deletes them later), so a
            for column in (1, 2):            # locked screen never keeps a patient's name in a widget
                cell = self.cellWidget(row, column)
                if isinstance(cell, QLabel):
                    cell.clear()
                self.removeCellWidget(row, column)
        self.clearContents()
        self.setRowCount(len(fields))
        for row, field in enumerate(fields):
            background = QColor(VERDICT_COLOURS[field.verdict]) if field.verdict in VERDICT_COLOURS else None
            label = QTableWidgetItem(field.label)
            verdict = QTableWidgetItem(VERDICT_LABEL[field.verdict] + (f" — {field.warning}" if field.warning else ""))
            for item in (label, verdict):
                if background is not None:
                    item.setBackground(background)
                if field.warning:
                    item.setForeground(QColor("#8A1C1C"))
            self.setItem(row, 0, label)
            self.setItem(row, 3, verdict)
            for column, (text, other, face_side) in ((1, (field.face, field.record, True)),
                                                     (2, (field.record, field.face, False))):  # fmt: skip
                item = QTableWidgetItem(text)  # the plain text stays for copying and tests
                if background is not None:
                    item.setBackground(background)
                self.setItem(row, column, item)
                cell = QLabel(marked_html(text, other, field.verdict, face_side=face_side))
                cell.setObjectName(f"mark_{row}_{column}")
                cell.setTextFormat(Qt.TextFormat.RichText)
                cell.setWordWrap(True)
                cell.setContentsMargins(4, 0, 4, 0)
                cell.setStyleSheet(f"background:{VERDICT_COLOURS[field.verdict]};" if background is not None else "")
                item.setForeground(QColor(0, 0, 0, 0))  # the label draws the text
                self.setCellWidget(row, column, cell)
        self.resizeRowsToContents()
        self.fit()

    def fit(self) -> None:
        """As tall as the rows: the whole comparison is on screen without scrolling inside the table."""
        height = self.horizontalHeader().height() + 2 * self.frameWidth()
        height += sum(self.rowHeight(row) for row in range(self.rowCount()))
        self.setFixedHeight(max(height, 60))
