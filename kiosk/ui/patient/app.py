"""`uketsuke kiosk`: wires the flow to the store, readers and printer from the settings, then runs Qt."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from kiosk.bootstrap import kiosk_cards, kiosk_printer
from kiosk.core.clock import Clock, SystemClock
from kiosk.core.kiosk_flow import FaceBinding, KioskFlow, KioskTimings
from kiosk.core.kiosk_ports import CardInput, KioskDesk, SlipPrinter
from kiosk.logsetup import get_logger
from kiosk.settings import KioskSettings, Settings
from kiosk.ui.fonts import japanese_family
from kiosk.ui.patient.screens import Look
from kiosk.ui.patient.style import Metrics
from kiosk.ui.patient.voice import QtSounds, RecordedSounds, Sounds, Speaker
from kiosk.ui.patient.window import KioskWindow

log = get_logger("uketsuke.kiosk")


def timings(config: KioskSettings) -> KioskTimings:
    return KioskTimings(
        face_window=timedelta(seconds=config.face_window_seconds),
        face_lead=timedelta(seconds=config.face_lead_seconds),
        review_wait=timedelta(seconds=config.review_wait_seconds),
        idle=timedelta(seconds=config.idle_seconds),
        idle_warning=timedelta(seconds=config.idle_warning_seconds),
        done_return=timedelta(seconds=config.done_return_seconds),
        take_card=timedelta(seconds=config.take_card_seconds),
    )


@dataclass
class Kiosk:
    flow: KioskFlow
    window: KioskWindow
    speaker: Speaker


def kiosk_sounds(config: KioskSettings) -> Sounds:
    """Qt's audio, or a silent recorder when sound is off in the config or Qt Multimedia cannot load (on Linux it
    needs libpulse); the kiosk works either way."""
    if not config.sound:
        return RecordedSounds()
    try:
        return QtSounds(volume=config.volume)
    except ImportError as exc:
        log.warning("kiosk_sound_unavailable", error=type(exc).__name__,
                    ja="音声を再生できません（Qt Multimedia を読み込めません）。画面だけで案内します",
                    en="no sound: Qt Multimedia could not be loaded; the screens still guide the patient")  # fmt: skip
        return RecordedSounds()


def build_kiosk(
    config: KioskSettings,
    desk: KioskDesk,
    *,
    cards: CardInput,
    printer: SlipPrinter,
    clock: Clock | None = None,
    tick_ms: int = 250,
    sounds: Sounds | None = None,
) -> Kiosk:
    """The flow and its window (a QApplication must exist)."""
    flow = KioskFlow(desk, clock or SystemClock(), cards=cards, printer=printer, clinic=config.clinic_name,
                     kiosk_id=config.kiosk_id, timings=timings(config), mynumber_reader=config.mynumber_pin,
                     default_language=config.languages[0], name_on_slip=config.name_on_slip,
                     face_binding=FaceBinding(config.face_binding))  # fmt: skip
    look = Look(Metrics(config.px_per_mm, config.scale), japanese_family(), tuple(config.languages), config.hours)
    window = KioskWindow(flow, look, exit_pin_hash=config.exit_pin_hash, tick_ms=tick_ms)
    speaker = Speaker(flow, sounds if sounds is not None else RecordedSounds())
    window.on_touch = speaker.touched
    return Kiosk(flow, window, speaker)


def run_kiosk(settings: Settings, *, windowed: bool = False) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    from kiosk.kiosk_remote import desk_for_kiosk

    config = settings.kiosk
    kiosk = build_kiosk(config, desk_for_kiosk(settings), cards=kiosk_cards(settings),
                        printer=kiosk_printer(settings), sounds=kiosk_sounds(config))  # fmt: skip
    window = kiosk.window
    if windowed or not config.fullscreen:
        window.allow_close = True
        window.resize(1280, 800)
        window.show()
    else:
        screen = next((s for s in app.screens() if s.name() == config.screen), app.primaryScreen())
        window.setWindowFlag(Qt.WindowType.FramelessWindowHint)
        window.setScreen(screen)
        window.setGeometry(screen.geometry())
        QApplication.setOverrideCursor(Qt.CursorShape.BlankCursor)
        window.showFullScreen()
    log.info("kiosk_started", kiosk_id=config.kiosk_id)
    return app.exec()
