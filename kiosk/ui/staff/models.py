"""Qt models over the staff console service: the CR list as a table, filtered by status and a search text."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor

from kiosk.core.birthdates import wareki_short
from kiosk.core.normalize import kana_strict
from kiosk.services.staff_console import NEEDS_PERSON, ConsoleRow
from kiosk.ui.staff.catalog import TEXT, t

COLUMNS = ("col.time", "col.name", "col.birth", "col.sex", "col.status", "col.patient", "col.method",
           "col.reception", "col.reference")  # fmt: skip
SEX = {"1": "男", "2": "女"}
# Colour is never the only signal: the status text says the same.
STATUS_COLOURS = {"needs_review": "#FFF3CC", "no_match": "#FFE0E0", "error": "#FFD6D6", "rejected": "#EEEEEE"}
NOT_COVERED_COLOUR = "#B00020"  # a qualification that is not valid today: red text, and the status says so

Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 1


def sort_key(row: ConsoleRow, column: int, text: str) -> str:
    """Sort by what the column means: time and birthdate as ISO (not 和暦 text), the name by kana."""
    if column == 0:
        return row.captured_at.isoformat()
    if column == 1:
        return kana_strict(row.name_kana) if row.name_kana else (row.name or "")
    if column == 2:
        return row.birthdate.isoformat() if row.birthdate else ""
    return text


def _label(prefix: str, value: str | None) -> str:
    if not value:
        return ""
    key = f"{prefix}.{value}"
    return t(key) if key in TEXT else value


def cells(row: ConsoleRow) -> list[str]:
    name = row.name_kana or ""
    if row.name:
        name = f"{row.name}（{row.name_kana}）" if row.name_kana else row.name
    reception = t("reception.done") if row.reception_id else t("reception.waiting") if row.kiosk_waiting else ""
    status = _label("status", row.status)
    if row.file_state == "conflict":
        status += "（同名の別ファイル）"
    if row.not_covered:
        status += f"（{t('qual.short.' + (row.qualification or 'invalid'))}）"
    return [
        f"{row.captured_at:%H:%M:%S}", name, wareki_short(row.birthdate) if row.birthdate else "",
        SEX.get(row.sex or "", row.sex or ""), status, row.patient_id or "", _label("method", row.link_method),
        reception, _label("reference", row.reference_state),
    ]  # fmt: skip


class CrListModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[ConsoleRow] = []
        self._cells: list[list[str]] = []

    def replace(self, rows: list[ConsoleRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self._cells = [cells(r) for r in rows]
        self.endResetModel()

    def clear(self) -> None:
        self.replace([])

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells[index.row()][index.column()]
        if role == Qt.ItemDataRole.BackgroundRole and row.status in STATUS_COLOURS:
            return QColor(STATUS_COLOURS[row.status])
        if role == Qt.ItemDataRole.ForegroundRole and row.not_covered:
            return QColor(NOT_COVERED_COLOUR)
        if role == Qt.ItemDataRole.UserRole:
            return row.entry_id
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 1:
            return self._cells[index.row()][1]  # the full name (the column may be narrower)
        if role == SORT_ROLE:
            return sort_key(row, index.column(), self._cells[index.row()][index.column()])
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return t(COLUMNS[section])
        return None

    def entry_for(self, face_file_id: int | None, patient_id: str | None) -> int | None:
        """The row an alert is about: its face file's first entry, else the patient's latest entry today."""
        for row in self.rows:
            if face_file_id is not None and row.face_file_id == face_file_id:
                return row.entry_id
        for row in self.rows:
            if patient_id is not None and row.patient_id == patient_id:
                return row.entry_id
        return None

    def row_of(self, entry_id: int) -> int | None:
        return next((i for i, r in enumerate(self.rows) if r.entry_id == entry_id), None)


class CrListFilter(QSortFilterProxyModel):
    """`todo` keeps what needs a person (review, no match, error, a kiosk waiting); the search matches
    kana, name, 患者番号 or birthdate."""

    def __init__(self, source: CrListModel) -> None:
        super().__init__()
        self.source = source
        self.setSourceModel(source)
        self.setSortRole(SORT_ROLE)
        self.todo_only = False
        self.search = ""

    def set_filter(self, *, todo_only: bool | None = None, search: str | None = None) -> None:
        # Qt 6.10+: begin/end around the change (invalidateFilter is deprecated there); older Qt: invalidate
        modern = hasattr(self, "endFilterChange")
        if modern:
            self.beginFilterChange()
        if todo_only is not None:
            self.todo_only = todo_only
        if search is not None:
            self.search = search.strip()
        if modern:
            self.endFilterChange()
        else:  # pragma: no cover - PySide6 < 6.10
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        row = self.source.rows[source_row]
        if self.todo_only and not (row.status in NEEDS_PERSON or row.kiosk_waiting or row.not_covered):
            return False
        if self.search:
            haystack = row.searchable() + " " + " ".join(self.source._cells[source_row])
            return all(part in haystack for part in self.search.split())
        return True
