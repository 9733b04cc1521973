"""`uketsuke appointments …` (DESIGN.md): 予約 — imported into the embedded registry, listed from any back-end.

    uketsuke appointments import FILE.csv           columns appointment_id, patient_id, date, time,
                                                    department_code, physician_code, note
    uketsuke appointments list [--date D] [--json]  one day's appointments (default today), time order
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kiosk.cli.common import EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, Parser, settings_of, start_logging
from kiosk.logsetup import get_logger

log = get_logger("uketsuke.cli")


def add_appointments_parser(commands: Any) -> None:
    appointments = commands.add_parser("appointments", help="予約 / appointments")
    sub = appointments.add_subparsers(dest="appointments_command", required=True, parser_class=Parser)
    load = sub.add_parser("import", help="予約の CSV を取り込む / load appointments from CSV")
    load.add_argument("file", help="UTF-8 CSV with a header row (DESIGN.md)")
    listing = sub.add_parser("list", help="その日の予約 / one day's appointments")
    listing.add_argument("--date", help="YYYY-MM-DD (default: today)")
    listing.add_argument("--json", action="store_true", help="JSON lines")


def cmd_appointments(args: argparse.Namespace) -> int:
    from adapters.registry.sql_appointments import SqlAppointmentBook
    from kiosk.bootstrap import open_store, registry_backend
    from kiosk.core.registry import RegistryError
    from kiosk.services.appointment_import import import_appointments

    settings = settings_of(args)
    start_logging(settings, args, "cli", console=False)
    store = open_store(settings)
    if args.appointments_command == "import":
        if settings.registry.backend != "embedded":
            print("エラー: 予約の取り込みは内蔵の登録簿だけです（ORCA・ファイル連携ではレセコンの予約を使います）"
                  " / Error: appointments are imported into the embedded registry only (ORCA and file exchange"
                  " read the レセコン's own)", file=sys.stderr)  # fmt: skip
            return EXIT_USAGE
        report = import_appointments(SqlAppointmentBook(store.sessions), Path(args.file))
        print(f"追加 {report.added}、更新 {report.updated}、変更なし {report.unchanged}、不採用 {len(report.rejected)}"
              f" / added {report.added}, updated {report.updated}, unchanged {report.unchanged},"
              f" rejected {len(report.rejected)}")  # fmt: skip
        for line, reason in report.rejected:
            print(f"  {line}行目 / line {line}: {reason}")
        if report.unknown_patients:
            unknown = len(report.unknown_patients)
            print(f"注意: 台帳にない患者番号の予約 {unknown} 人（取り込みました。カルテができるまで"
                  f"予約受付はできません） / note: {unknown} patient number(s) have no chart (imported; no check-in"
                  " until the chart exists)")  # fmt: skip
            for given, registry_id in sorted(report.zeros_lost.items()):
                print(f"  {given} → 台帳の {registry_id} では？先頭の0が消えています（Excel で保存すると消えます）"
                      f" / {given} may be {registry_id}: leading zeros were lost (Excel drops them)")  # fmt: skip
        if report.unknown_departments:
            codes = ", ".join(report.unknown_departments)
            print(f"注意: 登録されていない診療科コード {codes}（キオスクにはコードのまま出ます）"
                  f" / note: 診療科 codes not in the registry: {codes} (the kiosk would show the bare code)")
        log.info("appointments_imported", added=report.added, updated=report.updated, rejected=len(report.rejected))
        return EXIT_OK
    try:
        day = date.fromisoformat(args.date) if args.date else datetime.now().date()
    except ValueError:
        print("エラー: --date は YYYY-MM-DD です / Error: --date is YYYY-MM-DD", file=sys.stderr)
        return EXIT_USAGE
    try:
        found = registry_backend(settings, store).appointments_on(day)
    except RegistryError as exc:
        print(f"エラー: {exc.ja} / Error: {exc.en}", file=sys.stderr)
        return EXIT_INTERNAL
    from kiosk.services.audit import AuditEvent, os_actor, record

    record(store.sessions, AuditEvent(os_actor(), "cli_list", subject="appointments list",
                                      after={"date": day.isoformat(), "appointments": len(found)}), datetime.now())
    for appointment in found:
        shown = appointment.as_json()
        if args.json:
            sys.stdout.write(json.dumps(shown, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(f"{shown['time']}  {shown['appointment_id']:<12} {shown['patient_id']:>10}  "
                             f"{shown['department_code'] or '-':<4} {shown['state']}\n")  # fmt: skip
    return EXIT_OK
