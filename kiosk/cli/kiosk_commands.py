"""`uketsuke kiosk …`: run the kiosk, check the desk it reaches, and pair kiosk PCs with the agent.

    uketsuke kiosk [--windowed]            the patient kiosk
    uketsuke kiosk --check                 which desk this kiosk reaches (store or agent), and whether it answers
    uketsuke kiosk --hash-pin              hash a staff exit PIN read from stdin
    uketsuke kiosk pair NAME               on the reception PC: a token for kiosk NAME (printed once) + fingerprint
    uketsuke kiosk unpair NAME             revoke kiosk NAME's token at once
    uketsuke kiosk save-token              on the kiosk PC: store the token read from stdin (file 0600)
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kiosk.cli.common import EXIT_OK, EXIT_USAGE, Parser, settings_of, start_logging
from kiosk.core.errors import UketsukeError


def add_kiosk_parser(commands: Any) -> None:
    kiosk = commands.add_parser("kiosk", help="患者さま用受付機 / the patient kiosk")
    kiosk.add_argument("--windowed", action="store_true", help="ウィンドウ表示（開発用） / not full screen")
    kiosk.add_argument("--check", action="store_true",
                       help="接続先（ストアまたはエージェント）を確認 / check the desk this kiosk reaches")  # fmt: skip
    kiosk.add_argument("--hash-pin", action="store_true",
                       help="職員PINのハッシュを作る（標準入力） / hash a staff PIN read from stdin for exit_pin_hash")
    sub = kiosk.add_subparsers(dest="kiosk_command", required=False, parser_class=Parser)
    pair = sub.add_parser("pair", help="キオスク PC を登録（トークンを表示） / pair a kiosk PC (prints its token)")
    pair.add_argument("name", help="キオスク名（例 kiosk-2） / the kiosk's name, e.g. kiosk-2")
    unpair = sub.add_parser("unpair", help="キオスク PC の登録を取り消す / revoke a kiosk PC's token")
    unpair.add_argument("name")
    sub.add_parser("save-token", help="トークンを保存（標準入力） / store the token read from stdin")


def cmd_kiosk(args: argparse.Namespace) -> int:
    if args.hash_pin:
        from kiosk.core.pin_hash import hash_secret

        pin = sys.stdin.readline().strip()
        if not (pin.isdigit() and len(pin) == 6):
            raise UketsukeError("bad_pin", "職員PINは6桁の数字です", "the staff PIN must be 6 digits")
        print(hash_secret(pin))
        return EXIT_OK
    settings = settings_of(args)
    command = getattr(args, "kiosk_command", None)
    if command in ("pair", "unpair"):
        return _pairing(args, command)
    if command == "save-token":
        from kiosk.kiosk_remote import save_token

        token = sys.stdin.readline().strip()
        if not token:
            raise UketsukeError("no_token", "トークンを標準入力から渡してください", "pass the token on stdin")
        save_token(settings, token)
        print(f"トークンを保存しました / token stored in {settings.kiosk_token_file()}")
        return EXIT_OK
    if args.check:
        from kiosk.kiosk_remote import check_desk

        start_logging(settings, args, "kiosk", console=False)
        found = check_desk(settings)
        mark = "✓" if found.ok else "エラー / Error:"
        print(f"{mark} {found.where}: {found.ja} / {found.en}", file=sys.stdout if found.ok else sys.stderr)
        return EXIT_OK if found.ok else EXIT_USAGE
    start_logging(settings, args, "kiosk")
    from kiosk.ui.patient.app import run_kiosk

    return run_kiosk(settings, windowed=args.windowed)


def _pairing(args: argparse.Namespace, command: str) -> int:
    from kiosk.bootstrap import open_store
    from kiosk.core.clock import SystemClock
    from kiosk.kiosk_remote import agent_fingerprint
    from kiosk.services.audit import os_actor
    from kiosk.services.kiosk_pairing import KioskPairing

    settings = settings_of(args)
    start_logging(settings, args, "cli", console=False)
    pairing = KioskPairing(open_store(settings).sessions, SystemClock())
    if command == "unpair":
        if not pairing.unpair(args.name, by=os_actor()):
            raise UketsukeError("kiosk_unknown", f"登録されたキオスク {args.name} はありません",
                                f"no paired kiosk named {args.name}")  # fmt: skip
        print(f"{args.name} の登録を取り消しました（すぐに使えなくなります） / {args.name} unpaired (effective now)")
        return EXIT_OK
    fingerprint = agent_fingerprint(settings)
    token = pairing.pair(args.name, by=os_actor())
    api = settings.kiosk_api
    print(f"キオスク {args.name} を登録しました。トークンはこの一度だけ表示します / kiosk {args.name} paired; the "
          "token is shown this once:")  # fmt: skip
    print(f"  token:        {token}")
    print(f"  fingerprint:  {fingerprint}")
    print("キオスク PC の設定 / on the kiosk PC, in its configuration:")
    print("  [kiosk]")
    print(f'  kiosk_id = "{args.name}"')
    print(f'  agent_url = "https://<この PC の名前 / this PC\'s name>:{api.port}"')
    print(f'  agent_fingerprint = "{fingerprint}"')
    print("  トークンは uketsuke kiosk save-token に渡します / pipe the token into uketsuke kiosk save-token")
    if not api.enabled:
        print("注意: [kiosk_api] enabled = true にしてエージェントを再起動してください / note: set [kiosk_api] "
              "enabled = true and restart the agent", file=sys.stderr)  # fmt: skip
    return EXIT_OK
