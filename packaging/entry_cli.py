"""Frozen entry of `uketsuke.exe` (console): the command line, or the Windows service when the Service
Control Manager starts it (no arguments, not attached to a console)."""

from __future__ import annotations

import sys


def main() -> int:
    if sys.platform == "win32" and len(sys.argv) == 1:
        from kiosk.winservice import run_service_or_console

        return run_service_or_console()
    from kiosk.cli.main import main as cli

    return cli()


if __name__ == "__main__":
    sys.exit(main())
