"""What the clerk does in the review: link (asking first when who the person is differs), a new chart (asking
first), reject / unlink / undo with a reason, duplicate charts, conflicting files — each through ReviewService (which
audits it), each ending with a message. Mixed into the review panel, which shows the entry these act on."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QMessageBox, QPushButton, QWidget

from kiosk.core.compare import Verdict
from kiosk.core.errors import UketsukeError
from kiosk.core.registry import PatientRecord
from kiosk.logsetup import get_logger
from kiosk.services.accounts import Actor
from kiosk.services.review import ReviewService
from kiosk.services.staff_console import CandidateView, EntryDetail, StaffConsole
from kiosk.ui.staff.catalog import t

log = get_logger("uketsuke.staff")

# a difference in one of these is a difference in who the person is: linking asks first
IDENTITY_FIELDS = ("氏名", "カナ氏名", "生年月日", "性別", "枝番", "照会番号")


def candidate_name(candidate: CandidateView) -> str:
    record = candidate.record
    name = record.names[0].name or record.names[0].name_kana if record and record.names else None
    return f"{name or ''}（{candidate.patient_id}）"


class ReviewActions:
    """Needs from the panel: the services, the shown entry, its widgets and `_selected` / `_fill_candidates`."""

    console: StaffConsole
    review: ReviewService
    actor: Actor | None
    detail: EntryDetail | None
    confirm: Callable[[str, str], bool]
    buttons: dict[str, QPushButton]
    message: QLabel
    reason: QLineEdit
    candidates: QListWidget
    acted: SignalInstance  # the panel's Signal(str)

    def _selected(self) -> CandidateView | None:
        raise NotImplementedError

    def selected_patient(self) -> str | None:
        raise NotImplementedError

    def _fill_candidates(self) -> None:
        raise NotImplementedError

    def window(self) -> QWidget:
        raise NotImplementedError

    # -- actions ---------------------------------------------------------------------------------
    def dialog(self, title: str, text: str) -> tuple[QMessageBox, QPushButton]:
        """The confirmation; "やめる" is the default so a stray Enter never acts."""
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self if isinstance(self, QWidget) else None)
        yes = box.addButton(t("confirm.yes"), QMessageBox.ButtonRole.AcceptRole)
        no = box.addButton(t("confirm.no"), QMessageBox.ButtonRole.RejectRole)
        yes.setObjectName("confirmYes")
        no.setObjectName("confirmNo")
        box.setDefaultButton(no)
        box.setObjectName("confirmDialog")
        return box, yes

    def link_question(self, candidate: CandidateView) -> tuple[str, str] | None:
        """The question a link to this candidate needs first, if any (a difference in who the person is)."""
        differing = [f.label for f in candidate.fields if f.label in IDENTITY_FIELDS and f.verdict is Verdict.DIFFERENT]
        if not differing:
            return None
        return t("confirm.link.title"), t("confirm.link", who=candidate_name(candidate), fields="・".join(differing))

    def _ask(self, title: str, text: str) -> bool:
        box, yes = self.dialog(title, text)
        focus = self.window().focusWidget()
        box.exec()
        self.window().activateWindow()  # the keyboard goes back to where the clerk was (list or candidates)
        if focus is not None:
            focus.setFocus()
        return box.clickedButton() is yes

    def _run(self, name: str, action: Callable[[], str]) -> None:
        if self.actor is None or self.detail is None or not self.buttons[name].isEnabled():
            return
        try:
            message = action()
        except UketsukeError as exc:
            self.message.setText(f"{exc.ja} / {exc.en}")
            return
        except Exception as exc:  # a store or registry failure: say so, keep the console usable
            log.error("staff_action_failed", error=type(exc).__name__)
            self.message.setText(t("action.failed"))
            return
        self.message.setText(message)
        self.acted.emit(message)

    def link(self, *, register: bool = False) -> None:
        name = "link_register" if register else "link"
        if self.detail is None:
            return
        candidate = self._selected()
        if candidate is None:
            self.message.setText(t("detail.pick"))
            return
        if not self.buttons[name].isEnabled():
            self.message.setText(t("detail.linked_already"))
            return
        question = self.link_question(candidate)
        if question is not None and not self.confirm(*question):
            self.message.setText(t("done.cancelled"))
            return
        entry_id, actor, patient_id = self.detail.row.entry_id, self.actor, candidate.patient_id
        assert actor is not None

        def run() -> str:
            self.review.link(entry_id, patient_id, by=actor, register_reference=register)
            who = candidate_name(candidate)
            return t("done.reference", who=who) if register else t("done.link", who=who)

        self._run(name, run)

    def add_record(self, record: PatientRecord) -> None:
        """A patient found by the search joins the comparison, chosen, ready for Enter."""
        if self.detail is None:
            return
        existing = next((i for i, c in enumerate(self.detail.candidates) if c.patient_id == record.patient_id), None)
        if existing is None:
            candidate = self.console.candidate(self.detail.identity, record.patient_id, None, [t("candidate.added")],
                                               added_by_staff=True)  # fmt: skip
            if candidate.record is None:
                self.message.setText(t("search.gone"))
                return
            self.detail.candidates.append(candidate)
            self._fill_candidates()
            existing = len(self.detail.candidates) - 1
        self.candidates.setCurrentRow(existing)
        self.candidates.setFocus()

    def _reason(self) -> str | None:
        text = self.reason.text().strip()
        if not text:
            self.message.setText(t("detail.reason_needed"))
            self.reason.setFocus()
            return None
        return text

    def _with_reason(self, name: str, act: Callable[[int, str, Actor], object], done: str) -> None:
        if self.detail is None or self.actor is None or not self.buttons[name].isEnabled():
            return
        reason = self._reason()
        if reason is not None:
            entry_id, actor = self.detail.row.entry_id, self.actor
            self._run(name, lambda: (act(entry_id, reason, actor), t(done))[1])

    def reject(self) -> None:
        self._with_reason("reject", lambda e, r, a: self.review.reject(e, r, by=a), "done.reject")

    def unlink(self) -> None:
        self._with_reason("unlink", lambda e, r, a: self.review.unlink(e, r, by=a), "done.unlink")

    def undo(self) -> None:
        self._with_reason("undo", lambda e, r, a: self.review.undo(e, by=a, reason=r), "done.undo")

    def new_patient(self) -> None:
        if self.detail is None or self.actor is None or not self.buttons["new_patient"].isEnabled():
            return
        identity = self.detail.identity
        if not self.confirm(t("confirm.new.title"), t("confirm.new", name=identity.name or identity.name_kana or "",
                                                      born=identity.birthdate or "")):  # fmt: skip
            self.message.setText(t("done.cancelled"))
            return
        entry_id, actor = self.detail.row.entry_id, self.actor
        def run() -> str:
            chart = self.review.create_patient(entry_id, by=actor)
            said = "".join(f"\n{t('done.registry_notice', notice=n)}" for n in chart.notices)
            return t("done.new_patient", id=chart.patient_id) + said

        self._run("new_patient", run)

    def duplicate(self) -> None:
        """The chosen candidate and the linked patient (or the first other candidate) are one person's two charts."""
        if self.detail is None or self.actor is None:
            return
        chosen = self.selected_patient()
        others = [c.patient_id for c in self.detail.candidates if c.patient_id != chosen]
        if chosen is None or not others:
            self.message.setText(t("detail.pick"))
            return
        actor, note = self.actor, self.reason.text().strip() or None
        self._run("duplicate", lambda: (self.review.mark_duplicate(chosen, others[0], by=actor, note=note),
                                        t("done.duplicate"))[1])  # fmt: skip

    def conflict(self, accept: bool) -> None:
        if self.detail is not None and self.actor is not None:
            face_file_id, actor = self.detail.row.face_file_id, self.actor

            def run() -> str:
                self.review.resolve_conflict(face_file_id, accept=accept, by=actor)
                return t("done.conflict_accepted" if accept else "done.conflict_rejected")

            self._run("accept_conflict" if accept else "reject_conflict", run)
