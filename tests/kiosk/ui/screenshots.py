"""Render every kiosk screen at 1920×1080 and save PNGs for people to look at; report missing glyphs.

Run under Xvfb (real xcb platform) by tests/kiosk/ui/test_kiosk_screenshots.py:
    xvfb-run -a python -m tests.kiosk.ui.screenshots OUTDIR
Every screen in every kiosk language (OUTDIR/<language>/NN_screen.png). Prints one JSON object:
{"screens": {"ja/01_welcome": png}, "missing": {shot: [chars]}, "family": str, "seen": {language: [screens]}}.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import deque
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from PySide6.QtGui import QFontDatabase, QRawFont
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from kiosk.bootstrap import ingest_service, kiosk_desk, open_store
from kiosk.core.appointments import rows_from_csv
from kiosk.core.face import Identity
from kiosk.core.kiosk_ports import (
    CardEvent,
    CardFailure,
    CardIdentity,
    CardKind,
    CardRead,
    DeskUnavailable,
    PrintStatus,
    Slip,
)
from kiosk.core.registry import Department
from kiosk.demo.oqs_terminal import Terminal
from kiosk.services.registry_import import import_csv
from kiosk.settings import KioskSettings, settings_from_mapping
from kiosk.ui.patient.app import build_kiosk
from kiosk.ui.patient.widgets import RubyLabel
from tests.conftest import FIXTURES
from tests.kiosk.ui.conftest import HANAKO, JIRO_NEW_JOB, TARO, StepClock


class ScriptedCards:
    """Card events handed in by the script (the real readers are exercised in test_kiosk_devices)."""

    def __init__(self) -> None:
        self.events: deque[CardEvent] = deque()

    def poll(self) -> CardEvent | None:
        return self.events.popleft() if self.events else None

    def read_mynumber(self, pin: str) -> None:
        return None

    def answer(self, card: CardRead, ticket: object) -> None:
        return None

    def discard(self) -> None:
        self.events.clear()


class PaperPrinter:
    def print_slip(self, slip: Slip) -> PrintStatus:
        return PrintStatus.PRINTED


def run_under_xvfb(module: str, out: Path) -> dict[str, Any]:
    """Run a screenshot module in its own process on Xvfb (real xcb platform); its JSON report."""
    root = Path(__file__).resolve().parents[3]
    env = os.environ | {"QT_QPA_PLATFORM": "xcb"}
    done = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24", sys.executable, "-m", module, str(out)],
        cwd=root, env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


WRITING_SYSTEMS = {
    "zh": QFontDatabase.WritingSystem.SimplifiedChinese,
    "ko": QFontDatabase.WritingSystem.Korean,
    "vi": QFontDatabase.WritingSystem.Vietnamese,
    "en": QFontDatabase.WritingSystem.Latin,
}


class Camera:
    """Saves a window as PNG after letting Qt settle, and remembers which shots had characters no font can draw."""

    def __init__(self, window: QWidget, out: Path) -> None:
        self.window = window
        self.out = out
        self.shots: dict[str, str] = {}
        self.missing: dict[str, list[str]] = {}
        self.language: str | None = None  # the kiosk tour files each language in a folder of its own

    def shoot(self, name: str) -> None:
        app = QApplication.instance()
        for _ in range(3):
            if app is not None:
                app.processEvents()
        key = f"{self.language}/{name}" if self.language else name
        path = self.out / f"{key}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.window.grab().save(str(path))
        self.shots[key] = str(path)
        system = WRITING_SYSTEMS.get(self.language or "ja", QFontDatabase.WritingSystem.Japanese)
        gaps = missing_glyphs(self.window, system)
        if gaps:
            self.missing[key] = gaps


def missing_glyphs(window: QWidget, system: QFontDatabase.WritingSystem = QFontDatabase.WritingSystem.Japanese
                   ) -> list[str]:  # fmt: skip
    """Characters of visible text that the widget's own font cannot draw (they would show as tofu)."""
    missing: set[str] = set()
    for widget in window.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, RubyLabel):
            fonts_texts = [(font, widget.text()) for font in widget.fonts()[:1]]
        elif isinstance(widget, QLabel):
            fonts_texts = [(widget.font(), widget.text())]
        else:
            continue
        for font, shown in fonts_texts:
            # the font Qt draws the language with (its fallbacks included): a character none of them has is tofu
            raw = QRawFont.fromFont(font, system)
            missing.update(ch for ch in shown if not ch.isspace() and not raw.supportsCharacter(ord(ch)))
    return sorted(missing)


def main(out: Path) -> dict[str, object]:
    out.mkdir(parents=True, exist_ok=True)
    _app = QApplication.instance() or QApplication(sys.argv[:1])  # kept: Qt lives while this object does
    report: dict[str, Any] = {"screens": {}, "missing": {}, "seen": {}}
    for language in ("ja", "easy", "en", "zh", "ko", "vi"):
        part = tour(out, language)  # a clinic of its own per language: nobody is received twice
        for key in ("screens", "missing", "seen"):
            report[key] |= part[key]
        report["family"] = part["family"]
    return report


def tour(out: Path, language: str) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="uketsuke-shots-"))
    settings = settings_from_mapping({"store": {"url": f"sqlite:///{work / 'shots.db'}"},
                                      "paths": {"data_dir": str(work)}})  # fmt: skip
    store = open_store(settings)
    import_csv(store.sessions, FIXTURES / "registry" / "kiosk_clinic.csv")
    store.registry.set_departments([Department("01", "内科"), Department("02", "小児科")])
    store.registry.issue_card("CARD0001", "2001")
    store.registry.issue_card("CARD0002", "2002")
    store.registry.issue_card("CARD0004", "2004")
    clock = StepClock(datetime.combine(date.today(), time(10, 0)))
    store.registry.book.import_rows(rows_from_csv("\n".join([
        "appointment_id,patient_id,date,time,department_code,physician_code,note",
        f"Y-1,2004,{date.today()},10:30,01,D1,", f"Y-2,2004,{date.today()},11:00,02,D1,"])))  # fmt: skip
    terminal = Terminal(work / "OQS")
    ingest = ingest_service(settings, store, face_dir=str(terminal.face), clock=clock)
    cards = ScriptedCards()
    config = KioskSettings(clinic_name="試験クリニック", hours="月〜金 9:00–12:00 / 15:00–18:00", mynumber_pin=True)
    kiosk = build_kiosk(config, kiosk_desk(settings, store, clock), cards=cards, printer=PaperPrinter(), clock=clock,
                        tick_ms=60_000)  # fmt: skip
    flow, window = kiosk.flow, kiosk.window
    window.allow_close = True
    window.resize(1920, 1080)
    window.show()
    camera = Camera(window, out)
    camera.language = language
    shoot = camera.shoot

    def face(person: object) -> None:
        clock.advance(1)
        terminal.card_reader_use(person, when=clock.now())  # type: ignore[arg-type]
        ingest.scan(final=True)

    seen: dict[str, set[str]] = {}

    def shot(name: str) -> None:
        seen.setdefault(camera.language, set()).add(flow.screen.value)
        shoot(name)

    def again(language: str) -> None:
        flow.reset()
        flow.set_language(language)
        flow.start()

    flow.reset()
    flow.set_language(language)
    shot("01_welcome")
    flow.start()
    shot("02_method")
    flow.choose_face()
    shot("03_face_wait")
    face(TARO)
    face(HANAKO)
    flow.tick()
    shot("04_pick_birthdate")
    flow.birthdate_impossible()
    shot("04b_impossible_date")
    flow.birthdate_entered(TARO_BIRTH)
    shot("05_confirm_person")
    flow.confirm_person(True)
    shot("06_department")
    flow.choose_department("01")
    shot("07_confirm")
    flow.confirm_reception()
    shot("08_done")
    again(language)
    flow.choose_face()
    face(JIRO_NEW_JOB)
    flow.tick()
    flow.birthdate_entered(JIRO_BIRTH)
    flow.confirm_person(True)
    shot("09_checking")
    again(language)
    flow.choose_card()
    shot("10_card_wait")
    face(HANAKO)
    cards.events.append(CardRead(CardKind.IC, card_id="CARD0002"))
    flow.tick()
    shot("11_offer_reference")
    flow.accept_reference(False)
    flow.choose_department("02")
    flow.confirm_reception()  # the card still lies on the reader
    shot("12_take_card")
    again(language)  # 予約: 試験 一子 has two today and chooses; the number says which appointment it was
    flow.choose_card()
    cards.events.append(CardRead(CardKind.IC, card_id="CARD0004"))
    flow.tick()
    shot("12b_appointment")
    flow.choose_appointment(flow.visit.appointments[0].appointment_id)
    cards.events.append(CardFailure("removed"))
    flow.tick()
    shot("12c_done_appointment")
    again(language)
    cards.events.append(CardRead(CardKind.MYNUMBER, tries_left=3))
    flow.tick()
    shot("13_pin_entry")
    flow.pin_entered("0000")
    shot("14_reading")
    cards.events.append(CardIdentity(Identity(name="該当 なし", birthdate="19000101", sex="1", address="x")))
    flow.tick()
    shot("15_counter")
    flow.call_staff()
    shot("16_staff_called")
    again(language)
    flow.choose_first_visit()
    shot("17_first_visit")
    again(language)
    clock.advance(config.idle_seconds + 1)
    flow.tick()
    shot("18_idle_warning")
    flow.reset()

    def unreachable() -> None:
        raise DeskUnavailable()

    flow._guard(unreachable)
    shot("19_unavailable")
    clock.advance(3)
    flow.tick()  # the store answers again
    flow.reset()
    flow.set_language(language)
    flow.toggle_large_text()
    flow.start()
    flow.choose_face()
    face(TARO)
    flow.tick()
    shot("20_large_text_birthdate")
    flow.reset()
    result = {"screens": camera.shots, "missing": camera.missing, "family": window.look.family or "",
              "seen": {language: sorted(screens) for language, screens in seen.items()}}  # fmt: skip
    window.close()
    store.engine.dispose()
    return result


TARO_BIRTH = __import__("datetime").date(1980, 4, 1)
JIRO_BIRTH = __import__("datetime").date(1990, 1, 15)

if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1])), ensure_ascii=False))
