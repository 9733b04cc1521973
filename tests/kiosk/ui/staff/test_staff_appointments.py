"""The staff console's 予約 tab (Qt offscreen, the real store on SQLite and PostgreSQL): today's appointments
with 来院済 / 未来院 / 遅れ, the filter, and the clerk's check-in, cancel and no-show — each audited, each refused
without an account that may."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from PySide6.QtWidgets import QComboBox
from sqlalchemy import select

from kiosk.core.appointments import AppointmentState, rows_from_csv
from kiosk.core.errors import UketsukeError
from kiosk.core.staff_roles import Actor
from kiosk.store.models import AuditRecord
from tests.kiosk.ui.staff.conftest import CLERK, Console


def book(console: Console) -> None:
    clinic = console.clinic
    clinic.clock.moment = datetime.combine(clinic.clock.now().date(), time(10, 0))
    day = clinic.clock.now().date().isoformat()
    csv = "\n".join(["appointment_id,patient_id,date,time,department_code,physician_code,note",
                     f"Y-1,2001,{day},09:00,01,D1,", f"Y-2,2002,{day},10:30,02,D1,再診",
                     f"Y-3,2003,{day},11:00,01,D1,"])  # fmt: skip
    clinic.store.registry.book.import_rows(rows_from_csv(csv))


def shown(console: Console) -> dict[str, str]:
    tab = console.window.main.appointments
    assert tab is not None
    tab.refresh()
    return {tab.table.item(r, 1).text(): tab.table.item(r, 4).text() for r in range(tab.table.rowCount())}


def audited(console: Console) -> list[tuple[str, str, str | None]]:
    with console.clinic.store.sessions() as session:
        return [(r.actor, r.action, r.subject) for r in session.scalars(
            select(AuditRecord).where(AuditRecord.action.like("appointment_%")).order_by(AuditRecord.id))]


def test_todays_appointments_with_arrival_state_and_the_clerks_acts(console: Console) -> None:
    book(console)
    console.log_in(*CLERK)
    tab = console.window.main.appointments
    assert tab is not None
    assert shown(console) == {"2001": "遅れ", "2002": "未来院", "2003": "未来院"}
    assert "本日の予約 3件（未来院 2・遅れ 1）" in tab.count.text()
    # the late patient is at the counter: the clerk checks them in against the appointment
    assert tab.select("Y-1")
    console.press("apptCheckIn")
    (reception,) = console.clinic.receptions()
    assert (reception.patient_id, reception.appointment_id) == ("2001", "Y-1")
    assert f"受付番号 {reception.number}" in tab.message.text()
    assert shown(console)["2001"] == "来院済"
    assert tab.table.item(tab.ids.index("Y-1"), 5).text() == str(reception.number)
    assert tab.select("Y-2")
    console.press("apptCancel")
    assert tab.select("Y-3")
    console.press("apptNoShow")
    assert shown(console) == {"2001": "来院済", "2002": "取消", "2003": "来院せず"}
    assert audited(console) == [("clerk1", "appointment_check_in", "2001"), ("clerk1", "appointment_cancelled", "2002"),
                                ("clerk1", "appointment_no_show", "2003")]  # fmt: skip
    # the filter keeps one state
    combo = console.window.findChild(QComboBox, "appointmentFilter")
    assert combo is not None
    combo.setCurrentIndex(combo.findText("来院済"))
    assert [tab.table.item(r, 1).text() for r in range(tab.table.rowCount())] == ["2001"]


def test_an_account_that_may_not_changes_nothing(console: Console) -> None:
    book(console)
    desk = console.services.appointments
    assert desk is not None
    with pytest.raises(UketsukeError):
        desk.set_state("Y-2", AppointmentState.CANCELLED, by=Actor("nobody", "", "clerk"))
    with pytest.raises(UketsukeError) as unknown:
        desk.check_in("Y-9", by=console.clerk)
    assert unknown.value.code == "unknown_appointment"
    assert {a.state for a in console.clinic.store.registry.appointments_on(console.clinic.clock.now().date())} == {
        AppointmentState.BOOKED}  # fmt: skip
    assert audited(console) == [] and console.clinic.receptions() == []
