"""`uketsuke` command line. Every failure is one bilingual line and a non-zero exit, never a traceback."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from kiosk import __version__
from kiosk.cli.appointment_commands import add_appointments_parser, cmd_appointments
from kiosk.cli.common import EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, Parser, settings_of, start_logging
from kiosk.cli.kiosk_commands import add_kiosk_parser, cmd_kiosk
from kiosk.cli.registry_commands import add_registry_parser, cmd_registry
from kiosk.core.errors import StoreError, UketsukeError
from kiosk.logsetup import configure_logging, get_logger
from kiosk.settings import Settings

if TYPE_CHECKING:
    from adapters.kiosk_api.server import ApiServer
    from kiosk.bootstrap import Store
    from kiosk.core.clock import Clock

log = get_logger("uketsuke.cli")

def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="uketsuke", description="Uketsuke (受付) — マイナ診察券 reception adapter")
    parser.add_argument("--version", action="version", version=f"uketsuke {__version__}")
    parser.add_argument("--config", help="設定ファイル / config file (else $UKETSUKE_CONFIG)")
    parser.add_argument("--db", help="データベースURL / database URL (overrides [store] url)")
    parser.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"], help="log level override")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    db_cmd = commands.add_parser("db", help="データベース / store")
    db_sub = db_cmd.add_subparsers(dest="db_command", required=True, parser_class=Parser)
    db_sub.add_parser("upgrade", help="create or migrate the store")

    ingest = commands.add_parser("ingest", help="顔認証結果の取り込み / ingest face files")
    ingest.add_argument("--once", action="store_true", required=True, help="ingest what is present, then exit")
    ingest.add_argument("--face-dir", help="顔認証結果フォルダ / face folder (overrides [face] folder)")

    listing = commands.add_parser("cr-list", help="顔認証付きCR利用者リスト / the CR user list")
    listing.add_argument("--date", help="YYYY-MM-DD (default: today)")
    listing.add_argument("--json", action="store_true", help="JSON lines")

    agent = commands.add_parser("agent", help="常駐サービス / the long-running agent")
    agent.add_argument("--face-dir", help="顔認証結果フォルダ / face folder (overrides [face] folder)")

    commands.add_parser("status", help="各部の状態 / state of each part")

    add_registry_parser(commands)
    add_appointments_parser(commands)

    commands.add_parser("match", help="JSON Lines の照合 / match identities from stdin (no writes)")

    reference = commands.add_parser("reference", help="照会番号登録 / 照会番号 registration")
    reference_sub = reference.add_subparsers(dest="reference_command", required=True, parser_class=Parser)
    register = reference_sub.add_parser("register", help="1人を登録 / register one patient")
    register.add_argument("--patient", required=True, help="患者番号 / patient number")
    register.add_argument("--no-wait", action="store_true", help="結果を待たない / do not wait for the answer")
    bulk = reference_sub.add_parser("bulk", help="一括登録 / bulk registration of the registry")
    bulk.add_argument("--only-missing", action="store_true", help="未登録の患者だけ / only patients without one")
    bulk.add_argument("--no-wait", action="store_true", help="結果を待たない / do not wait for the result")
    reference_sub.add_parser("list", help="登録の状態 / registrations and their state")
    add_kiosk_parser(commands)
    commands.add_parser("doctor", help="設置時の点検 / on-site checklist for installers")
    demo = commands.add_parser("demo", help="デモ（一時的な環境で全体を実行） / the whole chain on a throwaway setup")
    demo.add_argument("--headless", action="store_true", help="画面なしで筋書きを実行 / scripted, no windows")
    demo.add_argument("--patients", type=int, default=3000, help="台帳の架空の患者数 / fake patients in the registry")
    provision = commands.add_parser(
        "provision", help="Windows の設置作業（MSI から） / Windows set-up (run by the MSI)"
    )
    provision.add_argument("--service-account", default="", help="サービスのアカウント / service account")
    provision.add_argument("--kiosk-user", default="", help="キオスクを自動起動する利用者 / kiosk auto-start user")
    provision.add_argument("--staff-group", default="UketsukeStaff",
                           help="職員のローカルグループ / local group of the reception staff")  # fmt: skip
    provision.add_argument("--kiosk-pc", default="", help="1: キオスク PC（ストアなし） / 1: a kiosk PC (no store)")
    provision.add_argument("--kiosk-via-agent", default="",
                           help="1: この PC のキオスクもエージェント経由 / 1: the kiosk uses the agent")  # fmt: skip
    provision.add_argument("--purge", action="store_true", help="データを削除（アンインストール時） / remove data")
    provision.add_argument("--dry-run", action="store_true", help="実行せずに表示 / show the commands only")
    staff = commands.add_parser("staff", help="受付スタッフ画面 / the staff console")
    staff.add_argument(
        "--add-admin",
        metavar="LOGIN",
        help="最初の管理者を作る（パスワードは標準入力） / create the first admin (password on stdin)",
    )
    staff.add_argument("--name", help="表示名 / display name (with --add-admin)")
    audit = commands.add_parser("audit", help="監査記録 / the audit trail")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True, parser_class=Parser)
    audit_sub.add_parser("verify", help="改ざん検査 / check the hash chain")
    audit_sub.add_parser("rotate", help="封印の鍵を新しくする / start a new key segment")
    export = audit_sub.add_parser("export", help="CSV に書き出す / export to CSV")
    export.add_argument("file")
    return parser


def cmd_db(args: argparse.Namespace) -> int:
    from kiosk.store import db

    settings = settings_of(args)
    start_logging(settings, args, "cli")
    engine = db.make_engine(settings.store_url(), busy_timeout_ms=settings.store.busy_timeout_ms)
    revision = db.upgrade(engine)
    print(f"データベースは最新です / store is at revision {revision}")
    return EXIT_OK


def cmd_ingest(args: argparse.Namespace) -> int:
    from kiosk.bootstrap import ingest_service, open_store, reception_service

    settings = settings_of(args)
    start_logging(settings, args, "cli")
    store = open_store(settings)
    service = ingest_service(settings, store, face_dir=args.face_dir)
    report = service.drain()
    receptions = reception_service(settings, store)
    received = receptions.register_linked() if receptions is not None else 0
    if report.unavailable:
        raise UketsukeError(
            "face_folder_unavailable",
            f"顔認証結果フォルダを読めません（{', '.join(report.unavailable)}）",
            f"cannot read the face folder ({', '.join(report.unavailable)})",
        )
    print(
        f"取り込み {report.stored} 件（項目 {report.entries}、隔離 {report.quarantined}、"
        f"同名異内容 {report.conflicts}）"
        f" / ingested {report.stored} files ({report.entries} entries, {report.quarantined} quarantined,"
        f" {report.conflicts} name conflicts)"
        + (f"、受付 {received} 件 / {received} receptions" if receptions is not None else "")
    )
    return EXIT_OK


def _parse_day(text: str | None) -> date:
    if text is None:
        return datetime.now().date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UketsukeError(
            "bad_date", f"日付は YYYY-MM-DD で指定してください: {text}", f"date must be YYYY-MM-DD: {text}"
        ) from None


def cmd_cr_list(args: argparse.Namespace) -> int:
    from kiosk.bootstrap import open_store
    from kiosk.services.cr_list import cr_list

    day = _parse_day(args.date)
    settings = settings_of(args)
    start_logging(settings, args, "cli", console=False)
    store = open_store(settings)
    lines = cr_list(store.faces, day)
    _audit_listing(store, "cr-list", {"date": day.isoformat(), "rows": len(lines)})
    out = sys.stdout
    if args.json:
        for line in lines:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        return EXIT_OK
    out.write(f"顔認証付きCR利用者リスト {day.isoformat()}（{len(lines)}件）\n")
    for line in lines:
        who = line["name"] or "-"
        out.write(
            f"{line['entry_id']:>6}  {line['captured_at'][11:16]}  {line['status']:<12}  {who}  "
            f"{line['patient_id'] or ''}  {line['reason'] or ''}\n"
        )
    return EXIT_OK


def _audit_listing(store: Store, command: str, facts: dict[str, object]) -> None:
    """A listing with personal data leaves a record of who ran it (the operating-system account) and what."""
    from kiosk.services.audit import AuditEvent, os_actor, record

    record(store.sessions, AuditEvent(os_actor(), "cli_list", subject=command, after=facts), datetime.now())


def _wait_for_store(settings: Settings, stop: threading.Event) -> Store | None:
    """A service must not die because the store is away at start (PostgreSQL still starting, a SQLite file not
    writable yet): wait calmly, say so once, and start when it is back."""
    from kiosk.bootstrap import open_store

    failures = 0
    while not stop.is_set():
        try:
            store = open_store(settings)
        except StoreError as exc:
            failures += 1
            if failures == 1:
                log.error("store_unavailable_at_start", code=exc.code)
                print(exc.one_line(), file=sys.stderr)
            stop.wait(min(30.0, 0.5 * 2 ** min(failures, 6)))
            continue
        if failures:
            log.info("store_available_again", after_failures=failures)
        return store
    return None


def cmd_agent(args: argparse.Namespace, stop: threading.Event | None = None) -> int:
    """`stop` comes from the Windows service; from a console, SIGINT/SIGTERM stop the agent."""
    from kiosk.services.agent import stop_on_signals
    from kiosk.services.kiosk_claims import ClaimJanitor

    if stop is None:
        stop = threading.Event()
        stop_on_signals(stop)

    from kiosk.bootstrap import (
        ingest_service,
        reception_service,
        reference_service,
        registry_backend,
        serial_bridge,
    )
    from kiosk.core.clock import SystemClock
    from kiosk.services.agent import Agent, MirrorRefresher

    settings = settings_of(args)
    start_logging(settings, args, "agent")
    store = _wait_for_store(settings, stop)
    if store is None:
        return EXIT_OK  # asked to stop while the store was away
    service = ingest_service(settings, store, face_dir=args.face_dir)
    clock = SystemClock()
    reference = reference_service(settings, store, clock=clock)
    if reference is not None:
        reference.recover()
    refresher = MirrorRefresher(registry_backend(settings, store), settings.orca.mirror_sync_minutes * 60)
    bridge = serial_bridge(settings, store, clock)
    if bridge is not None:
        # The serial device gets its own thread: its reads block up to a timeout, never the ingest loop.
        def serve_device() -> None:
            while not stop.is_set():
                try:
                    bridge.handle_one(0.5)
                except Exception as exc:
                    log.error("serial_bridge_failed", error=type(exc).__name__)
                    stop.wait(1.0)

        threading.Thread(target=serve_device, name="serial-bridge", daemon=True).start()

    receptions = reception_service(settings, store, clock)
    janitor = ClaimJanitor(store.sessions, clock)

    def follow_up() -> None:
        refresher.maybe_sync()
        janitor.tick()  # claims a crashed kiosk left behind
        if receptions is not None:
            receptions.register_linked()
        if reference is not None:
            reference.tick()

    def status(component: str, state: str, message: str | None) -> None:
        try:
            store.faces.set_status(component, state, message, clock.now())
        except Exception:  # the store may be briefly unavailable; the log keeps the event
            log.warning("status_not_saved", component=component, state=state)

    agent = Agent(
        service,
        poll_interval=settings.face.poll_interval_seconds,
        use_events=settings.face.use_fs_events,
        status=status,
        stop_event=stop,
        after_scan=follow_up,
        on_store_failure=store.engine.dispose,
    )
    api = _kiosk_api(settings, store, clock)
    try:
        agent.run()
    finally:
        if api is not None:
            api.stop()
    return EXIT_OK


def _kiosk_api(settings: Settings, store: Store, clock: Clock) -> ApiServer | None:
    """The kiosk API for kiosk PCs ([kiosk_api] enabled); a port in use is said plainly, the agent goes on."""
    if not settings.kiosk_api.enabled:
        return None
    from kiosk.kiosk_remote import kiosk_api_server

    try:
        api = kiosk_api_server(settings, store, clock)
        api.start()
    except OSError as exc:
        log.error("kiosk_api_not_started", port=settings.kiosk_api.port, error=type(exc).__name__,
                  ja="キオスク API を開始できません（ポートが使用中か、証明書を作れません）",
                  en="the kiosk API did not start (port in use, or the certificate cannot be made)")  # fmt: skip
        return None
    return api


def cmd_staff(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    start_logging(settings, args, "staff")
    if args.add_admin:
        from kiosk.bootstrap import open_store
        from kiosk.core.clock import SystemClock
        from kiosk.services.accounts import AccountService

        secret = sys.stdin.readline().rstrip("\n")
        store = open_store(settings)
        AccountService(store.sessions, SystemClock()).create(args.add_admin, args.name or args.add_admin, "admin",
                                                             secret, by=None)  # fmt: skip
        print(f"管理者 {args.add_admin} を作成しました / created administrator {args.add_admin}")
        return EXIT_OK
    from kiosk.ui.staff.app import run_staff

    return run_staff(settings)


def cmd_audit(args: argparse.Namespace) -> int:
    from pathlib import Path

    from kiosk.bootstrap import open_store
    from kiosk.services.audit import AuditTrail

    settings = settings_of(args)
    start_logging(settings, args, "cli", console=False)
    store = open_store(settings)
    trail = AuditTrail(store.sessions)
    if args.audit_command == "export":
        count = trail.export_csv(Path(args.file))
        _audit_listing(store, "audit export", {"file": Path(args.file).name, "records": count})
        print(f"{count} 件を書き出しました / exported {count} records to {args.file}")
        return EXIT_OK
    if args.audit_command == "rotate":
        from kiosk.services.audit import os_actor, rotate_key

        key_id = rotate_key(store.sessions, settings.audit_key_dir(), os_actor(), datetime.now())
        print(f"新しい鍵 {key_id} で封印します。複数の PC では {settings.audit_key_dir()} の新しいファイルを各 PC に"
              f"置いてから再起動してください / new sealing key {key_id}; with several PCs copy the new file in "
              f"{settings.audit_key_dir()} to each and restart them")  # fmt: skip
        return EXIT_OK
    count, findings = trail.findings()
    if not findings:
        print(f"監査記録 {count} 件: 改ざんはありません（鍵・連番・ストア外の控えを確認） / {count} audit records, "
              "chain intact (seals, numbering and the outside anchor checked)")  # fmt: skip
        return EXIT_OK
    for broken in findings:
        print(f"エラー: 監査記録 {broken.record_id} で改ざんを検出 / Error: audit record {broken.record_id} fails: "
              f"{broken.why}", file=sys.stderr)  # fmt: skip
    return EXIT_INTERNAL


def cmd_doctor(args: argparse.Namespace) -> int:
    from kiosk.doctor import Doctor, Status

    checks = Doctor(args.config, args.db).run()
    for check in checks:
        print(check.line())
    failed = sum(1 for c in checks if c.status is Status.FAIL)
    if failed:
        print(f"\n✗ {failed} 件の問題があります / {failed} problem(s) found")
        return EXIT_INTERNAL
    print("\n✓ 問題はありません / all checks passed")
    return EXIT_OK


def cmd_provision(args: argparse.Namespace) -> int:
    from kiosk.provision import Provision, apply, default_install_dir, plan, program_data_dir

    commands = plan(Provision(program_data_dir(), default_install_dir(), args.service_account, args.kiosk_user,
                              args.purge, args.staff_group or "UketsukeStaff", _flag(args.kiosk_pc),
                              _flag(args.kiosk_via_agent)))  # fmt: skip
    if args.dry_run:
        for command in commands:
            print(" ".join(command))
        return EXIT_OK
    failures = apply(commands)
    for failure in failures:
        print(f"エラー: {failure} / Error: {failure}", file=sys.stderr)
    return EXIT_INTERNAL if failures else EXIT_OK


def _flag(value: str) -> bool:
    """An MSI property passed as text: "1" (or true/yes) is set, empty is not."""
    return value.strip().lower() in ("1", "true", "yes")


def cmd_demo(args: argparse.Namespace) -> int:
    import os
    import tempfile
    from pathlib import Path

    # the demo logs into its own throwaway folder, quietly
    configure_logging(process="demo", log_dir=Path(tempfile.mkdtemp(prefix="uketsuke-demo-log-")), data_dir=None,
                      level=args.log_level or "WARNING", console=False)  # fmt: skip
    if not (10 <= args.patients <= 200_000):
        raise UketsukeError("bad_count", "--patients は 10〜200000 です", "--patients must be 10 to 200000")
    windowless = args.headless or not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                                       or sys.platform == "win32")  # fmt: skip
    if windowless:
        from kiosk.demo.story import run_headless

        return run_headless(args.patients)
    from kiosk.demo.window import run_window_demo

    return run_window_demo(args.patients)


def cmd_status(args: argparse.Namespace) -> int:
    from kiosk.bootstrap import open_store

    settings = settings_of(args)
    start_logging(settings, args, "cli", console=False)
    store = open_store(settings)
    today = datetime.now().date()
    for row in store.faces.statuses():
        detail = f"  {row.message}" if row.message else ""
        print(f"{row.component:<16} {row.state:<12} {row.updated_at.isoformat(timespec='seconds')}{detail}")
    print(f"本日の隔離ファイル / quarantined today: {store.faces.quarantined_count(today)}")
    problems = store.faces.problems()
    print(f"読み取れないファイル / files that cannot be read: {len(problems)}")
    for problem in problems:
        since = f"{problem.first_seen:%H:%M:%S} から {problem.attempts} 回 / since {problem.first_seen:%H:%M:%S}"
        print(f"  {problem.source}: {problem.name} — {problem.reason}（{since}）")
    return EXIT_OK


def cmd_match(args: argparse.Namespace) -> int:
    from kiosk.bootstrap import open_store
    from kiosk.core.face import Identity
    from kiosk.core.matching import Matcher

    settings = settings_of(args)
    start_logging(settings, args, "cli", console=False)
    store = open_store(settings)
    matcher = Matcher(store.registry)
    fields = set(Identity.__dataclass_fields__)
    answered, shown = 0, set[str]()  # what the run showed of the registry: audited with the OS account, as cr-list is
    try:
        for number, text in enumerate(sys.stdin, start=1):
            if not text.strip():
                continue
            try:
                data = json.loads(text)
                if not isinstance(data, dict):
                    raise ValueError
            except ValueError:
                print(f"エラー: {number}行目は JSON オブジェクトではありません / Error: line {number} is not a JSON "
                      "object", file=sys.stderr)  # fmt: skip
                return EXIT_USAGE
            values = {k: (str(v) if v is not None else None) for k, v in data.items() if k in fields}
            result = matcher.match(Identity(**values))
            answered += 1
            shown.update(c.patient_id for c in result.candidates)
            sys.stdout.write(json.dumps(result.as_json(data.get("id")), ensure_ascii=False) + "\n")
            sys.stdout.flush()
        return EXIT_OK
    finally:
        if answered:
            _audit_listing(store, "match", {"lines": answered, "patients": sorted(shown)})


def cmd_reference(args: argparse.Namespace) -> int:
    import time

    from kiosk.bootstrap import open_store, require_reference_service
    from kiosk.core.reference import InsuranceChoice
    from kiosk.services.audit import os_actor

    settings = settings_of(args)
    start_logging(settings, args, "cli")
    store = open_store(settings)
    service = require_reference_service(settings, store)
    service.recover()
    deadline = time.monotonic() + settings.oqs.answer_timeout_seconds + 1
    if args.reference_command == "list":
        for item in service.registrations():
            print(
                f"{item.id:>6}  {item.state:<10} {item.trigger:<6} {item.request_file or '-':<34} {item.message or ''}"
            )
        return EXIT_OK
    if args.reference_command == "register":
        record = store.registry.get_patient(args.patient)
        if record is None or not record.insurances:
            raise UketsukeError(
                "reference_patient", "患者または保険情報が見つかりません", "patient or insurance not found"
            )
        ins = record.insurances[0]
        made = service.request(
            record.patient_id,
            InsuranceChoice(None, ins.insurer_number, ins.insured_card_symbol, ins.insured_identification_number,
                            ins.insured_branch_number),
            trigger="manual", actor=os_actor(),
        )  # fmt: skip
        if made is None:
            print("登録済みか処理中です / already registered or in progress")
            return EXIT_OK
        service.publish_pending()
        while not args.no_wait and time.monotonic() < deadline:
            service.collect_answers()
            current = service.state_of(made)
            if current is not None and current.state not in ("pending", "publishing", "published"):
                break
            time.sleep(0.5)
        service.expire()
        final = service.state_of(made)
        state = final.state if final else "?"
        print(
            f"照会番号登録 {state} / registration {state}" + (f": {final.message}" if final and final.message else "")
        )
        return EXIT_OK if state in ("done", "published") else EXIT_USAGE
    progress = _tty_line()
    started = service.start_bulk(only_missing=args.only_missing)
    print(f"一括登録を依頼しました: {started.patients} 人 / bulk request published for {started.patients} patients")
    if started.job_id is not None and not args.no_wait:
        while time.monotonic() < deadline + 3600:
            service.bulk_progress()
            job = service.bulk_job(started.job_id)
            if job is None or job.state in ("done", "failed", "uncertain"):
                break
            if progress:
                progress(f"結果待ち / waiting ({job.state}, {job.polls} polls)")
            time.sleep(1)
    summary = service.bulk_summary(started.job_id) if started.job_id is not None else {}
    print(f"登録 {summary.get('done', 0)}、失敗 {summary.get('failed', 0)}、不確定 {summary.get('uncertain', 0)}、"
          f"未完了 {summary.get('published', 0)}、対象外 {len(started.skipped)} / registered {summary.get('done', 0)},"
          f" failed {summary.get('failed', 0)}, uncertain {summary.get('uncertain', 0)},"
          f" still waiting {summary.get('published', 0)}, skipped {len(started.skipped)}")  # fmt: skip
    if started.job_id is not None:
        for row in service.registrations(job_id=started.job_id, states=("failed", "uncertain")):
            print(f"  {row.patient_id}: {row.state} {row.result_code or ''} {row.message or ''}")
    for patient_id, reason in started.skipped:
        print(f"  {patient_id}: skipped — {reason}")
    return EXIT_OK


def _tty_line() -> Callable[[str], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(text: str) -> None:
        sys.stderr.write("\r" + text)
        sys.stderr.flush()

    return show


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "reference": cmd_reference,
    "registry": cmd_registry,
    "appointments": cmd_appointments,
    "match": cmd_match,
    "db": cmd_db,
    "ingest": cmd_ingest,
    "cr-list": cmd_cr_list,
    "agent": cmd_agent,
    "status": cmd_status,
    "kiosk": cmd_kiosk,
    "staff": cmd_staff,
    "doctor": cmd_doctor,
    "demo": cmd_demo,
    "provision": cmd_provision,
    "audit": cmd_audit,
}


def run_agent_until(argv: Sequence[str], stop: threading.Event) -> int:
    """The agent for the Windows service: runs until `stop` is set; failures are logged, never raised."""
    args = build_parser().parse_args(list(argv))
    try:
        return cmd_agent(args, stop)
    except UketsukeError as exc:
        log.error("agent_failed", code=exc.code)
        return EXIT_USAGE
    except Exception as exc:
        log.exception("internal_error", command="agent", error=type(exc).__name__)
        return EXIT_INTERNAL


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UketsukeError as exc:
        log.warning("command_failed", command=args.command, code=exc.code)
        print(exc.one_line(), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        log.exception("internal_error", command=args.command, error=type(exc).__name__)
        print(
            f"エラー: 内部エラーが発生しました（ログを確認してください） / Error: internal error"
            f" ({type(exc).__name__}); see the log",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
