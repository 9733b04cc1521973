"""The registry search in the review: type (Ctrl+F), Enter searches, ↑↓ choose, Enter adds the patient to the
comparison, Esc goes back to the text. The search itself is the console service's (ranked, audited)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from kiosk.core.birthdates import wareki
from kiosk.core.errors import UketsukeError
from kiosk.core.registry import PatientRecord
from kiosk.logsetup import get_logger
from kiosk.ui.staff.catalog import t
from kiosk.ui.staff.models import SEX

log = get_logger("uketsuke.staff")


def result_line(record: PatientRecord) -> str:
    name = record.names[0] if record.names else None
    who = f"{name.name or ''}（{name.name_kana or ''}）" if name else ""
    born = wareki(record.birthdate) if record.birthdate else "—"
    return f"{record.patient_id}  {who}  {born} {SEX.get(record.sex or '', '')}"


class RegistrySearch(QWidget):
    chosen = Signal(object)  # PatientRecord

    def __init__(self) -> None:
        super().__init__()
        self.search: Callable[[str], list[PatientRecord]] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.text = QLineEdit()
        self.text.setObjectName("registrySearch")
        self.text.setPlaceholderText(t("registry_search"))
        self.text.setClearButtonEnabled(True)
        self.text.returnPressed.connect(self.run)
        self.text.installEventFilter(self)
        layout.addWidget(self.text)
        self.note = QLabel()
        self.note.setObjectName("searchNote")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.results = QListWidget()
        self.results.setObjectName("searchResults")
        self.results.setMaximumHeight(150)
        self.results.itemActivated.connect(self._activated)
        self.results.installEventFilter(self)
        layout.addWidget(self.results)
        self.records: list[PatientRecord] = []
        self.clear()

    def clear(self) -> None:
        self.text.clear()
        self.note.setText("")
        self.results.clear()
        self.records = []
        self.results.setVisible(False)

    def start(self) -> None:
        """Ctrl+F: to the search text, selected so typing replaces it."""
        self.text.setFocus()
        self.text.selectAll()

    def run(self) -> None:
        if self.search is None:
            return
        try:
            found = self.search(self.text.text())
        except UketsukeError as exc:
            self.note.setText(f"{exc.ja} / {exc.en}")
            self.results.setVisible(False)
            return
        except Exception as exc:  # the registry or the store is away: say so, keep the console usable
            log.error("registry_search_failed", error=type(exc).__name__)
            self.note.setText(t("search.failed"))
            return
        self.records = found
        self.results.clear()
        for record in found:
            QListWidgetItem(result_line(record), self.results)
        self.results.setVisible(bool(found))
        self.note.setText(t("search.found", n=len(found)) if found else t("search.none"))
        if found:
            self.results.setCurrentRow(0)
            self.results.setFocus()

    def _activated(self, item: QListWidgetItem) -> None:
        self._choose(self.results.row(item))

    def _choose(self, index: int) -> None:
        if 0 <= index < len(self.records):
            self.chosen.emit(self.records[index])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched is self.text and key == Qt.Key.Key_Down and self.records:
                self.results.setFocus()
                return True
            if watched is self.results and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._choose(self.results.currentRow())
                return True
            if watched is self.results and key == Qt.Key.Key_Escape:
                self.start()
                return True
        return False
