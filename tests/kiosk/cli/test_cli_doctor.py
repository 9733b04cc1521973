"""`uketsuke doctor` on a good site and on broken ones: every ✗ names the problem and the fix, exit code 1."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk.demo.oqs_terminal import Terminal
from kiosk.demo.people import TARO
from kiosk.demo.pty_pair import PtyPair
from tests.conftest import need_stack
from tests.kiosk.cli.conftest import run_cli
from tests.simulators.escpos_printer import SimulatedPrinter


def site(tmp_path: Path, data_dir: Path, extra: str = "") -> tuple[Path, Path]:
    """A clinic PC: a face folder with one result, req/res folders, an embedded registry."""
    oqs = tmp_path / "OQS"
    for sub in ("face", "req", "res"):
        (oqs / sub).mkdir(parents=True, exist_ok=True)
    Terminal(oqs).card_reader_use(TARO)  # a result the terminal has just written
    config = tmp_path / "doctor.toml"
    config.write_text(
        f"[paths]\ndata_dir = '{data_dir}'\n[logging]\nconsole = false\n[face]\nfolder = '{oqs / 'face'}'\n"
        f"[oqs]\nmedical_institution_code = '9919999999'\nreq_folder = '{oqs / 'req'}'\n"
        f"res_folder = '{oqs / 'res'}'\n{extra}",
        encoding="utf-8",
    )
    run_cli("--config", str(config), "db", "upgrade")
    return config, oqs


def lines(output: str) -> dict[str, str]:
    found = {}
    for line in output.splitlines():
        if line[:1] in "✓⚠✗－" and ":" in line:
            found[line[2:].split(":")[0]] = line[0]
    return found


def test_a_good_site(tmp_path: Path, data_dir: Path) -> None:
    config, _oqs = site(tmp_path, data_dir)
    done = run_cli("--config", str(config), "doctor")
    status = lines(done.stdout)
    assert done.returncode == 0, done.stdout
    assert status["設定 / config"] == "✓" and status["データベース / store"] == "✓"
    assert status["顔認証結果ファイル / a face file"] == "✓"
    assert status["照会番号の依頼フォルダ / req folder"] == "✓"
    assert status["レセコン / registry back-end"] == "✓"
    assert status["カードリーダー / PC/SC readers"] == "－"
    assert list((tmp_path / "OQS" / "req").iterdir()) == []  # the probe file was removed
    assert status["時計 / clocks"] == "✓"


def test_a_terminal_clock_ten_minutes_off(tmp_path: Path, data_dir: Path) -> None:
    config, oqs = site(tmp_path, data_dir)
    Terminal(oqs).card_reader_use(TARO, when=datetime.now() - timedelta(minutes=10))  # written now, stamped -10 min
    done = run_cli("--config", str(config), "doctor")
    assert lines(done.stdout)["時計 / clocks"] == "✗" and done.returncode == 1


def test_a_broken_site(tmp_path: Path, data_dir: Path) -> None:
    config, oqs = site(tmp_path, data_dir, "[serial_bridge]\nenabled = true\nport = '/dev/ttyUKETSUKE-NONE'\n")
    (oqs / "face" / "OQSsiquc01res_face_9919999999_20261122090000.xml").write_bytes(b"<XmlMsg><broken")
    shutil.rmtree(oqs / "req")
    done = run_cli("--config", str(config), "doctor")
    status = lines(done.stdout)
    assert done.returncode == 1
    assert status["顔認証結果ファイル / a face file"] == "✗"
    assert status["照会番号の依頼フォルダ / req folder"] == "✗"
    assert status["再来受付機 / serial port"] == "✗"
    assert "→" in done.stdout and "Traceback" not in done.stdout + done.stderr


def test_an_unreachable_store_and_a_missing_face_folder(tmp_path: Path, data_dir: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(f"[paths]\ndata_dir = '{data_dir}'\n[logging]\nconsole = false\n[face]\nfolder = "
                      f"'{tmp_path / 'nowhere'}'\n[store]\nurl = 'postgresql+psycopg://u@127.0.0.1:1/x'\n",
                      encoding="utf-8")  # fmt: skip
    done = run_cli("--config", str(config), "doctor")
    status = lines(done.stdout)
    assert done.returncode == 1
    assert status["データベース / store"] == "✗" and status["顔認証結果フォルダ / face folder"] == "✗"
    assert status["レセコン / registry back-end"] == "－"


def test_a_bad_config_is_one_failed_check(tmp_path: Path) -> None:
    config = tmp_path / "typo.toml"
    config.write_text("[face]\nfolderr = 'x'\n", encoding="utf-8")
    done = run_cli("--config", str(config), "doctor")
    assert done.returncode == 1
    assert done.stdout.startswith("✗ 設定 / config") and "folderr" in done.stdout


@pytest.mark.parametrize("paper_out", [False, True])
def test_the_printer_answers_or_is_out_of_paper(tmp_path: Path, data_dir: Path, paper_out: bool) -> None:
    need_stack(shutil.which("socat") is not None, "socat")
    pair = PtyPair(tmp_path, "prn")
    pair.start()
    printer = SimulatedPrinter(pair.device)
    printer.paper_out = paper_out
    try:
        config, _oqs = site(tmp_path, data_dir, f"[kiosk]\nprinter = 'escpos'\nprinter_url = '{pair.host}'\n")
        done = run_cli("--config", str(config), "doctor")
    finally:
        printer.close()
        pair.stop()
    assert lines(done.stdout)["受付票プリンター / slip printer"] == ("✗" if paper_out else "✓")
