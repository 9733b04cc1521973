"""The clerk's path through the staff console (run on demand): open a face result the matcher could not link,
find the chart with the registry search, link it — with every key press counted and the time measured.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.bench.bench_clerk [--registry 20000] [--visits 15]

Each visit is a married patient: the face result carries the new surname and insurance, the chart the old
surname (and sometimes a birthdate typed a digit off), inside a seeded synthetic registry of `--registry`
people. The clerk: click the row, Ctrl+F, type 「しけん <名> <和暦>」, Enter, Enter (add the first result),
Enter (link); the names differ, so the confirmation follows: Tab to はい, Space. Time is from the click to the
link being in the store (what the clerk waits for), on the real Qt widgets and the real store.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget

from kiosk.bootstrap import ingest_service, open_store
from kiosk.core.birthdates import wareki_short
from kiosk.demo.oqs_terminal import MIC, Person, Terminal
from kiosk.services.accounts import AccountService
from kiosk.services.audit import AuditTrail
from kiosk.services.reference_registration import ReferenceFolders, ReferenceService
from kiosk.services.registry_import import import_csv
from kiosk.services.review import ReviewService
from kiosk.services.runtime_settings import RuntimeSettings
from kiosk.services.staff_console import StaffConsole
from kiosk.settings import settings_from_mapping
from kiosk.store.models import CrEntry
from kiosk.ui.staff.window import StaffServices, StaffWindow
from tests.bench.synthetic import people, write_registry
from tests.kiosk.ui.conftest import StepClock

GIVEN = [("花子", "はなこ", "ハナコ"), ("幸子", "さちこ", "サチコ"), ("和子", "かずこ", "カズコ"),
         ("恵子", "けいこ", "ケイコ"), ("洋子", "ようこ", "ヨウコ")]  # fmt: skip


class Keys:
    """Key presses as a clerk makes them, counted."""

    def __init__(self) -> None:
        self.count = 0  # keys other than the text: Ctrl+F, Enter, Tab
        self.typed = 0  # characters of the search text (through the IME: a few more key presses each)

    def press(self, widget: QWidget, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
              ) -> None:  # fmt: skip
        self.count += 1
        QTest.keyClick(widget, key, modifier)

    def type(self, widget: QWidget, text: str) -> None:
        self.typed += len(text)
        for char in text:  # what the IME commits, one character at a time (QTest.keyClicks is ASCII only)
            QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, char,
                               Qt.KeyboardModifier.NoModifier)


def visits(count: int) -> list[tuple[dict[str, str], Person, str]]:
    """(chart row, face result, search text) for married patients; every third chart has a birthdate typo."""
    out = []
    for n in range(count):
        kanji, hira, kata = GIVEN[n % len(GIVEN)]
        born = date(1950, 1, 1) + timedelta(days=173 * n + 11)
        chart_born = born + timedelta(days=10) if n % 3 == 0 else born
        chart = {"patient_id": f"B{n:04d}", "name": f"試験 {kanji}", "name_kana": f"シケン {kata}",
                 "birthdate": chart_born.isoformat(), "sex": "2", "insurer_number": "06999991",
                 "insured_card_symbol": "旧", "insured_identification_number": f"{7000 + n}",
                 "insured_branch_number": "00"}  # fmt: skip
        face = Person(f"田中 {kanji}", f"タナカ {kata}", f"{born:%Y%m%d}", "2", "06999998", "新", f"{8000 + n}", "00")
        out.append((chart, face, f"しけん {hira} {wareki_short(chart_born)}"))
    return out


def answer_yes(keys: Keys) -> None:
    """The confirmation: Tab from the default (やめる) to はい, Enter."""

    def act() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QMessageBox):
            QTimer.singleShot(5, act)
            return
        no, yes = dialog.findChild(QPushButton, "confirmNo"), dialog.findChild(QPushButton, "confirmYes")
        assert no is not None and yes is not None
        keys.press(no, Qt.Key.Key_Tab)  # focus starts on やめる (the default); Tab moves it to はい
        keys.press(yes, Qt.Key.Key_Space)  # (offscreen Qt moves no focus, so the keys go to the buttons themselves)

    QTimer.singleShot(0, act)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--registry", type=int, default=20000)
    parser.add_argument("--visits", type=int, default=15)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    work = Path(tempfile.mkdtemp(prefix="uketsuke-bench-clerk-"))
    settings = settings_from_mapping({"store": {"url": f"sqlite:///{work / 'clerk.db'}"},
                                      "paths": {"data_dir": str(work)}})  # fmt: skip
    store = open_store(settings)
    registry_csv = work / "registry.csv"
    write_registry(registry_csv, 7, people(7, args.registry))
    plan = visits(args.visits)
    with registry_csv.open("a", encoding="utf-8") as handle:
        for chart, _face, _text in plan:
            handle.write(",".join(chart.get(k, "") for k in (
                "patient_id", "name", "name_kana", "birthdate", "sex", "insurer_number", "insured_card_symbol",
                "insured_identification_number", "insured_branch_number")) + ",,,\n")  # fmt: skip
    header = registry_csv.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:9] == ["patient_id", "name", "name_kana", "birthdate", "sex", "insurer_number",
                          "insured_card_symbol", "insured_identification_number", "insured_branch_number"], header
    import_csv(store.sessions, registry_csv)
    clock = StepClock()
    terminal = Terminal(work / "OQS")
    ingest = ingest_service(settings, store, face_dir=str(terminal.face), clock=clock)
    for _chart, face, _text in plan:
        clock.advance(30)
        terminal.card_reader_use(face, when=clock.now())
    ingest.scan(final=True)
    sessions = store.sessions
    services = StaffServices(
        accounts=AccountService(sessions, clock), console=StaffConsole(sessions, store.registry, clock),
        review=ReviewService(sessions, clock, registry=store.registry, reference=ReferenceService(
            sessions, ReferenceFolders(MIC, terminal.req, terminal.res, "utf-8", timedelta(seconds=60)), clock)),
        audit=AuditTrail(sessions), runtime=RuntimeSettings(sessions, clock, default_mode="on"), engine=store.engine,
    )  # fmt: skip
    services.accounts.create("clerk1", "試験 受付", "admin", "clerkpass1", by=None)
    window = StaffWindow(services, live=False)
    window.resize(1600, 900)
    window.show()
    window.login.login.setText("clerk1")
    window.login.secret.setText("clerkpass1")
    window.login.submit()
    main_page = window.main
    window.activateWindow()
    deadline = time.monotonic() + 5
    while QApplication.activeWindow() is not window and time.monotonic() < deadline:  # shortcuts need it active
        app.processEvents()
    seconds, presses, typed, linked = [], [], [], 0
    for chart, face, text in plan:
        entry = next(r for r in main_page.model.rows if r.name == face.name and r.patient_id is None)
        keys = Keys()
        started = time.perf_counter()
        main_page.select_entry(entry.entry_id)  # the click on the row
        keys.press(main_page.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
        box = main_page.panel.search
        keys.type(box.text, text)
        keys.press(box.text, Qt.Key.Key_Return)
        keys.press(box.results, Qt.Key.Key_Return)
        answer_yes(keys)
        keys.press(main_page.panel.candidates, Qt.Key.Key_Return)
        app.processEvents()
        elapsed = time.perf_counter() - started
        with sessions() as session:
            row = session.get(CrEntry, entry.entry_id)
            if row is not None and row.patient_id == chart["patient_id"]:
                linked += 1
            else:
                found = [r.patient_id for r in box.records][:3]
                print(f"not linked to {chart['patient_id']}: {row.patient_id if row else None}, search gave {found}")
        seconds.append(elapsed)
        presses.append(keys.count)
        typed.append(keys.typed)
    window.close()
    store.engine.dispose()
    print(f"registry {args.registry + args.visits:,} patients, {args.visits} married patients found by search")
    print(f"linked to the right chart: {linked}/{args.visits}")
    print(f"per patient: one click on the row, {statistics.median(presses):.0f} keys (Ctrl+F, Enter ×3, Tab, Space) and"
          f" {statistics.median(typed):.0f} characters of search text (median; min {min(typed)}, max {max(typed)})")
    print(f"review → search → link: median {statistics.median(seconds) * 1000:.0f} ms,"
          f" max {max(seconds) * 1000:.0f} ms (the machine's part; the clerk's typing comes on top)")


if __name__ == "__main__":
    main()
