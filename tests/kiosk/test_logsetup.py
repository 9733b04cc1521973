"""No personal data in logs: ingest every fixture with debug logging, then look for their values."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import astuple
from pathlib import Path
from typing import Any

import structlog

from adapters.oqs.face_xml import parse_face_file
from kiosk.core.face import FaceDocument
from kiosk.logsetup import REDACTED, configure_logging
from tests.conftest import FACE_FIXTURES, place

NOT_PERSONAL_KEYS = {"sha256", "timestamp", "file", "hash"}  # hash: an audit anchor (random hex)


def personal_values() -> set[str]:
    values: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and len(value.strip()) >= 4:
            values.add(value.strip())

    for file in FACE_FIXTURES.rglob("*.xml"):
        doc = parse_face_file(file.read_bytes())
        if isinstance(doc, FaceDocument):
            for result in doc.results:
                walk([v for v in astuple(result.identity) if v])
                walk({k: result.details.get(k) for k in ("InsuredName", "Address", "InsurerName")})
    return values


def test_debug_logs_of_a_full_ingest_carry_no_personal_values(tmp_path: Path, data_dir: Path, face_dir: Path) -> None:
    for file in FACE_FIXTURES.rglob("*"):
        if file.is_file():
            place(file, face_dir)
    config = tmp_path / "debug.toml"
    config.write_text(f"[paths]\ndata_dir = '{data_dir}'\n[face]\nwrite_grace_seconds = 0.2\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.cli.main", "--config", str(config), "--log-level", "DEBUG",
         "ingest", "--once", "--face-dir", str(face_dir)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    log_file = data_dir / "logs" / "cli.jsonl"
    records = [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines()]
    assert any(r["event"] == "face_file_ingested" for r in records), "the log must show the work"
    values = personal_values()
    assert len(values) > 20
    for record in records:
        for key, value in record.items():
            if key in NOT_PERSONAL_KEYS:
                continue
            text = json.dumps(value, ensure_ascii=False)
            leaked = [v for v in values if v in text]
            assert not leaked, f"{key} leaks personal data"
    console = re.sub(r"\b(file|sha256|hash)=\S+", "", done.stderr)  # file names and hex codes are not personal
    # nor is the time of a line: 17:36:47.700123 once made an insured number ('7001') look leaked
    console = re.sub(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?Z?", "", console)
    leaked_console = [v for v in values if v in console]
    assert not leaked_console


def test_redaction_processor_masks_and_pseudonymises(tmp_path: Path) -> None:
    configure_logging(process="unit", log_dir=tmp_path, data_dir=tmp_path, level="DEBUG", console=False)
    structlog.get_logger("t").info(
        "probe", name="試験　太郎", birthdate="19800401", insurer_number="06999991", patient_id="000123",
        pin="1234", entry_id=7, guardian_name="試験　一郎",
    )  # fmt: skip
    (record,) = [json.loads(line) for line in (tmp_path / "unit.jsonl").read_text(encoding="utf-8").splitlines()]
    for key in ("name", "birthdate", "insurer_number", "pin", "guardian_name"):
        assert record[key] == REDACTED
    assert "patient_id" not in record and len(record["patient_ref"]) == 12
    assert record["patient_ref"] != "000123"
    assert record["entry_id"] == 7
