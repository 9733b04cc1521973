"""The 予約 tab of the staff console: today's appointments with their arrival state (来院済 / 未来院 / 遅れ …),
filterable, and the clerk's three acts on one. The view only shows and asks; AppointmentDesk decides and audits."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.appointments import AppointmentState
from kiosk.core.errors import UketsukeError
from kiosk.services.accounts import Actor
from kiosk.services.appointment_desk import DISPLAY_STATES, AppointmentDesk
from kiosk.ui.staff.catalog import t

COLUMNS = ("時刻", "患者番号", "診療科", "医師", "状態", "受付番号", "メモ")
FILTERS: tuple[str | None, ...] = (None, *DISPLAY_STATES)


class AppointmentsTab(QWidget):
    def __init__(self, desk: AppointmentDesk, actor: Callable[[], Actor | None]) -> None:
        super().__init__()
        self.desk = desk
        self.actor = actor
        self.ids: list[str] = []
        column = QVBoxLayout(self)
        top = QHBoxLayout()
        self.filter = QComboBox()
        self.filter.setObjectName("appointmentFilter")
        self.filter.addItems([t("appt.filter.all"), *(t(f"appt.{state}") for state in DISPLAY_STATES)])
        self.filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.count = QLabel()
        self.count.setObjectName("appointmentCount")
        top.addWidget(self.filter)
        top.addWidget(self.count, 1)
        column.addLayout(top)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("appointments")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        column.addWidget(self.table)
        buttons = QHBoxLayout()
        for name, key, act in (("apptCheckIn", "appt.check_in", self.check_in),
                               ("apptCancel", "appt.cancel", lambda: self.set_state(AppointmentState.CANCELLED)),
                               ("apptNoShow", "appt.mark_no_show", lambda: self.set_state(AppointmentState.NO_SHOW))):
            button = QPushButton(t(key))
            button.setObjectName(name)
            button.clicked.connect(act)
            buttons.addWidget(button)
        column.addLayout(buttons)
        self.message = QLabel()
        self.message.setObjectName("appointmentMessage")
        column.addWidget(self.message)

    def refresh(self) -> None:
        try:
            every = self.desk.today()
        except UketsukeError as exc:  # the レセコン cannot be reached: say so, keep the last list
            self.message.setText(f"{exc.ja} / {exc.en}")
            return
        wanted = FILTERS[max(self.filter.currentIndex(), 0)]
        rows = [r for r in every if wanted is None or r.shown == wanted]
        self.count.setText(t("appt.count", n=len(every), waiting=sum(r.shown == "waiting" for r in every),
                             late=sum(r.shown == "late" for r in every)))  # fmt: skip
        self.ids = [r.appointment.appointment_id for r in rows]
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            a = row.appointment
            values = (a.at.strftime("%H:%M"), a.patient_id, a.department_code or "", a.physician_code or "",
                      t(f"appt.{row.shown}"), str(row.number) if row.number is not None else "", a.note or "")
            for column, value in enumerate(values):
                self.table.setItem(index, column, QTableWidgetItem(value))

    def select(self, appointment_id: str) -> bool:
        if appointment_id not in self.ids:
            return False
        self.table.selectRow(self.ids.index(appointment_id))
        return True

    def _chosen(self) -> tuple[str, Actor] | None:
        row, actor = self.table.currentRow(), self.actor()
        if row < 0 or row >= len(self.ids) or actor is None:
            return None
        return self.ids[row], actor

    def check_in(self) -> None:
        chosen = self._chosen()
        if chosen is None:
            return
        try:
            reception = self.desk.check_in(chosen[0], by=chosen[1])
            self.message.setText(t("appt.received", n=reception.number))
        except UketsukeError as exc:
            self.message.setText(f"{exc.ja} / {exc.en}")
        self.refresh()

    def set_state(self, state: AppointmentState) -> None:
        chosen = self._chosen()
        if chosen is None:
            return
        try:
            self.desk.set_state(chosen[0], state, by=chosen[1])
            self.message.setText(t("appt.done"))
        except UketsukeError as exc:
            self.message.setText(f"{exc.ja} / {exc.en}")
        self.refresh()
