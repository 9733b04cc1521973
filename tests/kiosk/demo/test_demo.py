"""`uketsuke demo`: the headless story as CI runs it (exit 0 only if every step happened), and the window demo
built offscreen with a simulated patient walking through the kiosk."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from kiosk.core.kiosk_flow import Screen
from kiosk.demo.sample_registry import RETURNING
from kiosk.demo.window import build_window_demo
from tests.kiosk.cli.conftest import run_cli


def test_headless_demo_shows_every_step() -> None:
    done = run_cli("demo", "--headless", "--patients", "500")
    assert done.returncode == 0, done.stdout + done.stderr
    timeline = done.stdout
    for expected in ("自動連携", "照会番号の登録", "照会番号で即時に連携", "双子の妹", "新しい患者", "壊れたファイル",
                     "翌日", "受付番号", "every step happened"):  # fmt: skip
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
        assert flow.screen is Screen.CONFIRM_PERSON
        assert any("試験 太郎" in text for text in demo.kiosk.visible_texts())
        demo.staff.main.refresh()
        assert demo.staff.main.model.rowCount() == 1
    finally:
        demo.timer.stop()
        demo.kiosk.close()
        demo.staff.close()
        demo.world.close()
