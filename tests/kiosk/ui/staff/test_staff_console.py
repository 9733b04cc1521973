"""The staff console end to end (offscreen Qt, real store): review, link, register, reject, undo, accounts,
audit, live updates and auto-lock — with a kiosk waiting on the decision where it matters."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from sqlalchemy import select, text

from kiosk.core.errors import UketsukeError
from kiosk.core.kiosk_flow import Screen
from kiosk.demo.oqs_terminal import Person
from kiosk.services.accounts import Actor
from kiosk.store.models import AuditRecord, CrEntry, ReferenceRegistration
from tests.kiosk.services.test_audit_tamper import unguard
from tests.kiosk.ui.conftest import JIRO_NEW_JOB, PERSONAL, TARO, Clinic
from tests.kiosk.ui.staff.conftest import ADMIN, CLERK, Console, answer_dialog

STRANGER = Person("試験 新子", "シケン シンコ", "19700303", "2", "06999996", "新", "7001", "01")


def actions(console: Console) -> list[str]:
    with console.clinic.store.sessions() as session:
        return list(session.scalars(select(AuditRecord.action).order_by(AuditRecord.id)))


def entry(clinic: Clinic, entry_id: int) -> CrEntry:
    with clinic.store.sessions() as session:
        row = session.get(CrEntry, entry_id)
        assert row is not None
        return row


def test_review_and_link_lets_the_waiting_kiosk_go_on(clinic: Clinic, console: Console) -> None:
    kiosk, face_id = clinic.waiting_for_staff(JIRO_NEW_JOB)
    assert kiosk.flow.screen is Screen.CHECKING
    console.log_in(*CLERK)
    main = console.window.main
    assert "1人" in main.banner.text()  # the kiosk's patient is waiting
    entry_id = clinic.entry_id(face_id)
    console.open(entry_id)
    panel = main.panel
    assert panel.candidates.count() >= 1 and panel.candidates.item(0).text().startswith("1. 2003")
    console.key(Qt.Key.Key_Return)  # nothing chosen yet: nothing happens
    assert entry(clinic, entry_id).status == "needs_review"
    console.key(Qt.Key.Key_1)
    verdicts = {panel.comparison.item(r, 0).text(): panel.comparison.item(r, 3).text()
                for r in range(panel.comparison.rowCount())}  # fmt: skip
    assert verdicts["生年月日"] == "一致" and verdicts["保険者番号"] == "相違"
    console.key(Qt.Key.Key_Return)
    assert entry(clinic, entry_id).status == "linked" and entry(clinic, entry_id).patient_id == "2003"
    kiosk.flow.tick()
    assert kiosk.flow.screen is Screen.DEPARTMENT
    assert actions(console)[-1] == "link"


def test_link_and_register_the_reference_number(clinic: Clinic, console: Console) -> None:
    face_id = clinic.face(JIRO_NEW_JOB)
    console.log_in(*CLERK)
    console.open(clinic.entry_id(face_id))
    console.key(Qt.Key.Key_1)
    console.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    with clinic.store.sessions() as session:
        rows = session.scalars(select(ReferenceRegistration)).all()
        assert [(r.patient_id, r.trigger, r.state, r.insurer_number.strip()) for r in rows] == [
            ("2003", "manual", "pending", "06999995")
        ]
    console.reference.publish_pending()
    assert any(clinic.terminal.req.iterdir())  # the request went to the terminal's req folder


def test_a_new_patient_from_the_face_result(clinic: Clinic, console: Console) -> None:
    face_id = clinic.face(STRANGER)
    entry_id = clinic.entry_id(face_id)
    assert entry(clinic, entry_id).status == "no_match"
    console.log_in(*CLERK)
    console.open(entry_id)
    seen = answer_dialog(clinic.qtbot, yes=False)
    console.key(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert seen and "試験 新子" in seen[0] and entry(clinic, entry_id).status == "no_match"  # asked first
    seen = answer_dialog(clinic.qtbot, yes=True)
    console.key(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    linked = entry(clinic, entry_id)
    assert linked.status == "linked" and linked.patient_id is not None
    record = clinic.store.registry.get_patient(linked.patient_id)
    assert record is not None and record.names[0].name == "試験 新子"
    assert "create_patient" in actions(console)
    assert linked.patient_id in console.message() and "作成して連携しました" in console.message()
    panel = console.window.main.panel
    assert not panel.buttons["new_patient"].isEnabled() and not panel.buttons["link"].isEnabled()
    assert panel.buttons["unlink"].isEnabled() and panel.buttons["undo"].isEnabled()


def test_reject_needs_a_reason_and_undo_restores(clinic: Clinic, console: Console) -> None:
    face_id = clinic.face(JIRO_NEW_JOB)
    entry_id = clinic.entry_id(face_id)
    console.log_in(*CLERK)
    console.open(entry_id)
    console.press("action_reject")
    assert "理由" in console.message() and entry(clinic, entry_id).status == "needs_review"
    console.type_reason("テストカード")
    console.press("action_reject")
    assert entry(clinic, entry_id).status == "rejected"
    console.type_reason("誤って対象外にした")
    console.press("action_undo")
    assert entry(clinic, entry_id).status == "needs_review"
    assert actions(console)[-2:] == ["reject", "undo"]


def test_unlink_cancels_the_reception_it_caused(clinic: Clinic, console: Console) -> None:
    kiosk = clinic.kiosk()
    clinic.visit_with_face(kiosk, TARO)
    [reception] = clinic.receptions()
    face_id = kiosk.flow.visit.face.face_file_id  # type: ignore[union-attr]
    console.log_in(*CLERK)
    console.open(clinic.entry_id(face_id))
    console.type_reason("別の患者さまでした")
    console.press("action_unlink")
    cancelled = clinic.store.registry.reception(reception.reception_id)
    assert cancelled is not None and cancelled.state == "cancelled"
    row = entry(clinic, clinic.entry_id(face_id))
    assert (row.status, row.patient_id, row.reception_id) == ("needs_review", None, None)
    assert actions(console)[-2:] == ["unlink", "reception_cancel"]


def test_a_link_against_a_difference_is_confirmed_in_a_dialog(clinic: Clinic, console: Console) -> None:
    face_id = clinic.face(JIRO_NEW_JOB)
    entry_id = clinic.entry_id(face_id)
    console.log_in(*CLERK)
    console.open(entry_id)
    console.find("2001")  # 太郎: another birthdate and name
    assert console.window.main.panel.selected_patient() == "2001"
    seen = answer_dialog(console.clinic.qtbot, yes=False)
    console.key(Qt.Key.Key_Return)
    assert seen and "生年月日" in seen[0] and "2001" in seen[0]
    assert entry(clinic, entry_id).status == "needs_review" and "やめました" in console.message()
    seen = answer_dialog(console.clinic.qtbot, yes=True)
    console.key(Qt.Key.Key_Return)
    assert seen and entry(clinic, entry_id).patient_id == "2001"
    assert "2001" in console.message() and "連携しました" in console.message()


def test_a_clerk_cannot_change_the_linking_mode(clinic: Clinic, console: Console) -> None:
    console.log_in(*CLERK)
    main = console.window.main
    assert main.tabs.indexOf(main.admin) < 0  # no administration tab for a clerk
    with pytest.raises(UketsukeError):
        console.services.runtime.set_linking_mode("off", by=Actor(CLERK[0], "", "clerk"))
    console.press("lockButton")
    console.log_in(*ADMIN)
    assert main.tabs.indexOf(main.admin) >= 0
    main.mode.setCurrentIndex(main.mode.findData("off"))
    console.press("applyMode")
    assert console.services.runtime.linking_mode() == "off"
    # the agent's next decision follows the new mode: 太郎 would be auto-linked, now staff decide
    face_id = clinic.face(TARO)
    assert entry(clinic, clinic.entry_id(face_id)).status == "needs_review"
    assert "setting_change" in actions(console)


def test_audit_verify_detects_a_tampered_row(clinic: Clinic, console: Console) -> None:
    face_id = clinic.face(JIRO_NEW_JOB)
    console.log_in(*CLERK)
    console.open(clinic.entry_id(face_id))
    console.key(Qt.Key.Key_1)
    console.key(Qt.Key.Key_Return)
    main = console.window.main
    assert main.verify_audit()
    unguard(clinic.store)  # the database refuses the edit; an attacker with the file removes that guard first
    with clinic.store.engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET actor = 'someone' WHERE action = 'link'"))
    assert not main.verify_audit()
    assert "書き換え" in main.audit_message.text()


def test_live_update_when_the_agent_stores_a_new_file(clinic: Clinic, console: Console) -> None:
    console.log_in(*CLERK)
    model = console.window.main.model
    before = model.rowCount()
    started = time.monotonic()
    clinic.face(JIRO_NEW_JOB)  # the agent (ingest service) stores a face file in another connection
    clinic.qtbot.waitUntil(lambda: model.rowCount() == before + 1, timeout=3000)
    assert time.monotonic() - started < 3.0
    row = console.window.main.model.rows[0]
    assert row.name == "試験 次郎" and row.status == "needs_review"  # the new entry, as the agent stored it


def test_auto_lock_wipes_the_screen(clinic: Clinic, console: Console) -> None:
    clinic.face(TARO)
    console.log_in(*CLERK)
    console.window.idle.setInterval(200)
    console.window.idle.start()
    window = console.window
    assert window.main.model.rowCount() == 1
    clinic.qtbot.waitUntil(lambda: window.stack.currentWidget() is window.login, timeout=3000)
    assert window.main.model.rowCount() == 0
    shown = " ".join(w.text() for w in window.findChildren(QLabel))
    assert not [value for value in PERSONAL if value in shown]
    assert "ロック" in window.login.message.text()


def test_wrong_passwords_lock_the_account(clinic: Clinic, console: Console) -> None:
    for _ in range(5):
        console.log_in(CLERK[0], "wrong")
    console.log_in(*CLERK)
    assert console.window.stack.currentWidget() is console.window.login
    assert "account_locked" in actions(console)


def test_first_start_creates_the_administrator(clinic: Clinic) -> None:
    from kiosk.ui.staff.window import StaffWindow
    from tests.kiosk.ui.staff.conftest import build_services

    services = build_services(clinic, clinic.store.registry, None)  # type: ignore[arg-type]
    window = StaffWindow(services, live=False)
    clinic.qtbot.addWidget(window)
    page = window.login
    assert page.first and page.again.isVisibleTo(window)
    page.login.setText("admin1")
    page.name.setText("試験 管理者")
    page.secret.setText("adminpass1")
    page.again.setText("adminpass1")
    page.submit()
    assert window.actor is not None and window.actor.is_admin
