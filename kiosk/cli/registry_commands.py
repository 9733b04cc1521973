"""`uketsuke registry …`: load the embedded registry, and search whichever registry back-end is configured.

    uketsuke registry import FILE.csv        patients from a UTF-8 CSV (DESIGN.md)
    uketsuke registry search TEXT [--json]   kana, name, birthdate (和暦/西暦), 患者番号 or insurance number;
                                             at most 20, best first; audited with the operating-system account
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.cli.common import EXIT_OK, Parser, settings_of, start_logging
from kiosk.logsetup import get_logger

log = get_logger("uketsuke.cli")
SEX = {"1": "男", "2": "女"}


def add_registry_parser(commands: Any) -> None:
    registry = commands.add_parser("registry", help="患者台帳 / the patient registry")
    sub = registry.add_subparsers(dest="registry_command", required=True, parser_class=Parser)
    load = sub.add_parser("import", help="CSV を取り込む / load patients from CSV")
    load.add_argument("file", help="UTF-8 CSV with a header row (DESIGN.md)")
    search = sub.add_parser("search", help="患者を探す / search patients (kana, name, birthdate, number)")
    search.add_argument("text", nargs="+", help="例 しけん たろう S45.3.3 / e.g. kana and a birthdate")
    search.add_argument("--json", action="store_true", help="JSON lines")


def cmd_registry(args: argparse.Namespace) -> int:
    if args.registry_command == "search":
        return _search(args)
    from kiosk.bootstrap import open_store
    from kiosk.services.registry_import import import_csv, tty_progress

    settings = settings_of(args)
    start_logging(settings, args, "cli")
    store = open_store(settings)
    report = import_csv(store.sessions, Path(args.file), progress=tty_progress())
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    print(
        f"追加 {report.added}、更新 {report.updated}、変更なし {report.unchanged}、不採用 {len(report.rejected)}"
        f"（{report.seconds:.1f}秒） / added {report.added}, updated {report.updated}, unchanged {report.unchanged},"
        f" rejected {len(report.rejected)} ({report.seconds:.1f} s)"
    )
    for line, reason in report.rejected:
        print(f"  {line}行目 / line {line}: {reason}")
    log.info("registry_imported", added=report.added, updated=report.updated, rejected=len(report.rejected))
    return EXIT_OK


def _search(args: argparse.Namespace) -> int:
    from kiosk.bootstrap import open_store, registry_backend
    from kiosk.core.birthdates import wareki
    from kiosk.services.audit import os_actor
    from kiosk.services.patient_search import search_registry

    settings = settings_of(args)
    start_logging(settings, args, "cli", console=False)
    store = open_store(settings)
    found = search_registry(store.sessions, registry_backend(settings, store), " ".join(args.text),
                            actor=os_actor(), now=datetime.now())  # fmt: skip
    out = sys.stdout
    for record in found:
        name = record.names[0] if record.names else None
        line = {"patient_id": record.patient_id, "name": name.name if name else None,
                "name_kana": name.name_kana if name else None,
                "birthdate": record.birthdate.isoformat() if record.birthdate else None, "sex": record.sex}  # fmt: skip
        if args.json:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        else:
            born = wareki(record.birthdate) if record.birthdate else "-"
            out.write(f"{record.patient_id:>10}  {line['name'] or '-'}（{line['name_kana'] or '-'}）  {born}  "
                      f"{SEX.get(record.sex or '', record.sex or '-')}\n")  # fmt: skip
    if not args.json:
        out.write(f"{len(found)}件 / {len(found)} found\n")
    return EXIT_OK
