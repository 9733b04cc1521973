"""The review panel: one entry beside its candidates, compared field by field, and the actions on it.

Linking always needs a candidate chosen by the clerk; a link against a difference in who the person is, and a new
chart, are confirmed in a dialog first. Buttons are enabled only where the action applies, and each action ends
with a message saying what happened. Every action goes through ReviewService, which audits it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.candidate_summary import band, duplicate_chart_hint, hints, main_reason, plain_reasons
from kiosk.core.compare import Verdict
from kiosk.core.errors import UketsukeError
from kiosk.core.face import LINKED_STATUSES
from kiosk.core.qualification import Qualification, is_valid
from kiosk.logsetup import get_logger
from kiosk.services.accounts import Actor
from kiosk.services.review import ReviewService
from kiosk.services.staff_console import CandidateView, EntryDetail, StaffConsole
from kiosk.ui.staff.catalog import t
from kiosk.ui.staff.comparison_view import ComparisonTable, candidate_line, reasons_text
from kiosk.ui.staff.file_details import flatten, qualification_line
from kiosk.ui.staff.insurance_panel import InsurancePanel
from kiosk.ui.staff.insurance_rows import insurance_rows
from kiosk.ui.staff.models import SEX
from kiosk.ui.staff.review_actions import ReviewActions, candidate_name
from kiosk.ui.staff.search_box import RegistrySearch

log = get_logger("uketsuke.staff")

BUTTONS = ("link", "link_register", "new_patient", "reject", "unlink", "undo", "duplicate", "accept_conflict",
           "reject_conflict")  # fmt: skip


class ReviewPanel(QWidget, ReviewActions):
    acted = Signal(str)  # a message after an action; the window refreshes

    def __init__(self, console: StaffConsole, review: ReviewService) -> None:
        super().__init__()
        self.console = console
        self.review = review
        self.actor: Actor | None = None
        self.detail: EntryDetail | None = None
        self.confirm: Callable[[str, str], bool] = self._ask
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
        self.pages = QTabWidget()
        self.pages.setObjectName("detailPages")
        self.pages.addTab(self._compare_page(), t("page.compare"))
        self.insurance = InsurancePanel()
        self.pages.addTab(self.insurance, t("page.insurance"))
        self.pages.addTab(self._file_page(), t("page.file"))
        layout.addWidget(self.pages, 1)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText(t("detail.reason"))
        layout.addWidget(self.reason)
        actions = QGridLayout()
        self.buttons: dict[str, QPushButton] = {}
        handlers: dict[str, Callable[[], None]] = {
            "link": self.link, "link_register": lambda: self.link(register=True), "new_patient": self.new_patient,
            "reject": self.reject, "unlink": self.unlink, "undo": self.undo, "duplicate": self.duplicate,
            "accept_conflict": lambda: self.conflict(True), "reject_conflict": lambda: self.conflict(False),
        }  # fmt: skip
        for index, name in enumerate(BUTTONS):
            button = QPushButton(t(f"action.{name}"))
            button.setObjectName(f"action_{name}")
            button.clicked.connect(handlers[name])
            self.buttons[name] = button
            actions.addWidget(button, index // 5, index % 5)
        layout.addLayout(actions)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.show_entry(None)

    def _compare_page(self) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        left = QVBoxLayout()
        self.search = RegistrySearch()
        self.search.chosen.connect(self.add_record)
        left.addWidget(self.search)
        self.candidates = QListWidget()
        self.candidates.setObjectName("candidates")
        self.candidates.setWordWrap(True)
        self.candidates.currentRowChanged.connect(self._show_candidate)
        left.addWidget(self.candidates, 1)
        self.reasons = QLabel()
        self.reasons.setObjectName("reasons")
        self.reasons.setWordWrap(True)
        left.addWidget(self.reasons)
        holder = QWidget()
        holder.setFixedWidth(330)
        holder.setLayout(left)
        left.setContentsMargins(0, 0, 0, 0)
        row.addWidget(holder)
        right = QVBoxLayout()
        self.comparison = ComparisonTable()
        right.addWidget(self.comparison)
        right.addStretch(1)
        row.addLayout(right, 1)
        return page

    def _file_page(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        self.details = QTreeWidget()
        self.details.setObjectName("insurance")
        self.details.setHeaderLabels([t("detail.insurance"), ""])
        column.addWidget(self.details, 1)
        self.raw = QPlainTextEdit()
        self.raw.setObjectName("raw")
        self.raw.setReadOnly(True)
        self.raw.setPlaceholderText(t("detail.raw"))
        column.addWidget(self.raw, 1)
        return page

    # -- showing ---------------------------------------------------------------------------------
    def show_entry(self, entry_id: int | None) -> None:
        """Show an entry; shown again (a live update, or after an action) it keeps the chosen candidate and the
        message saying what was just done."""
        previous = self.detail
        again = previous is not None and entry_id == previous.row.entry_id
        kept_message = self.message.text() if again else ""
        kept_choice = self.selected_patient() if again else None
        added = [c for c in previous.candidates if c.added_by_staff] if again and previous else []
        actor = self.actor
        try:
            self.detail = self.console.detail(entry_id, by=actor) if entry_id is not None and actor else None
        except UketsukeError as exc:  # an account deactivated while signed in sees nothing more
            self.detail = None
            self.message.setText(f"{exc.ja} / {exc.en}")
        self.search.search = (lambda text: self.console.search(text, by=actor)) if actor is not None else None
        self.candidates.clear()
        self.comparison.show_fields([])
        self.details.clear()
        self.raw.setPlainText("")
        self.reasons.setText("")
        detail = self.detail
        if detail is None:
            self.qualification.setText("")
            self.header.setText(t("detail.none"))
            self.why.setText("")
            self.raw.setVisible(False)
            self.insurance.show_rows([])
            self.search.clear()
            self._update_buttons()
            return
        known = {c.patient_id for c in detail.candidates}
        detail.candidates.extend(c for c in added if c.patient_id not in known)  # found by the search: kept
        row, identity = detail.row, detail.identity
        born = row.birthdate.isoformat() if row.birthdate else identity.birthdate or ""
        note = f"\n{row.reason}" if row.reason and not detail.why_not_auto else ""
        self.header.setText(f"{identity.name or ''}（{identity.name_kana or ''}） {born} "
                            f"{SEX.get(identity.sex or '', '')} — {t(f'status.{row.status}')}{note}")  # fmt: skip
        words = qualification_line(row.qualification, row.qualification_validity, detail.details)
        self.qualification.setText(words + (f"\n{t('detail.notice', notice=row.notice)}" if row.notice else ""))
        self.qualification.setStyleSheet("" if row.qualification == Qualification.VALID.value
                                         else "color: #B00020; font-weight: bold;")  # fmt: skip
        self.insurance.show_rows(insurance_rows(detail.details, words, is_valid(row.qualification)))
        self.why.setText(f"{t('detail.why')}: " + "、".join(detail.why_not_auto) if detail.why_not_auto else "")
        self._fill_candidates()
        flatten(detail.details, self.details)
        for earlier in detail.history:
            item = QTreeWidgetItem([t("detail.history"), earlier.get("InsurerName") or ""])
            flatten(earlier, item)
            self.details.addTopLevelItem(item)
        self.details.expandAll()
        self.details.resizeColumnToContents(0)
        self.raw.setVisible(detail.raw_text is not None)
        self.raw.setPlainText(detail.raw_text or "")
        if detail.raw_text is not None:  # a file that could not be read: what it holds is what there is to see
            self.pages.setCurrentIndex(2)
        elif self.pages.currentIndex() == 2:
            self.pages.setCurrentIndex(0)
        if not again and row.status in LINKED_STATUSES and row.patient_id:
            kept_choice = row.patient_id  # a linked entry opens on its patient's comparison (nothing to choose)
        chosen = next((i for i, c in enumerate(detail.candidates) if c.patient_id == kept_choice), -1)
        self.candidates.setCurrentRow(chosen)
        if again and kept_message:
            self.message.setText(kept_message)
        elif chosen >= 0 and not again:
            pass  # the comparison's own message (選択中 …) stays
        else:
            self.message.setText(t("detail.pick") if detail.candidates else t("detail.search_hint"))
        self._update_buttons()

    def _fill_candidates(self) -> None:
        assert self.detail is not None
        self.candidates.clear()
        candidates = self.detail.candidates
        for number, candidate in enumerate(candidates, 1):
            others = [c.score for c in candidates if c is not candidate and c.score is not None]
            line = candidate_line(number, candidate, band(candidate.score, others), main_reason(candidate.reasons))
            QListWidgetItem(line, self.candidates)

    def select_candidate(self, number: int) -> None:
        if self.detail is not None and 1 <= number <= len(self.detail.candidates):
            self.candidates.setCurrentRow(number - 1)

    def _show_candidate(self, index: int) -> None:
        self.buttons["link_register"].setText(t("action.link_register"))
        if self.detail is None or not 0 <= index < len(self.detail.candidates):
            self.comparison.show_fields([])
            self.reasons.setText("")
            self._update_buttons()
            return
        candidate = self.detail.candidates[index]
        self.comparison.show_fields(candidate.fields)
        found = hints(candidate.fields)
        duplicate = duplicate_chart_hint([c.fields for c in self.detail.candidates])
        if duplicate and self._same_person(candidate):
            found.append(duplicate)
        self.reasons.setText(reasons_text(plain_reasons(candidate.reasons), found))
        correcting = self.detail.corrects_reference(candidate.patient_id)
        self.buttons["link_register"].setText(t("action.link_correct" if correcting else "action.link_register"))
        reference = self.detail.identity.reference_number
        row = self.detail.row
        chosen = "detail.linked_to" if row.patient_id == candidate.patient_id and row.status in LINKED_STATUSES \
            else "detail.chosen"
        self.message.setText(t("detail.reference_fix", reference=reference, patient=candidate.patient_id)
                             if correcting else t(chosen, who=candidate_name(candidate)))  # fmt: skip
        self._update_buttons()

    @staticmethod
    def _same_person(candidate: CandidateView) -> bool:
        return not any(f.verdict is Verdict.DIFFERENT for f in candidate.fields if f.label in ("生年月日", "カナ氏名"))

    def selected_patient(self) -> str | None:
        candidate = self._selected()
        return candidate.patient_id if candidate else None

    def _selected(self) -> CandidateView | None:
        index = self.candidates.currentRow()
        if self.detail is None or not 0 <= index < len(self.detail.candidates):
            return None
        return self.detail.candidates[index]

    def _update_buttons(self) -> None:
        """Each button only where its action applies to this entry and the chosen candidate."""
        detail, chosen = self.detail, self._selected()
        allowed = dict.fromkeys(BUTTONS, False)
        if detail is not None and self.actor is not None:
            row = detail.row
            linked = row.status in LINKED_STATUSES and row.patient_id is not None
            allowed["link"] = chosen is not None and not linked and row.status != "error"
            allowed["link_register"] = allowed["link"]
            allowed["new_patient"] = not linked and row.status != "error" and self.console.can_create_patients
            allowed["reject"] = not linked and row.status != "rejected"
            allowed["unlink"] = linked
            allowed["undo"] = detail.undoable
            allowed["duplicate"] = chosen is not None and len(detail.candidates) >= 2
            allowed["accept_conflict"] = allowed["reject_conflict"] = row.file_state == "conflict"
        for name, button in self.buttons.items():
            button.setEnabled(allowed[name])

    def clear(self) -> None:
        self.show_entry(None)
        self.reason.clear()
        self.search.clear()
        self.message.setText("")
