"""The command-line contract of DESIGN.md, run as a real process."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import FACE_FIXTURES, face_fixture, place
from tests.kiosk.cli.conftest import run_cli

CONTRACT_KEYS = [
    "entry_id", "file_name", "sha256", "captured_at", "name", "name_kana", "birthdate", "sex",
    "insurer_number", "insured_card_symbol", "insured_identification_number", "insured_branch_number",
    "reference_number", "status", "patient_id", "link_method", "reception_id", "reason", "qualification",
    "qualification_validity", "appointment_id",
]  # fmt: skip


def uketsuke(*args: str, env_config: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home())}
    if env_config is not None:
        env["UKETSUKE_CONFIG"] = str(env_config)
    return run_cli(*args, env=env)


def test_ingest_once_then_cr_list_json(config: Path, face_dir: Path) -> None:
    for case in sorted(FACE_FIXTURES.iterdir()):
        for file in case.iterdir():
            place(file, face_dir)
    done = uketsuke("--config", str(config), "ingest", "--once", "--face-dir", str(face_dir))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    listed = uketsuke("--config", str(config), "cr-list", "--date", "2025-04-01", "--json")
    assert listed.returncode == 0, listed.stderr
    lines = [json.loads(line) for line in listed.stdout.splitlines()]
    assert all(list(line) == CONTRACT_KEYS for line in lines)
    face_cases = [c for c in FACE_FIXTURES.iterdir() if c.name != "not_face_files"]
    assert len(lines) == len(face_cases) + 2  # two files hold two results each
    assert {line["status"] for line in lines} == {"no_match", "error"}  # empty registry
    errors = [line for line in lines if line["status"] == "error"]
    assert all(line["reason"] and line["sha256"] and line["name"] is None for line in errors)
    # Other days list nothing; a second ingest stores nothing new.
    assert uketsuke("--config", str(config), "cr-list", "--date", "2025-04-02", "--json").stdout == ""
    again = uketsuke("--config", str(config), "ingest", "--once", "--face-dir", str(face_dir))
    assert "ingested 0 files" in again.stdout


def test_config_from_environment_and_db_override(config: Path, face_dir: Path, tmp_path: Path) -> None:
    place(face_fixture("shaho_reference_number"), face_dir)
    other_db = tmp_path / "other.db"
    done = uketsuke("--db", f"sqlite:///{other_db}", "ingest", "--once", "--face-dir", str(face_dir), env_config=config)
    assert done.returncode == 0, done.stderr
    assert other_db.exists()
    assert uketsuke("--db", f"sqlite:///{other_db}", "cr-list", "--date", "2025-04-01", "--json",
                    env_config=config).stdout.count("\n") == 1  # fmt: skip


@pytest.mark.parametrize(
    "args",
    [
        ("cr-list", "--date", "2025/04/01", "--json"),
        ("ingest", "--once", "--face-dir", "/nonexistent/face"),
        ("--db", "nonsense://", "cr-list", "--json"),
        ("frobnicate",),
    ],
)
def test_bad_input_is_one_bilingual_line_and_non_zero(config: Path, args: tuple[str, ...]) -> None:
    done = uketsuke("--config", str(config), *args)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    error_lines = [line for line in done.stderr.splitlines() if line.startswith("エラー")]
    assert len(error_lines) == 1 and " / Error: " in error_lines[0]


def test_bad_config_value_names_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[face]\nmax_file_bytes = 'big'\n", encoding="utf-8")
    done = uketsuke("--config", str(bad), "cr-list", "--json")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "face.max_file_bytes" in done.stderr and "整数" in done.stderr


def test_db_upgrade_reports_the_revision(config: Path) -> None:
    done = uketsuke("--config", str(config), "db", "upgrade")
    from kiosk.store.db import head_revision

    assert done.returncode == 0 and f"revision {head_revision()}" in done.stdout
