"""The CLI as a real process, with a config file of its own per test."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def run_cli(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli.main", *args],
        capture_output=True, text=True, timeout=120, input=stdin, env=env,
    )  # fmt: skip


@pytest.fixture
def config(tmp_path: Path, data_dir: Path) -> Path:
    path = tmp_path / "cli.toml"
    path.write_text(
        f"[paths]\ndata_dir = '{data_dir}'\n[face]\nwrite_grace_seconds = 0.2\n[logging]\nconsole = false\n",
        encoding="utf-8",
    )
    return path
