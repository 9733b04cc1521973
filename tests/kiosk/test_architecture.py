"""Dependencies point inward: the core imports no UI, database or device library."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "kiosk" / "core"
FORBIDDEN = ("PySide6", "sqlalchemy", "alembic", "smartcard", "serial", "watchdog", "defusedxml", "kiosk.store",
             "kiosk.services", "adapters", "drivers")  # fmt: skip


def test_core_is_pure() -> None:
    offenders = []
    for source in CORE.rglob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{source.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN or n in FORBIDDEN
                          or any(n.startswith(f + ".") for f in FORBIDDEN)]  # fmt: skip
    assert offenders == []
    assert list(CORE.rglob("*.py")), "the core exists"
