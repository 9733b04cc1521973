"""The staff console on the kiosk tests' clinic: the same store, registry, terminal and clock."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from kiosk.core.registry import ReceptionRegistry
from kiosk.demo.oqs_terminal import MIC
from kiosk.services.accounts import AccountService, Actor
from kiosk.services.appointment_desk import AppointmentDesk
from kiosk.services.audit import AuditTrail
from kiosk.services.reference_registration import ReferenceFolders, ReferenceService
from kiosk.services.review import ReviewService
from kiosk.services.runtime_settings import RuntimeSettings
from kiosk.services.staff_console import StaffConsole
from kiosk.ui.staff.search_box import RegistrySearch
from kiosk.ui.staff.window import StaffServices, StaffWindow
from tests.kiosk.ui.conftest import Clinic
from tests.staff_accounts import staff_actor


@pytest.fixture
def desk_mode() -> str:
    """The staff console does not use a kiosk desk: one mode is enough."""
    return "local"

ADMIN, CLERK = ("admin1", "adminpass1"), ("clerk1", "clerkpass1")


@dataclass
class Console:
    clinic: Clinic
    services: StaffServices
    window: StaffWindow
    reference: ReferenceService

    @property
    def clerk(self) -> Actor:
        """The clerk's account as a login returns it (for acting through the services directly)."""
        return Actor(CLERK[0], "試験 受付", "clerk")

    def log_in(self, login: str, secret: str) -> None:
        page = self.window.login
        page.login.setText(login)
        page.secret.setText(secret)
        self.clinic.qtbot.mouseClick(page.go, Qt.MouseButton.LeftButton)

    def press(self, name: str) -> None:
        button = self.window.findChild(QPushButton, name)
        assert button is not None and button.isEnabled(), name
        self.clinic.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    def type_reason(self, text: str) -> None:
        field = self.window.findChild(QLineEdit, "reason")
        assert field is not None
        field.setText(text)

    def key(self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        table = self.window.main.table
        if QApplication.activeWindow() is not self.window:  # offscreen Qt does not give it back after a dialog
            self.window.activateWindow()
            self.clinic.qtbot.waitUntil(lambda: QApplication.activeWindow() is self.window, timeout=2000)
        table.setFocus()  # the shortcuts live on the list, as for a clerk who just moved with ↑↓
        self.clinic.qtbot.keyClick(table, key, modifier)

    def open(self, entry_id: int) -> None:
        self.window.main.refresh()
        assert self.window.main.select_entry(entry_id), f"entry {entry_id} not in the list"

    def message(self) -> str:
        return self.window.main.panel.message.text()

    def find(self, text: str, pick: int = 0) -> None:
        """Ctrl+F, type, Enter searches, ↓ to the result, Enter adds it to the comparison — as a clerk would."""
        search(self.clinic.qtbot, self.window.main.panel.search, text, pick, start=lambda: self.key(
            Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier))


def search(qtbot: QtBot, box: RegistrySearch, text: str, pick: int = 0,
           start: Callable[[], None] | None = None) -> None:  # fmt: skip
    if start is not None:
        start()
    else:
        box.start()
    assert box.text.hasFocus() or start is None, "Ctrl+F did not reach the search"
    box.text.setText(text)
    qtbot.keyClick(box.text, Qt.Key.Key_Return)
    assert box.results.count() > pick, box.note.text()
    for _ in range(pick):
        qtbot.keyClick(box.results, Qt.Key.Key_Down)
    qtbot.keyClick(box.results, Qt.Key.Key_Return)


def answer_dialog(qtbot: QtBot, yes: bool) -> list[str]:
    """Answer the next confirmation dialog with its real button; returns the dialog's text once it was seen."""
    seen: list[str] = []

    def click() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QMessageBox):
            seen.append(dialog.text())
            button = dialog.findChild(QPushButton, "confirmYes" if yes else "confirmNo")
            assert button is not None
            button.click()
        else:
            QTimer.singleShot(10, click)

    QTimer.singleShot(0, click)
    return seen


def build_services(clinic: Clinic, registry: ReceptionRegistry, reference: ReferenceService) -> StaffServices:
    sessions = clinic.store.sessions
    return StaffServices(
        accounts=AccountService(sessions, clinic.clock),
        console=StaffConsole(sessions, registry, clinic.clock),
        review=ReviewService(sessions, clinic.clock, registry=registry, reference=reference),
        audit=AuditTrail(sessions),
        runtime=RuntimeSettings(sessions, clinic.clock, default_mode="on"),
        engine=clinic.store.engine,
        appointments=AppointmentDesk(sessions, registry, clinic.clock),
    )


@pytest.fixture(autouse=True)
def no_forgotten_dialog(qtbot: QtBot) -> Iterator[None]:
    """A confirmation nobody answers would block the test run forever: close it after 3 s and fail the test."""
    forgotten: list[str] = []
    first_seen: dict[int, float] = {}

    def watch() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QMessageBox):
            since = first_seen.setdefault(id(dialog), time.monotonic())
            if time.monotonic() - since > 3:
                forgotten.append(dialog.text())
                dialog.reject()

    watchdog = QTimer(interval=200)
    watchdog.timeout.connect(watch)
    watchdog.start()
    yield
    watchdog.stop()
    assert not forgotten, f"a dialog was left unanswered: {forgotten}"


@pytest.fixture
def console(clinic: Clinic, tmp_path: Path) -> Iterator[Console]:
    terminal = clinic.terminal
    folders = ReferenceFolders(MIC, terminal.req, terminal.res, "utf-8", timedelta(seconds=60))
    reference = ReferenceService(clinic.store.sessions, folders, clinic.clock)
    services = build_services(clinic, clinic.store.registry, reference)
    # the accounts are rows with their passwords' hashes made once per test run (scrypt at 2^17 is slow on
    # purpose); creating accounts through the service is tested in tests/kiosk/services/test_accounts_security.py
    staff_actor(clinic.store.sessions, ADMIN[0], "admin", password=ADMIN[1], display_name="試験 管理者")
    staff_actor(clinic.store.sessions, CLERK[0], "clerk", password=CLERK[1], display_name="試験 受付")
    window = StaffWindow(services, auto_lock_seconds=600)
    clinic.qtbot.addWidget(window)
    window.resize(1600, 900)
    window.show()
    yield Console(clinic, services, window, reference)
    window.close()
