"""`uketsuke reference register|bulk|list` against the simulated terminal running in the background."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.demo.oqs_terminal import MIC, Behaviour, Terminal
from tests.kiosk.cli.conftest import run_cli

REGISTRY = (
    "patient_id,name,name_kana,birthdate,sex,insurer_number,insured_card_symbol,insured_identification_number,"
    "insured_branch_number\n"
    "5001,試験 五子,ｼｹﾝ ｲﾂｺ,1970-05-05,F,06999991,試験,5001,01\n"
    "5002,試験 二郎,ｼｹﾝ ｼﾞﾛｳ,1971-01-01,M,06999991,試験,5002,01\n"
    "5009,試験 九郎,ｼｹﾝ ｸﾛｳ,1972-01-01,M,06999991,試験,5009,01\n"
)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    simulated = Terminal(tmp_path / "OQS", behaviour=Behaviour(processing_polls=1)).start()
    yield simulated
    simulated.stop()


@pytest.fixture
def oqs_config(tmp_path: Path, data_dir: Path, terminal: Terminal) -> Path:
    path = tmp_path / "oqs.toml"
    path.write_text(
        f"[paths]\ndata_dir = '{data_dir}'\n[logging]\nconsole = false\n[oqs]\nmedical_institution_code = '{MIC}'\n"
        f"req_folder = '{terminal.req}'\nres_folder = '{terminal.res}'\nanswer_timeout_seconds = 20\n"
        "bulk_poll_seconds = 0.5\n",
        encoding="utf-8",
    )
    csv = tmp_path / "registry.csv"
    csv.write_text(REGISTRY, encoding="utf-8")
    assert run_cli("--config", str(path), "registry", "import", str(csv)).returncode == 0
    return path


def test_register_one_patient_and_wait_for_the_answer(oqs_config: Path, terminal: Terminal) -> None:
    done = run_cli("--config", str(oqs_config), "reference", "register", "--patient", "5001")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "registration done" in done.stdout
    assert terminal.references[("06999991", "試験", "5001", "01")] == "5001"
    again = run_cli("--config", str(oqs_config), "reference", "register", "--patient", "5001")
    assert "already registered" in again.stdout
    listed = run_cli("--config", str(oqs_config), "reference", "list")
    assert listed.stdout.count("done") == 1


def test_bulk_registers_the_missing_and_reports_failures(oqs_config: Path, terminal: Terminal) -> None:
    assert run_cli("--config", str(oqs_config), "reference", "register", "--patient", "5001").returncode == 0
    done = run_cli("--config", str(oqs_config), "reference", "bulk", "--only-missing")
    assert done.returncode == 0, done.stderr
    assert "published for 2 patients" in done.stdout
    assert "registered 1, failed 1" in done.stdout and "skipped 1" in done.stdout
    assert "5009: failed SYNTH0301" in done.stdout


def test_reference_without_configuration_is_one_clear_line(config: Path) -> None:
    done = run_cli("--config", str(config), "reference", "list")
    assert done.returncode == 2
    assert done.stderr.startswith("エラー") and "[oqs]" in done.stderr and "Traceback" not in done.stderr
