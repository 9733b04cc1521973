"""Kiosk benchmark (run on demand): cold start to the 待機 screen, screen-change time, and resident memory
after many simulated patients.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.bench.bench_kiosk [--patients 100] [--starts 5]

Then taps and seconds per flow (tests/bench/kiosk_flows.py).
Cold start is measured from spawning a fresh interpreter to the first paint of the start screen (the child
prints when its window has painted). A screen change is the flow's transition plus a synchronous repaint
of the new page. Every simulated patient goes the whole マイナ path through the real store and ingest.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from tests.bench.kiosk_flows import report, run_flows

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import sys, time
from PySide6.QtCore import QObject, QEvent
from PySide6.QtWidgets import QApplication
app = QApplication([])
from kiosk.settings import settings_from_mapping
from kiosk.bootstrap import open_store, kiosk_desk
from kiosk.core.kiosk_ports import NoCards, NoPrinter
from kiosk.ui.patient.app import build_kiosk
settings = settings_from_mapping({"store": {"url": sys.argv[1]}, "paths": {"data_dir": sys.argv[2]}})
store = open_store(settings)
kiosk = build_kiosk(settings.kiosk, kiosk_desk(settings, store), cards=NoCards(), printer=NoPrinter())
page = kiosk.window.current_page()
class Painted(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            print("PAINTED", flush=True)
            app.quit()
        return False
painted = Painted()
page.installEventFilter(painted)
kiosk.window.allow_close = True
kiosk.window.resize(1920, 1080)
kiosk.window.show()
app.exec()
"""


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cold_starts(count: int, work: Path) -> list[float]:
    url = f"sqlite:///{work / 'cold.db'}"
    subprocess.run(
        [sys.executable, "-c", CHILD, url, str(work)], cwd=ROOT, check=True, capture_output=True, timeout=60
    )  # fmt: skip  (first run migrates the store and warms the disk cache)
    times = []
    for _ in range(count):
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-c", CHILD, url, str(work)], cwd=ROOT, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True)  # fmt: skip
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith("PAINTED"):
                times.append(time.perf_counter() - started)
                break
        child.wait(timeout=30)
    return times


def patients(count: int, work: Path, *, desk_mode: str = "local") -> tuple[list[float], float, float]:
    """`desk_mode` "agent": the kiosk holds no store and every desk call goes through the agent's kiosk API
    (uvicorn, TLS with the pinned certificate, httpx keep-alive) on loopback."""
    from PySide6.QtWidgets import QApplication

    from kiosk.bootstrap import ingest_service, kiosk_desk, open_store
    from kiosk.core.kiosk_ports import NoCards, NoPrinter
    from kiosk.core.registry import Department
    from kiosk.demo.oqs_terminal import Terminal
    from kiosk.logsetup import configure_logging
    from kiosk.services.registry_import import import_csv
    from kiosk.settings import settings_from_mapping
    from kiosk.ui.patient.app import build_kiosk
    from tests.agent_api import start_agent_api
    from tests.conftest import FIXTURES
    from tests.kiosk.ui.conftest import TARO, StepClock

    TARO_BIRTH = date(1980, 4, 1)

    app = QApplication.instance() or QApplication([])
    configure_logging(process="bench", log_dir=work / "logs", data_dir=work, level="WARNING", console=False)
    settings = settings_from_mapping({"store": {"url": f"sqlite:///{work / desk_mode / 'kiosk.db'}"},
                                      "paths": {"data_dir": str(work / desk_mode)}})  # fmt: skip
    (work / desk_mode).mkdir(exist_ok=True)
    store = open_store(settings)
    import_csv(store.sessions, FIXTURES / "registry" / "kiosk_clinic.csv")
    store.registry.set_departments([Department("01", "内科"), Department("02", "小児科")])
    clock = StepClock()
    terminal = Terminal(work / desk_mode / "OQS")
    ingest = ingest_service(settings, store, face_dir=str(terminal.face), clock=clock)
    agent = start_agent_api(settings, store, clock) if desk_mode == "agent" else None
    desk = agent.desk(settings.kiosk.kiosk_id) if agent is not None else kiosk_desk(settings, store, clock)
    kiosk = build_kiosk(settings.kiosk, desk, cards=NoCards(), printer=NoPrinter(), clock=clock,
                        tick_ms=60_000)  # fmt: skip
    flow, window = kiosk.flow, kiosk.window
    window.allow_close = True
    window.resize(1920, 1080)
    window.show()
    app.processEvents()
    before = rss_mb()
    changes: list[float] = []

    def step(action: object) -> None:
        started = time.perf_counter()
        action()  # type: ignore[operator]
        window.repaint()
        changes.append((time.perf_counter() - started) * 1000)

    for index in range(count):
        step(flow.start)
        step(flow.choose_face)
        clock.advance(2)
        terminal.card_reader_use(TARO, when=clock.now())
        ingest.scan(final=True)
        step(flow.tick)
        step(lambda: flow.birthdate_entered(TARO_BIRTH))
        step(lambda: flow.confirm_person(True))
        step(lambda: flow.choose_department("01"))
        step(flow.confirm_reception)
        assert flow.visit.ticket is not None, f"patient {index} was not received"
        step(flow.reset)
        app.processEvents()
    after = rss_mb()
    window.close()
    if agent is not None:
        agent.close()
    store.engine.dispose()
    return changes, before, after


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=100)
    parser.add_argument("--starts", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        starts = cold_starts(args.starts, work)
        changes, before, after = patients(args.patients, work)
        remote, _before, _after = patients(args.patients, work, desk_mode="agent")
        flows = run_flows(work / "flows")
    ordered = sorted(changes)
    far = sorted(remote)
    print(f"cold start to the 待機 screen: median {statistics.median(starts):.2f} s "
          f"(min {min(starts):.2f}, max {max(starts):.2f}, n={len(starts)})")  # fmt: skip
    print(f"screen change (transition + repaint): median {statistics.median(changes):.1f} ms, "
          f"p99 {ordered[int(0.99 * (len(ordered) - 1))]:.1f} ms (n={len(changes)})")  # fmt: skip
    print(f"screen change through the agent's kiosk API (loopback TLS): median {statistics.median(remote):.1f} ms, "
          f"p99 {far[int(0.99 * (len(far) - 1))]:.1f} ms (n={len(remote)}; "
          f"{statistics.median(remote) / statistics.median(changes):.1f}x the local store)")  # fmt: skip
    print(f"resident memory: {before:.0f} MB before, {after:.0f} MB after {args.patients} patients")
    print(report(flows))


if __name__ == "__main__":
    main()
