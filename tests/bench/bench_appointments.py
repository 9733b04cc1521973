"""Appointments import, look-up, and what they add to a kiosk check-in (run on demand; issue 23 asks < 5 s for
10,000 and < 5 ms added to a check-in). The check-in is the kiosk desk's (store + embedded registry, as a
single-PC clinic runs it): the old path (register only), a walk-in (the 予約 question, then register) and a
patient with an appointment (the question, then register against it) — medians of a few hundred each.

    .venv/bin/python -m tests.bench.bench_appointments [--count 10000] [--postgresql URL]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from time import perf_counter as time_now

from adapters.registry.sql_appointments import SqlAppointmentBook
from kiosk.bootstrap import Store, open_store, store_kiosk_desk
from kiosk.core.appointments import rows_from_csv
from kiosk.core.check_in import PlanKind
from kiosk.core.clock import FixedClock
from kiosk.core.registry import Department
from kiosk.services.appointment_import import import_appointments
from kiosk.services.registry_import import import_csv
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
    plain, walk_in, booked = check_ins(store, work, start)
    print(f"import {args.count:,} appointments: {first:.2f} s (added {report.added});"
          f" re-import unchanged {again:.2f} s")
    print(f"a patient's appointments for a day: median {statistics.median(lookups) * 1000:.2f} ms, "
          f"max {max(lookups) * 1000:.2f} ms")
    base = statistics.median(plain)
    print(f"a kiosk check-in: register only {base * 1000:.2f} ms; walk-in with the 予約 question "
          f"{statistics.median(walk_in) * 1000:.2f} ms (+{(statistics.median(walk_in) - base) * 1000:.2f}); "
          f"against an appointment {statistics.median(booked) * 1000:.2f} ms "
          f"(+{(statistics.median(booked) - base) * 1000:.2f})")


def check_ins(store: Store, work: Path, start: date, each: int = 300) -> tuple[list[float], list[float], list[float]]:
    """Three groups of patients, each checked in once: timings in seconds."""
    people = work / "patients.csv"
    rows = ["patient_id,name,name_kana,birthdate,sex,insurer_number,insured_card_symbol,"
            "insured_identification_number,insured_branch_number,postcode,address,reference_number"]
    rows += [f"K{n:05d},試験 {n},シケン {n},1950-01-01,1,06999992,試験,{n},01,,," for n in range(3 * each)]
    people.write_text("\n".join(rows) + "\n", encoding="utf-8")
    import_csv(store.sessions, people)
    store.registry.set_departments([Department("01", "内科"), Department("02", "小児科")])
    booked_csv = ["appointment_id,patient_id,date,time,department_code,physician_code,note"]
    booked_csv += [f"K-{n},K{n:05d},{start.isoformat()},10:30,02,D1," for n in range(2 * each, 3 * each)]
    store.registry.book.import_rows(rows_from_csv("\n".join(booked_csv)))
    settings = settings_from_mapping({"paths": {"data_dir": str(work)}})
    desk = store_kiosk_desk(settings, store, FixedClock(datetime.combine(start, clock_time(10, 0))))
    department = Department("01", "内科")
    plain, walk_in, booked = [], [], []
    for n in range(each):
        began = time_now()
        desk.register(f"K{n:05d}", department, f"bench:{n}", None)
        plain.append(time_now() - began)
        began = time_now()
        assert desk.check_in(f"K{each + n:05d}").kind is PlanKind.WALK_IN
        desk.register(f"K{each + n:05d}", department, f"bench:{each + n}", None)
        walk_in.append(time_now() - began)
        began = time_now()
        plan = desk.check_in(f"K{2 * each + n:05d}")
        assert plan.kind is PlanKind.ONE
        ticket = desk.register(f"K{2 * each + n:05d}", None, f"bench:{2 * each + n}", None,
                               plan.appointments[0].appointment_id)  # fmt: skip
        assert ticket.appointment_at == "10:30"
        booked.append(time_now() - began)
    return plain, walk_in, booked


if __name__ == "__main__":
    main()
