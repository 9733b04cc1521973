"""Frozen entry of `uketsuke-ui.exe` (windowed): `uketsuke-ui kiosk` or `uketsuke-ui staff`; without a
command it opens the kiosk (what the kiosk user's auto-start runs)."""

from __future__ import annotations

import sys


def main() -> int:
    from kiosk.cli.main import main as cli

    arguments = sys.argv[1:] or ["kiosk"]
    return cli(arguments)


if __name__ == "__main__":
    sys.exit(main())
