"""`uketsuke demo` with a display: the kiosk, the staff console and a small "demo control" panel that makes a
simulated patient use the face-auth reader, or (when socat is there) pass a magnetic 診察券 through a simulated
再来受付機 on a PTY pair. The agent's work runs on a timer in the same process. Virtual PC/SC readers are not
started by the demo: they need pcscd in a private namespace (see tests/simulators/pcsc_stack.py)."""

from __future__ import annotations

import shutil
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QVBoxLayout, QWidget

from drivers.serial.card_reader import SerialCardInput
from kiosk.demo.oqs_terminal import Person
from kiosk.demo.sample_registry import NEW_PATIENT, RETURNING, TWIN_NEW, WITH_REFERENCE
from kiosk.demo.world import DEMO_ADMIN, DemoWorld, FollowingClock
from kiosk.services.appointment_desk import AppointmentDesk
from kiosk.services.audit import AuditTrail
from kiosk.services.runtime_settings import RuntimeSettings
from kiosk.ui.fonts import japanese_family
from kiosk.ui.patient.app import kiosk_sounds
from kiosk.ui.patient.screens import Look
from kiosk.ui.patient.style import Metrics
from kiosk.ui.patient.voice import Speaker
from kiosk.ui.patient.window import KioskWindow
from kiosk.ui.staff.window import StaffServices, StaffWindow

PEOPLE: list[tuple[str, Person]] = [
    ("試験 太郎（照会番号なし → 自動連携、照会番号を登録）", RETURNING),
    ("見本 花子（照会番号あり → 即時に連携）", WITH_REFERENCE),
    ("模擬 彩音（双子の妹、台帳になし → スタッフが確認）", TWIN_NEW),
    ("架空 さくら（初めての方）", NEW_PATIENT),
]


class SerialDevice:
    """The simulated 再来受付機 on a socat PTY pair: the kiosk reads magnetic cards through it."""

    def __init__(self, folder: Path) -> None:
        from drivers.serial.framing import FramingConfig
        from drivers.serial.link import Link
        from drivers.serial.port import PortSpec, ReconnectingPort
        from kiosk.demo.pty_pair import PtyPair
        from kiosk.demo.reception_device import Device

        self.pair = PtyPair(folder, "demo")
        self.pair.start()
        port = ReconnectingPort(PortSpec(name=self.pair.host))
        port.timeout = 0.05
        port.read(1)  # open now: pyserial flushes input on open
        self.cards = SerialCardInput(Link(port, FramingConfig(response_timeout=0.5)), r";(\d+)\?").start()
        self.device = Device(self.pair.device)
        self.answers: list[str] = []
        self._seq = 0

    def swipe(self, card_number: str) -> None:
        """A patient passes a magnetic 診察券 through the machine; its answer (RECV / MADO) is kept."""
        self._seq += 1
        seq = f"{self._seq:04d}"

        def run() -> None:
            if self.device.send(f"CARD|{seq}|;{card_number}?"):
                answer = self.device.receive(30.0)
                if answer:
                    self.answers.append(answer)

        threading.Thread(target=run, daemon=True).start()

    def close(self) -> None:
        self.cards.stop()
        self.device.close()
        self.pair.stop()


class DemoControl(QWidget):
    def __init__(self, world: DemoWorld, serial: SerialDevice | None = None) -> None:
        super().__init__()
        self.world = world
        self.serial = serial
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
        if serial is not None:
            swipe = QPushButton("再来受付機に磁気診察券を通す（試験 太郎、患者番号 1001）")
            swipe.setObjectName("demo_swipe")
            swipe.clicked.connect(lambda: serial.swipe("1001"))
            layout.addWidget(swipe)
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
    serial: SerialDevice | None = None
    speaker: Speaker | None = None  # the demo speaks every screen, as the kiosk does

    def close(self) -> None:
        self.timer.stop()
        self.kiosk.close()
        self.staff.close()
        self.control.close()
        if self.serial is not None:
            self.serial.close()
        self.world.close()


def build_window_demo(patients: int) -> WindowDemo:
    world = DemoWorld(patients=patients, clock=FollowingClock())
    serial = SerialDevice(world.root) if shutil.which("socat") else None  # the 再来受付機, when socat is there
    if serial is not None:
        world.flow.cards = serial.cards
    sessions = world.store.sessions
    look = Look(Metrics(scale=0.6), japanese_family(), ("ja", "en"), world.settings.kiosk.hours)
    kiosk = KioskWindow(world.flow, look)
    kiosk.allow_close = True
    speaker = Speaker(world.flow, kiosk_sounds(world.settings.kiosk))
    kiosk.on_touch = speaker.touched
    services = StaffServices(
        accounts=world.accounts, console=world.console,
        review=world.review, audit=AuditTrail(sessions),
        runtime=RuntimeSettings(sessions, world.clock, default_mode="on"), engine=world.store.engine,
        appointments=AppointmentDesk(sessions, world.store.registry, world.clock),
    )  # fmt: skip
    staff = StaffWindow(services, auto_lock_seconds=3600)
    staff.login.login.setText(DEMO_ADMIN[0])
    staff.login.secret.setText(DEMO_ADMIN[1])
    staff.login.submit()
    control = DemoControl(world, serial)
    timer = QTimer()
    timer.setInterval(500)
    timer.timeout.connect(world.agent_pass)
    timer.start()
    return WindowDemo(world, kiosk, staff, control, timer, serial, speaker)


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
        demo.close()
