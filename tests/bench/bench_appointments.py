"""Appointments import and look-up (run on demand; issue 23 asks < 5 s for 10,000 and < 5 ms per look-up).

    .venv/bin/python -m tests.bench.bench_appointments [--count 10000] [--postgresql URL]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from adapters.registry.sql_appointments import SqlAppointmentBook
from kiosk.bootstrap import open_store
from kiosk.services.appointment_import import import_appointments
from kiosk.settings import settings_from_mapping


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--postgresql", help="a database URL instead of a fresh SQLite file")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="uketsuke-bench-appointments-"))
    url = args.postgresql or f"sqlite:///{work / 'a.db'}"
    store = open_store(settings_from_mapping({"store": {"url": url}, "paths": {"data_dir": str(work)}}))
    book = SqlAppointmentBook(store.sessions)
    start = date(2026, 12, 1)
    path = work / "appointments.csv"
    lines = ["appointment_id,patient_id,date,time,department_code,physician_code,note"]
    for n in range(args.count):
        day = start + timedelta(days=n % 30)
        at = f"{9 + n % 8:02d}:{(n * 7) % 60:02d}"
        lines.append(f"A{n:06d},{n % 5000:05d},{day.isoformat()},{at},0{1 + n % 3},1000{n % 4},")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.perf_counter()
    report = import_appointments(book, path)
    first = time.perf_counter() - started
    started = time.perf_counter()
    import_appointments(book, path)
    again = time.perf_counter() - started
    lookups = []
    for n in range(200):
        began = time.perf_counter()
        book.appointments_of(f"{(n * 37) % 5000:05d}", start + timedelta(days=n % 30))
        lookups.append(time.perf_counter() - began)
    print(f"import {args.count:,} appointments: {first:.2f} s (added {report.added});"
          f" re-import unchanged {again:.2f} s")
    print(f"a patient's appointments for a day: median {statistics.median(lookups) * 1000:.2f} ms, "
          f"max {max(lookups) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
