"""The packaging build started as soon as collection shows it will be needed, so the PyInstaller run (the
slowest single step of the suite, mostly one core) overlaps the rest of the tests on CI's second core instead
of adding its minutes at the end. The packaging tests then wait for it and check what it built."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODULE = "tests/packaging/test_packaging.py"
_build: subprocess.Popen[bytes] | None = None
_log: Path | None = None


def start_if_selected(nodeids: list[str]) -> None:
    """Start `scripts/package.sh` at low priority when a packaging test is selected (once per session)."""
    global _build, _log
    if _build is not None or not any(nodeid.startswith(MODULE) for nodeid in nodeids):
        return
    handle, name = tempfile.mkstemp(prefix="uketsuke-package-", suffix=".log")
    _log = Path(name)
    with os.fdopen(handle, "wb") as out:
        _build = subprocess.Popen(["nice", "-n", "15", "bash", "scripts/package.sh"], cwd=ROOT, stdout=out,
                                  stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)


def result(timeout: float) -> subprocess.CompletedProcess[str]:
    """The build's exit code and output; starts it here when collection did not (a single test run by id)."""
    if _build is None:
        start_if_selected([MODULE])
    assert _build is not None and _log is not None
    code = _build.wait(timeout=timeout)
    output = _log.read_text(encoding="utf-8", errors="replace")
    return subprocess.CompletedProcess(_build.args, code, output, "")


def stop() -> None:
    """An interrupted session does not leave a build running."""
    if _build is not None and _build.poll() is None:
        _build.kill()
        _build.wait()
    if _log is not None:
        _log.unlink(missing_ok=True)
