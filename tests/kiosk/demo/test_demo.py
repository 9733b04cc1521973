"""`uketsuke demo`: the headless story as CI runs it (exit 0 only if every step happened), and the window demo
built offscreen with a simulated patient walking through the kiosk."""

from __future__ import annotations

import shutil

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from kiosk.core.face import parse_yyyymmdd
from kiosk.core.kiosk_flow import Screen
from kiosk.demo.sample_registry import RETURNING
from kiosk.demo.window import build_window_demo
from tests.conftest import need_stack
from tests.kiosk.cli.conftest import run_cli


def test_headless_demo_shows_every_step() -> None:
    done = run_cli("demo", "--headless", "--patients", "500")
    assert done.returncode == 0, done.stdout + done.stderr
    timeline = done.stdout
    for expected in ("自動連携", "照会番号の登録", "照会番号で即時に連携", "双子の妹", "新しい患者", "壊れたファイル",
                     "翌日", "受付番号", "予約受付: 小児科の予約", "every step happened"):  # fmt: skip
        assert expected in timeline, expected
    assert "✗" not in timeline and "Traceback" not in done.stderr


def test_window_demo_walks_a_patient_through_the_kiosk(qtbot: QtBot) -> None:
    demo = build_window_demo(200)
    try:
        for widget in (demo.kiosk, demo.staff, demo.control):
            qtbot.addWidget(widget)
        assert demo.staff.actor is not None  # the demo administrator is logged in
        flow = demo.world.flow
        flow.start()
        flow.choose_face()
        demo.world.use_face_reader(RETURNING)
        demo.world.agent_pass()
        flow.tick()
        assert flow.screen is Screen.PICK_BIRTHDATE  # nothing of the result is shown before the birthdate
        assert not any("太郎" in text for text in demo.kiosk.visible_texts())
        day = parse_yyyymmdd(RETURNING.birthdate)
        assert day is not None
        flow.birthdate_entered(day)
        assert flow.screen is Screen.CONFIRM_PERSON
        assert any("試験 ○○" in text for text in demo.kiosk.visible_texts())
        demo.staff.main.refresh()
        assert demo.staff.main.model.rowCount() == 1
    finally:
        demo.close()


def test_window_demo_reads_a_magnetic_card_through_the_reception_device(qtbot: QtBot) -> None:
    need_stack(shutil.which("socat") is not None, "socat")
    demo = build_window_demo(200)
    try:
        for widget in (demo.kiosk, demo.staff, demo.control):
            qtbot.addWidget(widget)
        assert demo.serial is not None
        swipe = demo.control.findChild(QPushButton, "demo_swipe")
        assert swipe is not None
        qtbot.mouseClick(swipe, Qt.MouseButton.LeftButton)
        flow = demo.world.flow
        qtbot.waitUntil(lambda: (flow.tick(), flow.screen)[1] is Screen.DEPARTMENT, timeout=10_000)
        flow.choose_department("01")
        flow.confirm_reception()
        assert flow.visit.ticket is not None
        number = flow.visit.ticket.number
        qtbot.waitUntil(lambda: bool(demo.serial and demo.serial.answers), timeout=10_000)
        assert demo.serial.answers[0].startswith(f"RECV|0001|{number}|")
    finally:
        demo.close()
