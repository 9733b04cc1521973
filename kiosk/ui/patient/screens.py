"""One page per kiosk screen. Pages only show `flow.visit` and forward taps to the flow: no logic here.

Every page can `clear()` itself, which the window calls on every page when a session ends, so no name,
birthdate or number stays in any widget after the patient has gone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from kiosk.core.face_binding import masked_name
from kiosk.core.kiosk_flow import KioskFlow, Screen
from kiosk.core.kiosk_ports import PrintStatus
from kiosk.ui.fonts import family_for, ui_font
from kiosk.ui.patient.catalog import LANGUAGES, REASONS, plain, text
from kiosk.ui.patient.style import ALERT, INK, Metrics
from kiosk.ui.patient.widgets import BirthdateEntry, Picture, PinEntry, RubyButton, RubyLabel


@dataclass(frozen=True)
class Look:
    metrics: Metrics
    family: str | None
    languages: tuple[str, ...] = ("ja", "en")
    hours: str = ""

    def font(self, size: int, *, bold: bool = False) -> QFont:
        return ui_font(self.family, size, bold=bold)

    def for_language(self, language: str) -> Look:
        return replace(self, family=family_for(language, self.family))

    def larger(self, factor: float) -> Look:
        """文字を大きく: the same look with every size scaled."""
        return replace(self, metrics=replace(self.metrics, text=self.metrics.text * factor))


class Page(QWidget):
    kiosk_screen: Screen = Screen.WELCOME
    has_cancel = True
    has_call = True  # 係員を呼ぶ (not where nothing can reach staff: the store is away)
    cancel_key = "button.cancel"
    notice_in_body = False  # a page short of height shows its notice in the body line instead of a line of its own

    def __init__(self, flow: KioskFlow, look: Look) -> None:
        super().__init__()
        self.flow = flow
        self.look = look
        m = look.metrics
        self.setObjectName(f"page_{self.kiosk_screen.value}")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(m.px(48), m.px(24), m.px(48), m.px(36))
        header = QFrame()
        header.setObjectName("header")
        header.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        row = QHBoxLayout(header)
        self.clinic = QLabel(flow.clinic)
        self.clinic.setFont(look.font(m.small))
        row.addWidget(self.clinic)
        row.addStretch(1)
        self.large_button = RubyButton("btn_large_text", look.font(m.small))
        self.large_button.clicked.connect(flow.toggle_large_text)
        row.addWidget(self.large_button)
        self.call_button: RubyButton | None = None
        if self.has_call:
            self.call_button = RubyButton("btn_call_staff", look.font(m.body, bold=True))
            self.call_button.clicked.connect(flow.call_staff)
            row.addWidget(self.call_button)
        self.cancel_button: RubyButton | None = None
        if self.has_cancel:
            self.cancel_button = RubyButton("btn_cancel", look.font(m.body))
            self.cancel_button.clicked.connect(flow.cancel)
            row.addWidget(self.cancel_button)
        outer.addWidget(header)
        self.title = RubyLabel(look.font(self.title_size(), bold=True), colour=self.title_colour())
        self.title.setObjectName("title")
        outer.addWidget(self.title)
        self.body = RubyLabel(look.font(m.body))
        self.body.setObjectName("body")
        outer.addWidget(self.body)
        self.notice = RubyLabel(look.font(m.instruction, bold=True), colour=ALERT)
        self.notice.setObjectName("notice")
        outer.addWidget(self.notice)
        self.content = QVBoxLayout()
        outer.addLayout(self.content, 1)
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(m.mm(8))
        outer.addLayout(self.buttons)
        self.build()

    def title_colour(self) -> str:
        return INK

    def title_size(self) -> int:
        return self.look.metrics.instruction

    def build(self) -> None:
        """Add the page's own widgets."""

    def button(self, name: str, handler: Callable[[], None], *, primary: bool = False) -> RubyButton:
        button = RubyButton(name, self.look.font(self.look.metrics.body, bold=True), primary=primary)
        button.clicked.connect(handler)
        self.buttons.addWidget(button)
        return button

    def label(self, name: str, size: int, *, bold: bool = False) -> QLabel:
        widget = QLabel()
        widget.setObjectName(name)
        widget.setFont(self.look.font(size, bold=bold))
        widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
        widget.setWordWrap(True)
        self.content.addWidget(widget)
        return widget

    def refresh(self) -> None:
        language = self.flow.visit.language
        if self.cancel_button is not None:
            self.cancel_button.set_markup(text(self.cancel_key, language))
        if self.call_button is not None:
            self.call_button.set_markup(text("button.call_staff", language))
        self.large_button.set_markup(text("button.normal_text" if self.flow.visit.large_text else
                                          "button.large_text", language))  # fmt: skip
        notice = self.flow.visit.notice
        self.notice.set_markup(text(notice, language) if notice else "")
        self.notice.setVisible(bool(notice) and not self.notice_in_body)
        self.show_visit(language)

    def show_visit(self, language: str) -> None:
        """Fill the page from the flow for the visit's language."""

    def clear(self) -> None:
        """Forget anything personal this page shows."""


class WelcomePage(Page):
    kiosk_screen = Screen.WELCOME
    has_cancel = False

    def title_size(self) -> int:
        return self.look.metrics.tx(120)

    def build(self) -> None:
        m = self.look.metrics
        self.hours = self.label("hours", m.body)
        self.content.addStretch(1)
        row = QHBoxLayout()  # the languages in a row of their own above the big start button
        row.setSpacing(m.mm(4))
        self.content.addLayout(row)
        self.start_button = self.button("btn_start", self.flow.start, primary=True)
        self.start_button.set_min_height(m.mm(40))
        self.languages: dict[str, RubyButton] = {}
        for code, name in LANGUAGES.items():
            if code in self.look.languages and len(self.look.languages) > 1:
                # each name in a font that draws its own script (Hangul, Vietnamese, simplified Chinese)
                button = RubyButton(f"lang_{code}", ui_font(family_for(code, self.look.family), m.body))
                button.set_markup(name)
                button.clicked.connect(lambda _=False, c=code: self.flow.set_language(c))
                self.languages[code] = button
                row.addWidget(button)

    def show_visit(self, language: str) -> None:
        self.title.set_markup(text("welcome.title", language))
        self.body.set_markup(text("welcome.touch", language))
        self.start_button.set_markup(text("welcome.touch", language))
        self.hours.setText(self.look.hours)


class MethodPage(Page):
    kiosk_screen = Screen.METHOD

    def build(self) -> None:
        self.content.addStretch(1)
        self.face = self.button("btn_face", self.flow.choose_face, primary=True)
        self.card = self.button("btn_card", self.flow.choose_card, primary=True)
        self.mynumber = self.button("btn_mynumber", self.flow.choose_mynumber_card, primary=True)
        self.mynumber.setVisible(self.flow.mynumber_reader)
        self.first = self.button("btn_first", self.flow.choose_first_visit)
        for button in (self.face, self.card, self.mynumber, self.first):
            button.set_min_height(self.look.metrics.mm(45))

    def show_visit(self, language: str) -> None:
        self.title.set_markup(text("method.title", language))
        self.face.set_markup(text("method.face", language))
        self.card.set_markup(text("method.card", language))
        self.mynumber.set_markup(text("method.mynumber", language))
        self.first.set_markup(text("method.first", language))


class FaceWaitPage(Page):
    kiosk_screen = Screen.FACE_WAIT

    def build(self) -> None:
        self.picture = Picture("face_reader", self.look.metrics.mm(90))
        self.content.addWidget(self.picture, alignment=Qt.AlignmentFlag.AlignHCenter)
        self.waiting = RubyLabel(self.look.font(self.look.metrics.body))
        self.content.addWidget(self.waiting)
        self.content.addStretch(1)

    def show_visit(self, language: str) -> None:
        self.title.set_markup(text("face.title", language))
        self.body.set_markup(text("face.body", language))
        self.waiting.set_markup(text("face.waiting", language))


class PickBirthdatePage(Page):
    kiosk_screen = Screen.PICK_BIRTHDATE

    def build(self) -> None:
        m = self.look.metrics
        self.entry = BirthdateEntry(self.look.font(m.instruction, bold=True), self.look.font(m.body), m.key_size)
        self.entry.entered.connect(self.flow.birthdate_entered)
        self.entry.impossible.connect(self.flow.birthdate_impossible)
        self.content.addWidget(self.entry)

    notice_in_body = True

    def show_visit(self, language: str) -> None:
        self.title.set_markup(text("birth.title", language))
        notice = self.flow.visit.notice
        self.body.set_markup(text(notice or "birth.why", language))
        self.body.set_colour(ALERT if notice else INK)
        self.entry.set_language(language)

    def clear(self) -> None:
        self.entry.clear()


class ConfirmPersonPage(Page):
    kiosk_screen = Screen.CONFIRM_PERSON

    def build(self) -> None:
        m = self.look.metrics
        self.content.addStretch(1)
        self.name = self.label("personName", m.tx(64), bold=True)
        self.kana = self.label("personKana", m.body)
        self.birth = self.label("personBirth", m.instruction)
        self.content.addStretch(1)
        self.no = self.button("btn_no", lambda: self.flow.confirm_person(False))
        self.yes = self.button("btn_yes", lambda: self.flow.confirm_person(True), primary=True)

    def show_visit(self, language: str) -> None:
        self.title.set_markup(text("confirm_person.title", language))
        self.yes.set_markup(text("button.yes", language))
        self.no.set_markup(text("button.no", language))
        face = self.flow.visit.face
        if face is None:
            self.clear()
            return
        self.name.setText(person_line(face.name or face.name_kana, language))
        self.kana.setText(masked_name(face.name_kana) if face.name else "")
        self.birth.setText("")  # the patient typed it (or the reader is theirs): never repeat it to the queue

    def clear(self) -> None:
        for widget in (self.name, self.kana, self.birth):
            widget.setText("")


def person_line(name: str | None, language: str) -> str:
    """試験 ○○ 様: what the patient needs to recognise themselves, not what the queue behind may read."""
    return f"{masked_name(name)} {text('confirm_person.sama', language)}".strip() if name else ""


class MessagePage(Page):
    """A page with a title and a body only, keyed by catalogue prefix."""

    prefix = ""

    def show_visit(self, language: str) -> None:
        self.title.set_markup(text(f"{self.prefix}.title", language))
        self.body.set_markup(text(f"{self.prefix}.body", language))


class CheckingPage(MessagePage):
    kiosk_screen = Screen.CHECKING
    prefix = "checking"


class ReadingPage(MessagePage):
    kiosk_screen = Screen.READING
    prefix = "reading"
    has_cancel = False


class UnavailablePage(MessagePage):
    kiosk_screen = Screen.UNAVAILABLE
    prefix = "unavailable"
    has_cancel = False
    has_call = False

    def title_colour(self) -> str:
        return ALERT


class CardWaitPage(MessagePage):
    kiosk_screen = Screen.CARD_WAIT

    def build(self) -> None:
        self.picture = Picture("ic_card", self.look.metrics.mm(90))
        self.content.addWidget(self.picture, alignment=Qt.AlignmentFlag.AlignHCenter)
        self.content.addStretch(1)

    def show_visit(self, language: str) -> None:
        self.prefix = "mynumber" if self.flow.visit.path == "mynumber" else "card"
        super().show_visit(language)


class PinPage(Page):
    kiosk_screen = Screen.PIN_ENTRY

    def build(self) -> None:
        m = self.look.metrics
        self.tries = RubyLabel(self.look.font(m.instruction, bold=True))
        self.tries.setObjectName("pinTries")
        self.content.addWidget(self.tries)
        self.entry = PinEntry(self.look.font(m.tx(64), bold=True), m.key_size)
        self.entry.entered.connect(self.flow.pin_entered)
        self.content.addWidget(self.entry)

    def show_visit(self, language: str) -> None:
        self.title.set_markup(text("pin.title", language))
        self.entry.pad.set_language(language)
        tries = self.flow.visit.tries_left
        self.tries.set_markup(text("pin.tries", language, n=tries) if tries is not None else "")

    def clear(self) -> None:
        self.entry.clear()
        self.tries.set_markup("")


class OfferPage(Page):
    kiosk_screen = Screen.OFFER_REFERENCE

    def build(self) -> None:
        self.content.addStretch(1)
        self.no = self.button("btn_no", lambda: self.flow.accept_reference(False))
        self.yes = self.button("btn_yes", lambda: self.flow.accept_reference(True), primary=True)

    def show_visit(self, language: str) -> None:
        self.title.set_markup(text("offer.title", language))
        self.body.set_markup(text("offer.body", language))
        self.yes.set_markup(text("button.yes", language))
        self.no.set_markup(text("button.no", language))


class ChoicePage(Page):
    """One large button per choice (the departments, today's 予約), rebuilt each time the screen is shown."""

    def build(self) -> None:
        self.grid = QVBoxLayout()
        self.content.addLayout(self.grid)
        self.content.addStretch(1)
        self._shown: list[RubyButton] = []

    def show_choices(self, choices: list[tuple[str, str, Callable[[], None]]]) -> None:
        """(object name, markup, what a tap does) for each choice."""
        self.clear()
        for name, markup, chosen in choices:
            button = RubyButton(name, self.look.font(self.look.metrics.body, bold=True), primary=True)
            button.set_markup(markup)
            button.clicked.connect(lambda _=False, act=chosen: act())
            self.grid.addWidget(button)
            self._shown.append(button)

    def clear(self) -> None:
        for button in self._shown:
            self.grid.removeWidget(button)
            button.deleteLater()
        self._shown = []


class DepartmentPage(ChoicePage):
    kiosk_screen = Screen.DEPARTMENT

    def show_visit(self, language: str) -> None:
        self.title.set_markup(text("department.title", language))
        flow = self.flow
        self.show_choices([(f"dept_{d.code}", d.name, partial(flow.choose_department, d.code))
                           for d in flow.visit.departments])  # fmt: skip


class AppointmentPage(ChoicePage):
    """Several 予約 today: one large button per appointment, its time and 診療科."""

    kiosk_screen = Screen.APPOINTMENT

    def show_visit(self, language: str) -> None:
        self.title.set_markup(text("appointment.title", language))
        flow = self.flow
        self.show_choices([(f"appt_{n}", appointment_line(a.at, a.department),
                            partial(flow.choose_appointment, a.appointment_id))
                           for n, a in enumerate(flow.visit.appointments)])  # fmt: skip


def appointment_line(at: str, department: str | None) -> str:
    return f"{at} {department}" if department else at


class ConfirmPage(Page):
    kiosk_screen = Screen.CONFIRM

    def build(self) -> None:
        m = self.look.metrics
        self.content.addStretch(1)
        self.name = self.label("patientName", m.tx(56), bold=True)
        self.department = self.label("departmentName", m.instruction)
        self.content.addStretch(1)
        self.back = self.button("btn_back", self.flow.back)
        self.go = self.button("btn_confirm", self.flow.confirm_reception, primary=True)

    def show_visit(self, language: str) -> None:
        self.title.set_markup(text("confirm.title", language))
        self.go.set_markup(text("confirm.go", language))
        self.back.set_markup(text("button.back", language))
        visit = self.flow.visit
        self.back.setVisible(len(visit.departments) > 1)
        patient = visit.patient
        self.name.setText(person_line(patient.name or patient.name_kana, language) if patient else "")
        self.department.setText(visit.department.name if visit.department else "")

    def clear(self) -> None:
        self.name.setText("")
        self.department.setText("")


class DonePage(Page):
    kiosk_screen = Screen.DONE
    has_cancel = False

    def build(self) -> None:
        m = self.look.metrics
        self.number_title = RubyLabel(self.look.font(m.instruction))
        self.content.addWidget(self.number_title)
        self.number = self.label("ticketNumber", m.number, bold=True)
        self.department = self.label("ticketDepartment", m.instruction)
        self.slip = RubyLabel(self.look.font(m.body, bold=True))
        self.content.addWidget(self.slip)
        self.wait = RubyLabel(self.look.font(m.body))
        self.content.addWidget(self.wait)

    def show_visit(self, language: str) -> None:
        visit = self.flow.visit
        ticket = visit.ticket
        self.title.set_markup(text("done.already" if ticket and ticket.already else "done.title", language))
        self.number_title.set_markup(text("done.number", language))
        self.number.setText(str(ticket.number) if ticket else "")
        if ticket is not None and ticket.appointment_at is not None:  # 「10:30 内科 のご予約を受け付けました」
            self.department.setText(plain(text("done.appointment", language,
                                               n=appointment_line(ticket.appointment_at, ticket.department))))
        else:
            self.department.setText(ticket.department or "" if ticket else "")
        printed = visit.printed in (PrintStatus.PRINTED,)
        failed = visit.printed in (PrintStatus.PAPER_OUT, PrintStatus.OFFLINE)
        self.slip.set_markup(text("done.slip", language) if printed else text("done.no_slip", language) if failed
                             else "")  # fmt: skip
        self.wait.set_markup(text("done.wait", language))

    def clear(self) -> None:
        self.number.setText("")
        self.department.setText("")


class ErrorPage(Page):
    """Every error screen: staff were called already; the patient may call again or start over."""

    cancel_key = "button.restart"

    def add_help_buttons(self) -> None:
        self.again = self.button("btn_call_again", self.flow.call_staff)
        self.restart = self.button("btn_restart", self.flow.cancel, primary=True)

    def show_help(self, language: str) -> None:
        self.again.set_markup(text("button.call_staff", language))
        self.restart.set_markup(text("button.restart", language))


class FirstVisitPage(ErrorPage):
    kiosk_screen = Screen.FIRST_VISIT

    def build(self) -> None:
        self.number = self.label("counterNumber", self.look.metrics.number, bold=True)
        self.add_help_buttons()

    def title_colour(self) -> str:
        return ALERT

    def show_visit(self, language: str) -> None:
        self.title.set_markup(text("first.title", language))
        self.body.set_markup(text("first.body", language))
        self.show_help(language)
        number = self.flow.visit.counter_number
        self.number.setText(str(number) if number is not None else "")

    def clear(self) -> None:
        self.number.setText("")


class CounterPage(ErrorPage):
    kiosk_screen = Screen.COUNTER

    def build(self) -> None:
        m = self.look.metrics
        self.reason = RubyLabel(self.look.font(m.instruction))
        self.content.addWidget(self.reason)
        self.called = RubyLabel(self.look.font(m.body, bold=True))
        self.content.addWidget(self.called)
        self.content.addStretch(1)
        self.code = self.label("reasonCode", m.small)
        self.add_help_buttons()

    def title_colour(self) -> str:
        return ALERT

    def show_visit(self, language: str) -> None:
        self.title.set_markup(text("counter.title", language))
        self.body.set_markup(text("counter.body", language))
        self.show_help(language)
        self.called.set_markup(text("counter.called", language) if self.flow.visit.alert_id is not None else "")
        reason = self.flow.visit.reason
        self.reason.set_markup(text(reason.value, language) if reason is not None and reason.value in REASONS
                               else "")  # fmt: skip
        self.code.setText(f"{text('counter.code', language)}: {reason.value}" if reason else "")

    def clear(self) -> None:
        self.code.setText("")


class TakeCardPage(Page):
    """カードをお取りください before the number: cards left in readers are the classic kiosk incident."""

    kiosk_screen = Screen.TAKE_CARD
    has_cancel = False

    def build(self) -> None:
        self.number = self.label("takeCardNumber", self.look.metrics.instruction, bold=True)
        self.content.addStretch(1)

    def show_visit(self, language: str) -> None:
        self.title.set_markup(text("take_card.title", language))
        self.body.set_markup(text("take_card.body", language))
        ticket = self.flow.visit.ticket
        self.number.setText(f"{plain(text('done.number', language))} {ticket.number}" if ticket else "")

    def clear(self) -> None:
        self.number.setText("")


class StaffCalledPage(Page):
    kiosk_screen = Screen.STAFF_CALLED
    has_call = False
    cancel_key = "button.restart"

    def build(self) -> None:
        self.content.addStretch(1)
        self.back = self.button("btn_back", self.flow.back)
        self.restart = self.button("btn_restart", self.flow.cancel)

    def show_visit(self, language: str) -> None:
        self.title.set_markup(text("called.title", language))
        self.body.set_markup(text("called.body", language))
        self.back.set_markup(text("button.back", language))
        self.back.setVisible(self.flow.visit.back_to is not None)
        self.restart.set_markup(text("button.restart", language))


PAGES: tuple[type[Page], ...] = (
    WelcomePage, MethodPage, FaceWaitPage, PickBirthdatePage, ConfirmPersonPage, CheckingPage, CardWaitPage,
    PinPage, ReadingPage, OfferPage, AppointmentPage, DepartmentPage, ConfirmPage, TakeCardPage, DonePage,
    FirstVisitPage, CounterPage, StaffCalledPage, UnavailablePage,
)  # fmt: skip
