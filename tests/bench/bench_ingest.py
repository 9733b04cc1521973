"""Ingest benchmark (run on demand): close-to-commit latency with events and with polling, and burst throughput.

    .venv/bin/python -m tests.bench.bench_ingest [--files 200] [--burst 1000]

Latency is measured inside one process: the writer notes when it closed a file, the repository
notes when the transaction holding its CR entry committed. Medians and p99 are reported.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.bootstrap import ingest_service, open_store
from kiosk.core.clock import FixedClock
from kiosk.logsetup import configure_logging
from kiosk.services.agent import Agent
from kiosk.settings import settings_from_mapping
from kiosk.store.face_repository import FaceRepository
from tests.conftest import face_fixture

TEMPLATE = face_fixture("shaho_reference_number").read_bytes()


def file_name(i: int) -> str:
    return f"OQSsiquc01res_face_9919999999{i:020x}_20250401{9 + i // 3600:02d}{i // 60 % 60:02d}{i % 60:02d}.xml"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def latency_run(files: int, *, events: bool, poll: float) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        face = Path(tmp) / "face"
        face.mkdir()
        settings = settings_from_mapping(
            {"paths": {"data_dir": tmp}, "face": {"folder": str(face), "poll_interval_seconds": poll}}
        )
        store = open_store(settings)
        committed: dict[str, float] = {}
        original = FaceRepository.record

        def timed(self: FaceRepository, facts: Any, *args: Any, **kwargs: Any) -> Any:
            result = original(self, facts, *args, **kwargs)
            committed[facts.file_name] = time.perf_counter()
            return result

        FaceRepository.record = timed  # type: ignore[method-assign]
        try:
            service = ingest_service(settings, store, clock=FixedClock(datetime(2025, 4, 1, 12)))
            agent = Agent(service, poll_interval=poll, use_events=events)
            thread = threading.Thread(target=agent.run, daemon=True)
            thread.start()
            time.sleep(0.5)
            closed: dict[str, float] = {}
            rng = random.Random(7)
            for i in range(files):
                name = file_name(i)
                with (face / name).open("wb") as handle:
                    handle.write(TEMPLATE.replace(b"000123", f"{i:06d}".encode()))
                closed[name] = time.perf_counter()
                time.sleep(rng.uniform(0.03, 0.12))
            deadline = time.monotonic() + 30
            while len(committed) < files and time.monotonic() < deadline:
                time.sleep(0.05)
            agent.request_stop()
            thread.join(timeout=5)
        finally:
            FaceRepository.record = original  # type: ignore[method-assign]
            store.engine.dispose()
        missing = files - len(committed)
        if missing:
            raise SystemExit(f"{missing} files were not ingested")
        return [(committed[name] - closed[name]) * 1000 for name in closed]


def burst_run(files: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        face = Path(tmp) / "face"
        face.mkdir()
        for i in range(files):
            (face / file_name(i)).write_bytes(TEMPLATE.replace(b"000123", f"{i:06d}".encode()))
        settings = settings_from_mapping(
            {"paths": {"data_dir": tmp}, "face": {"folder": str(face), "write_grace_seconds": 0}}
        )
        store = open_store(settings)
        service = ingest_service(settings, store, clock=FixedClock(datetime(2025, 4, 1, 12)))
        started = time.perf_counter()
        report = service.drain()
        elapsed = time.perf_counter() - started
        store.engine.dispose()
        assert report.stored == files
        return files / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--burst", type=int, default=1000)
    args = parser.parse_args()
    configure_logging(process="bench", log_dir=None, data_dir=None, level="WARNING", console=False)
    for label, events, poll in (("events", True, 1.0), ("polling 1 s", False, 1.0)):
        values = latency_run(args.files, events=events, poll=poll)
        print(
            f"latency {label:<12} n={len(values)}  p50 {statistics.median(values):7.1f} ms"
            f"  p99 {percentile(values, 0.99):7.1f} ms  max {max(values):7.1f} ms"
        )
    rates = [burst_run(args.burst) for _ in range(3)]
    print(
        f"burst {args.burst} files: median {statistics.median(rates):.0f} files/s (3 runs: "
        + ", ".join(f"{r:.0f}" for r in rates)
        + ")"
    )


if __name__ == "__main__":
    main()
