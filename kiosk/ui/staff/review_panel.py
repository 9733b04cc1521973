"""The review panel: one entry beside its candidates, compared field by field, and the actions on it.

Linking always needs a candidate chosen by the clerk; when birthdate or sex differ, the first press only
warns and a second press links. Every action goes through ReviewService, which audits it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.compare import VERDICT_LABEL, Verdict
from kiosk.core.errors import UketsukeError
from kiosk.core.qualification import Qualification, validity_words
from kiosk.logsetup import get_logger
from kiosk.services.accounts import Actor
from kiosk.services.review import ReviewService
from kiosk.services.staff_console import EntryDetail, StaffConsole
from kiosk.ui.staff.catalog import DETAIL_LABELS, detail_value, t
from kiosk.ui.staff.models import SEX

log = get_logger("uketsuke.staff")

VERDICT_COLOURS = {Verdict.DIFFERENT: "#FFD6D6", Verdict.VARIANT: "#FFF3CC", Verdict.NORMALISED: "#EEF4FF"}
RISKY_FIELDS = ("生年月日", "性別")


# shown in the header and the comparison already
IDENTITY_TAGS = frozenset({
    "Name", "NameKana", "Birthdate", "Sex1", "Sex2", "InsurerNumber", "InsuredCardSymbol",
    "InsuredIdentificationNumber", "InsuredBranchNumber", "Address", "PostNumber", "ReferenceNumber", "NameOfOther",
    "NameOfOtherKana", "MessageBody",
})  # fmt: skip


def qualification_line(qualification: str | None, code: str | None, details: dict[str, Any]) -> str:
    """The qualification in words, with the code's meaning (research §2.2)."""
    if qualification == Qualification.VALID.value:
        return t("qual.valid")
    if qualification == Qualification.LAPSED.value:
        return t("qual.lapsed", date=details.get("DisqualificationDate") or "")
    if qualification is None:
        return t("qual.none")
    return t("qual.invalid", meaning=validity_words(code), code=code or "-")


def flatten(details: dict[str, Any], parent: QTreeWidgetItem | QTreeWidget) -> None:
    for key, value in details.items():
        if key in IDENTITY_TAGS or value in (None, "", [], {}):
            continue
        label = DETAIL_LABELS.get(key, key)
        if isinstance(value, dict):
            item = QTreeWidgetItem([label, ""])
            flatten(value, item)
        elif isinstance(value, list):
            item = QTreeWidgetItem([label, ""])
            for index, element in enumerate(value, 1):
                child = QTreeWidgetItem([str(index), "" if isinstance(element, dict) else str(element)])
                if isinstance(element, dict):
                    flatten(element, child)
                item.addChild(child)
        else:
            item = QTreeWidgetItem([label, detail_value(key, str(value))])
        if isinstance(parent, QTreeWidget):
            parent.addTopLevelItem(item)
        else:
            parent.addChild(item)


class ReviewPanel(QWidget):
    acted = Signal(str)  # a message after an action; the window refreshes

    def __init__(self, console: StaffConsole, review: ReviewService) -> None:
        super().__init__()
        self.console = console
        self.review = review
        self.actor: Actor | None = None
        self.detail: EntryDetail | None = None
        self._armed: str | None = None
        layout = QVBoxLayout(self)
        self.header = QLabel(t("detail.none"))
        self.header.setObjectName("header")
        self.header.setWordWrap(True)
        bold = QFont(self.header.font())
        bold.setPointSizeF(bold.pointSizeF() * 1.3)
        bold.setBold(True)
        self.header.setFont(bold)
        layout.addWidget(self.header)
        self.qualification = QLabel()
        self.qualification.setObjectName("qualification")
        self.qualification.setWordWrap(True)
        layout.addWidget(self.qualification)
        self.why = QLabel()
        self.why.setObjectName("why")
        self.why.setWordWrap(True)
        layout.addWidget(self.why)
        row = QHBoxLayout()
        self.candidates = QListWidget()
        self.candidates.setObjectName("candidates")
        self.candidates.setMaximumWidth(260)
        self.candidates.currentRowChanged.connect(self._show_candidate)
        row.addWidget(self.candidates)
        self.comparison = QTableWidget(0, 4)
        self.comparison.setObjectName("comparison")
        self.comparison.setHorizontalHeaderLabels(["", t("detail.face"), t("detail.candidate"), t("detail.verdict")])
        self.comparison.verticalHeader().setVisible(False)
        self.comparison.horizontalHeader().setStretchLastSection(True)
        self.comparison.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        row.addWidget(self.comparison, 1)
        layout.addLayout(row, 2)
        self.reasons = QLabel()
        self.reasons.setObjectName("reasons")
        self.reasons.setWordWrap(True)
        layout.addWidget(self.reasons)
        grid = QGridLayout()
        self.by_id = QLineEdit()
        self.by_id.setObjectName("byId")
        self.by_id.setPlaceholderText(t("detail.by_id"))
        add = QPushButton(t("action.add"))
        add.setObjectName("addCandidate")
        add.clicked.connect(self.add_candidate)
        self.by_id.returnPressed.connect(self.add_candidate)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText(t("detail.reason"))
        grid.addWidget(self.by_id, 0, 0)
        grid.addWidget(add, 0, 1)
        grid.addWidget(self.reason, 1, 0, 1, 2)
        layout.addLayout(grid)
        actions = QGridLayout()
        self.buttons: dict[str, QPushButton] = {}
        specs: list[tuple[str, Callable[[], None]]] = [
            ("link", self.link), ("link_register", lambda: self.link(register=True)),
            ("new_patient", self.new_patient), ("reject", self.reject), ("unlink", self.unlink), ("undo", self.undo),
            ("duplicate", self.duplicate), ("accept_conflict", lambda: self.conflict(True)),
            ("reject_conflict", lambda: self.conflict(False)),
        ]  # fmt: skip
        for index, (name, handler) in enumerate(specs):
            button = QPushButton(t(f"action.{name}"))
            button.setObjectName(f"action_{name}")
            button.clicked.connect(handler)
            self.buttons[name] = button
            actions.addWidget(button, index // 3, index % 3)
        layout.addLayout(actions)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.details = QTreeWidget()
        self.details.setObjectName("insurance")
        self.details.setHeaderLabels([t("detail.insurance"), ""])
        layout.addWidget(self.details, 1)
        self.raw = QPlainTextEdit()
        self.raw.setObjectName("raw")
        self.raw.setReadOnly(True)
        self.raw.setPlaceholderText(t("detail.raw"))
        layout.addWidget(self.raw, 1)
        self.show_entry(None)

    # -- showing ---------------------------------------------------------------------------------
    def show_entry(self, entry_id: int | None) -> None:
        self._armed = None
        actor = self.actor
        try:
            self.detail = self.console.detail(entry_id, by=actor) if entry_id is not None and actor else None
        except UketsukeError as exc:  # an account deactivated while signed in sees nothing more
            self.detail = None
            self.message.setText(f"{exc.ja} / {exc.en}")
        self.candidates.clear()
        self.comparison.setRowCount(0)
        self.details.clear()
        self.raw.setPlainText("")
        self.reasons.setText("")
        detail = self.detail
        for button in self.buttons.values():
            button.setEnabled(detail is not None)
        if detail is None:
            self.qualification.setText("")
            self.header.setText(t("detail.none"))
            self.why.setText("")
            self.raw.setVisible(False)
            return
        row = detail.row
        identity = detail.identity
        born = row.birthdate.isoformat() if row.birthdate else identity.birthdate or ""
        note = f"\n{row.reason}" if row.reason and not detail.why_not_auto else ""
        self.header.setText(f"{identity.name or ''}（{identity.name_kana or ''}） {born} "
                            f"{SEX.get(identity.sex or '', '')} — {t(f'status.{row.status}')}{note}")  # fmt: skip
        self.qualification.setText(qualification_line(row.qualification, row.qualification_validity, detail.details)
                                   + (f"\n{t('detail.notice', notice=row.notice)}" if row.notice else ""))
        self.qualification.setStyleSheet("" if row.qualification == Qualification.VALID.value
                                         else "color: #B00020; font-weight: bold;")  # fmt: skip
        self.why.setText(f"{t('detail.why')}: " + "、".join(detail.why_not_auto) if detail.why_not_auto else "")
        for index, candidate in enumerate(detail.candidates, 1):
            score = t("detail.score", score=f"{candidate.score:.1f}") if candidate.score is not None else ""
            QListWidgetItem(f"{index}. {candidate.patient_id} {score}", self.candidates)
        flatten(detail.details, self.details)
        for earlier in detail.history:
            item = QTreeWidgetItem([t("detail.history"), earlier.get("InsurerName") or ""])
            flatten(earlier, item)
            self.details.addTopLevelItem(item)
        self.details.expandAll()
        self.details.resizeColumnToContents(0)
        self.raw.setVisible(detail.raw_text is not None)
        self.raw.setPlainText(detail.raw_text or "")
        conflict = row.file_state == "conflict"
        self.buttons["accept_conflict"].setEnabled(conflict)
        self.buttons["reject_conflict"].setEnabled(conflict)
        self.candidates.setCurrentRow(-1)
        self.message.setText(t("detail.pick") if detail.candidates else "")

    def select_candidate(self, number: int) -> None:
        if self.detail is not None and 1 <= number <= len(self.detail.candidates):
            self.candidates.setCurrentRow(number - 1)

    def _show_candidate(self, index: int) -> None:
        self._armed = None
        self.comparison.setRowCount(0)
        self.buttons["link_register"].setText(t("action.link_register"))
        if self.detail is None or not 0 <= index < len(self.detail.candidates):
            self.reasons.setText("")
            return
        candidate = self.detail.candidates[index]
        self.comparison.setRowCount(len(candidate.fields))
        for row, field in enumerate(candidate.fields):
            verdict = VERDICT_LABEL[field.verdict] + (f" — {field.warning}" if field.warning else "")
            for column, value in enumerate((field.label, field.face, field.record, verdict)):
                item = QTableWidgetItem(value)
                if field.verdict in VERDICT_COLOURS:
                    item.setBackground(QColor(VERDICT_COLOURS[field.verdict]))
                if field.warning:
                    item.setForeground(QColor("#8A1C1C"))
                self.comparison.setItem(row, column, item)
        self.comparison.resizeColumnsToContents()
        self.reasons.setText("、".join(candidate.reasons))
        correcting = self.detail.corrects_reference(candidate.patient_id)
        self.buttons["link_register"].setText(t("action.link_correct" if correcting else "action.link_register"))
        reference = self.detail.identity.reference_number
        self.message.setText(t("detail.reference_fix", reference=reference, patient=candidate.patient_id)
                             if correcting else "")  # fmt: skip

    def selected_patient(self) -> str | None:
        index = self.candidates.currentRow()
        if self.detail is None or not 0 <= index < len(self.detail.candidates):
            return None
        return self.detail.candidates[index].patient_id

    # -- actions ---------------------------------------------------------------------------------
    def _run(self, action: Callable[[], str]) -> None:
        if self.actor is None or self.detail is None:
            return
        try:
            message = action()
        except UketsukeError as exc:
            self.message.setText(f"{exc.ja} / {exc.en}")
            return
        except Exception as exc:  # a store or registry failure: say so, keep the console usable
            log.error("staff_action_failed", error=type(exc).__name__)
            self.message.setText("処理できませんでした（ログを確認してください） / the action failed; see the log")
            return
        self.message.setText(message)
        self.acted.emit(message)

    def link(self, *, register: bool = False) -> None:
        patient_id = self.selected_patient()
        if self.detail is None:
            return
        if patient_id is None:
            self.message.setText(t("detail.pick"))
            return
        candidate = self.detail.candidates[self.candidates.currentRow()]
        risky = any(f.label in RISKY_FIELDS and f.verdict is Verdict.DIFFERENT for f in candidate.fields)
        if risky and self._armed != patient_id:
            self._armed = patient_id
            self.message.setText(t("detail.confirm_again"))
            return
        entry_id, actor = self.detail.row.entry_id, self.actor
        assert actor is not None

        def run() -> str:
            self.review.link(entry_id, patient_id, by=actor, register_reference=register)
            return t("done.reference") if register else t("done.link")

        self._run(run)

    def add_candidate(self) -> None:
        patient_id = self.by_id.text().strip()
        if self.detail is None or not patient_id:
            return
        candidate = self.console.candidate(self.detail.identity, patient_id, None, ["職員が患者番号で指定"])
        if candidate.record is None:
            self.message.setText("この患者番号は台帳にありません / no such patient")
            return
        self.detail.candidates.append(candidate)
        QListWidgetItem(f"{len(self.detail.candidates)}. {patient_id}", self.candidates)
        self.candidates.setCurrentRow(len(self.detail.candidates) - 1)
        self.by_id.clear()

    def _reason(self) -> str | None:
        text = self.reason.text().strip()
        if not text:
            self.message.setText("理由を入力してください / a reason is required")
            self.reason.setFocus()
            return None
        return text

    def reject(self) -> None:
        reason = self._reason()
        if reason is not None and self.detail is not None and self.actor is not None:
            entry_id, actor = self.detail.row.entry_id, self.actor
            self._run(lambda: (self.review.reject(entry_id, reason, by=actor), t("done.reject"))[1])

    def unlink(self) -> None:
        reason = self._reason()
        if reason is not None and self.detail is not None and self.actor is not None:
            entry_id, actor = self.detail.row.entry_id, self.actor
            self._run(lambda: (self.review.unlink(entry_id, reason, by=actor), t("done.unlink"))[1])

    def undo(self) -> None:
        reason = self._reason()
        if reason is not None and self.detail is not None and self.actor is not None:
            entry_id, actor = self.detail.row.entry_id, self.actor
            self._run(lambda: (self.review.undo(entry_id, by=actor, reason=reason), t("done.undo"))[1])

    def new_patient(self) -> None:
        if self.detail is not None and self.actor is not None:
            entry_id, actor = self.detail.row.entry_id, self.actor
            self._run(lambda: t("done.new_patient", id=self.review.create_patient(entry_id, by=actor)))

    def duplicate(self) -> None:
        """The chosen candidate and the linked patient (or the first candidate) are one person's two charts."""
        if self.detail is None or self.actor is None:
            return
        chosen = self.selected_patient()
        others = [c.patient_id for c in self.detail.candidates if c.patient_id != chosen]
        if chosen is None or not others:
            self.message.setText(t("detail.pick"))
            return
        actor, note = self.actor, self.reason.text().strip() or None
        self._run(lambda: (self.review.mark_duplicate(chosen, others[0], by=actor, note=note),
                           t("done.duplicate"))[1])  # fmt: skip

    def conflict(self, accept: bool) -> None:
        if self.detail is not None and self.actor is not None:
            face_file_id, actor = self.detail.row.face_file_id, self.actor

            def run() -> str:
                self.review.resolve_conflict(face_file_id, accept=accept, by=actor)
                return "OK"

            self._run(run)

    def clear(self) -> None:
        self.show_entry(None)
        self.reason.clear()
        self.by_id.clear()
        self.message.setText("")
