"""`uketsuke demo` with a display: the kiosk, the staff console and a small "demo control" panel that makes a
simulated patient use the face-auth reader. The agent's work runs on a timer in the same process."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.demo.oqs_terminal import Person
from kiosk.demo.sample_registry import NEW_PATIENT, RETURNING, TWIN_NEW, WITH_REFERENCE
from kiosk.demo.world import DemoWorld, FollowingClock
from kiosk.services.accounts import AccountService
from kiosk.services.audit import AuditTrail
from kiosk.services.runtime_settings import RuntimeSettings
from kiosk.services.staff_console import StaffConsole
from kiosk.ui.fonts import japanese_family
from kiosk.ui.patient.screens import Look
from kiosk.ui.patient.style import Metrics
from kiosk.ui.patient.window import KioskWindow
from kiosk.ui.staff.window import StaffServices, StaffWindow

PEOPLE: list[tuple[str, Person]] = [
    ("試験 太郎（照会番号なし → 自動連携、照会番号を登録）", RETURNING),
    ("見本 花子（照会番号あり → 即時に連携）", WITH_REFERENCE),
    ("模擬 彩音（双子の妹、台帳になし → スタッフが確認）", TWIN_NEW),
    ("架空 さくら（初めての方）", NEW_PATIENT),
]
DEMO_ADMIN = ("demo", "demo-pass")


class DemoControl(QWidget):
    def __init__(self, world: DemoWorld) -> None:
        super().__init__()
        self.world = world
        self.setWindowTitle("Uketsuke デモ操作 / demo control")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("1. キオスクで「受付」→「マイナンバーカード」を押してから、\n"
                                "2. 下のボタンで患者さまに顔認証付きカードリーダーを使ってもらいます。"))  # fmt: skip
        for label, person in PEOPLE:
            button = QPushButton(label)
            button.setObjectName(f"demo_{person.kana}")
            button.clicked.connect(lambda _=False, p=person: self.world.use_face_reader(p))
            layout.addWidget(button)
        broken = QPushButton("壊れたファイルを置く")
        broken.clicked.connect(self.broken_file)
        layout.addWidget(broken)
        tomorrow = QPushButton("翌日にする（照会番号で即時に連携されるのを見る）")
        tomorrow.clicked.connect(lambda: self.world.clock.advance(24 * 3600))
        layout.addWidget(tomorrow)

    def broken_file(self) -> None:
        path = self.world.terminal.face / f"OQSsiquc01res_face_9919999999_{self.world.clock.now():%Y%m%d%H%M%S}.xml"
        path.write_bytes(b"<?xml version='1.0'?><XmlMsg><MessageHeader>")


@dataclass
class WindowDemo:
    world: DemoWorld
    kiosk: KioskWindow
    staff: StaffWindow
    control: DemoControl
    timer: QTimer


def build_window_demo(patients: int) -> WindowDemo:
    world = DemoWorld(patients=patients, clock=FollowingClock())
    sessions = world.store.sessions
    look = Look(Metrics(scale=0.6), japanese_family(), ("ja", "en"), world.settings.kiosk.hours)
    kiosk = KioskWindow(world.flow, look)
    kiosk.allow_close = True
    services = StaffServices(
        accounts=AccountService(sessions, world.clock),
        console=StaffConsole(sessions, world.store.registry, world.clock),
        review=world.review, audit=AuditTrail(sessions),
        runtime=RuntimeSettings(sessions, world.clock, default_mode="on"), engine=world.store.engine,
    )  # fmt: skip
    services.accounts.create(DEMO_ADMIN[0], "デモ 管理者", "admin", DEMO_ADMIN[1], by=None)
    staff = StaffWindow(services, auto_lock_seconds=3600)
    staff.login.login.setText(DEMO_ADMIN[0])
    staff.login.secret.setText(DEMO_ADMIN[1])
    staff.login.submit()
    control = DemoControl(world)
    timer = QTimer()
    timer.setInterval(500)
    timer.timeout.connect(world.agent_pass)
    timer.start()
    return WindowDemo(world, kiosk, staff, control, timer)


def run_window_demo(patients: int) -> int:  # pragma: no cover - needs a display; build_window_demo is tested
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    demo = build_window_demo(patients)
    demo.kiosk.resize(1100, 700)
    demo.kiosk.show()
    demo.staff.resize(1400, 850)
    demo.staff.show()
    demo.control.show()
    try:
        return int(app.exec())
    finally:
        demo.timer.stop()
        demo.world.close()
