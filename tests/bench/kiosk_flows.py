"""Taps and seconds per kiosk flow, measured by a scripted patient who clicks the real Qt buttons.

The patient does what each screen asks (start, choose the way, use the face reader, type their birthdate in 和暦,
say はい, choose 内科, confirm, take the card) and nothing else, so the count is the minimum a real patient needs.
Patient seconds are a keystroke-level model, not a stopwatch: each screen read 2.0 s, each tap 1.6 s, each card
placed or taken 3.0 s (KLM operators M 1.35 s and P+B 1.1 s, ×1.5 for older adults); the face reader's own time
is the same in every version and left out. Machine time is the kiosk's own work per flow (transitions, store
reads and writes, repaints).

The driver needs only screen names and button object names, so the same file measures an older checkout too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

READ_S, TAP_S, CARD_S = 2.0, 1.6, 3.0
PAIRED = "single result, paired reader"
FLOWS = ("single result", PAIRED, "several results", "IC card", "first visit")


@dataclass
class FlowFigures:
    name: str
    taps: int
    card_actions: int
    screens: int
    machine_ms: float

    @property
    def patient_seconds(self) -> float:
        return self.screens * READ_S + self.taps * TAP_S + self.card_actions * CARD_S


def birthdate_taps(day: date) -> list[str]:
    """The keypad taps for 和暦 entry with 昭和 preselected (a copy, so older checkouts can be measured)."""
    eras = (("R", date(2019, 5, 1)), ("H", date(1989, 1, 8)), ("S", date(1926, 12, 25)), ("T", date(1912, 7, 30)))
    era, start = next(((e, s) for e, s in eras if day >= s), ("AD", date(1, 1, 1)))
    year = day.year if era == "AD" else day.year - start.year + 1
    taps = [] if era == "S" else [f"era_{era}"]
    for index, (value, limit) in enumerate(zip((year, day.month, day.day), (4 if era == "AD" else 2, 2, 2),
                                               strict=True)):  # fmt: skip
        taps += [f"key_{d}" for d in str(value)]
        if len(str(value)) < limit or index == 2:
            taps.append("key_ok")
    return taps


def run_flows(work: Path, repeats: int = 5, *, paired: bool = True) -> list[FlowFigures]:
    """`paired=False` for a checkout from before `[kiosk] face_binding` existed."""
    from kiosk.logsetup import configure_logging

    configure_logging(process="bench", log_dir=work / "logs", data_dir=work, level="WARNING", console=False)
    results: dict[str, list[FlowFigures]] = {}
    for round_ in range(repeats):
        for name in FLOWS:
            if name != PAIRED or paired:
                base = work / f"{name.replace(' ', '_').replace(',', '')}-{round_}"
                results.setdefault(name, []).append(measure(name, base))
    figures = []
    for name, runs in results.items():
        machine = sorted(r.machine_ms for r in runs)[len(runs) // 2]
        first = runs[0]
        figures.append(FlowFigures(name, first.taps, first.card_actions, first.screens, machine))
    return figures


def measure(name: str, base: Path) -> FlowFigures:
    """One patient through one flow in a clinic of its own."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QPushButton

    from kiosk.bootstrap import ingest_service, kiosk_desk, open_store
    from kiosk.core.kiosk_ports import CardFailure, CardKind, CardRead, NoPrinter, QueuedCardInput, Ticket
    from kiosk.core.registry import Department
    from kiosk.demo.oqs_terminal import Terminal
    from kiosk.services.registry_import import import_csv
    from kiosk.settings import settings_from_mapping
    from kiosk.ui.patient.app import build_kiosk
    from tests.conftest import FIXTURES
    from tests.kiosk.ui.conftest import HANAKO, TARO, StepClock

    class Cards(QueuedCardInput):
        def read_mynumber(self, pin: str) -> None:
            return None

        def answer(self, card: CardRead, ticket: Ticket | None) -> None:
            return None

        def put(self, event: Any) -> None:
            self._events.put(event)

    app = QApplication.instance() or QApplication([])
    base.mkdir(parents=True)
    mapping: dict[str, Any] = {"store": {"url": f"sqlite:///{base / 'kiosk.db'}"}, "paths": {"data_dir": str(base)}}
    if name == PAIRED:
        mapping["kiosk"] = {"face_binding": "paired"}
    settings = settings_from_mapping(mapping)
    store = open_store(settings)
    import_csv(store.sessions, FIXTURES / "registry" / "kiosk_clinic.csv")
    store.registry.set_departments([Department("01", "内科"), Department("02", "小児科")])
    store.registry.issue_card("BENCH0001", "2001")
    clock = StepClock()
    terminal = Terminal(base / "OQS")
    ingest = ingest_service(settings, store, face_dir=str(terminal.face), clock=clock)
    cards = Cards()
    built = build_kiosk(settings.kiosk, kiosk_desk(settings, store, clock), cards=cards, printer=NoPrinter(),
                        clock=clock, tick_ms=60_000)  # fmt: skip
    flow, window = built.flow, built.window
    window.allow_close = True
    window.resize(1920, 1080)
    window.show()
    app.processEvents()
    taps = card_actions = 0
    screens: list[str] = []
    machine = 0.0

    def timed(action: Callable[[], object]) -> None:
        nonlocal machine
        started = time.perf_counter()
        action()
        window.repaint()
        machine += (time.perf_counter() - started) * 1000

    def tap(button: str) -> None:
        nonlocal taps
        found = [b for b in window.findChildren(QPushButton, button) if b.isVisible()]
        assert found, f"{name}: no {button} on {flow.screen}"
        taps += 1
        timed(lambda: QTest.mouseClick(found[0], Qt.MouseButton.LeftButton))

    def use_reader(person: Any) -> None:
        clock.advance(2)
        terminal.card_reader_use(person, when=clock.now())
        timed(lambda: ingest.scan(final=True))

    used_reader = False
    for _step in range(60):
        screen = str(flow.screen.value)
        if not screens or screens[-1] != screen:
            screens.append(screen)
        if screen in ("done", "first_visit"):
            break
        if screen == "welcome":
            tap("btn_start")
        elif screen == "method":
            tap({"IC card": "btn_card", "first visit": "btn_first"}.get(name, "btn_face"))
        elif screen == "face_wait":
            if not used_reader:
                if name == "several results":
                    use_reader(HANAKO)  # someone else at the next reader, just before
                use_reader(TARO)
                used_reader = True
            timed(flow.tick)
        elif screen == "pick_birthdate":
            for button in birthdate_taps(date(1980, 4, 1)):
                tap(button)
        elif screen in ("confirm_person", "offer_reference"):
            tap("btn_yes" if screen == "confirm_person" else "btn_no")
        elif screen == "department":
            tap("dept_01")
        elif screen == "confirm":
            tap("btn_confirm")
        elif screen in ("card_wait", "take_card"):
            card_actions += 1
            cards.put(CardRead(CardKind.IC, card_id="BENCH0001") if screen == "card_wait" else CardFailure("removed"))
            timed(flow.tick)
        else:
            raise AssertionError(f"{name}: the scripted patient is stuck on {screen}")
    assert screens[-1] in ("done", "first_visit"), (name, screens)
    if name == "IC card" and "take_card" not in screens:
        card_actions += 1  # taking the card back is part of the visit in every version
    window.close()
    store.engine.dispose()
    return FlowFigures(name, taps, card_actions, len(screens), machine)


def report(figures: list[FlowFigures]) -> str:
    lines = ["flow | taps | card actions | screens | patient s (model) | kiosk ms (median)"]
    for f in figures:
        lines.append(f"{f.name} | {f.taps} | {f.card_actions} | {f.screens} | {f.patient_seconds:.1f} | "
                     f"{f.machine_ms:.0f}")  # fmt: skip
    return "\n".join(lines)


if __name__ == "__main__":
    import os
    import tempfile

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as tmp:
        print(report(run_flows(Path(tmp))))
