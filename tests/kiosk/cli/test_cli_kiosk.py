"""`uketsuke kiosk` as a real process: it starts (offscreen), stays up, stops on SIGTERM; bad settings are one line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from kiosk.core.pin_hash import verify_secret
from tests.kiosk.cli.conftest import run_cli


def test_hash_pin() -> None:
    done = run_cli("kiosk", "--hash-pin", stdin="135790\n")
    assert done.returncode == 0
    assert verify_secret("135790", done.stdout.strip())
    bad = run_cli("kiosk", "--hash-pin", stdin="12ab\n")
    assert bad.returncode == 2
    assert "6桁" in bad.stderr and "6 digits" in bad.stderr and "Traceback" not in bad.stderr


def test_kiosk_starts_and_stops(tmp_path: Path, data_dir: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f"[paths]\ndata_dir = '{data_dir}'\n[kiosk]\nfullscreen = false\n", encoding="utf-8")
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen([sys.executable, "-m", "kiosk.cli.main", "--config", str(config), "kiosk"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        log = data_dir / "logs" / "kiosk.jsonl"
        while not (log.exists() and "kiosk_started" in log.read_text(encoding="utf-8")):
            assert process.poll() is None, process.communicate()[1][-2000:]
            assert time.monotonic() < deadline, "the kiosk did not start"
            time.sleep(0.1)
        time.sleep(0.5)
        assert process.poll() is None  # still running
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=10)
    assert "Traceback" not in err


def test_a_printer_without_an_address_is_one_bilingual_line(tmp_path: Path, data_dir: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f"[paths]\ndata_dir = '{data_dir}'\n[kiosk]\nprinter = 'escpos'\n", encoding="utf-8")
    done = run_cli("--config", str(config), "kiosk", env=os.environ | {"QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 2
    assert "プリンター" in done.stderr and "printer" in done.stderr and "Traceback" not in done.stderr
