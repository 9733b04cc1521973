"""Errors never carry personal data into the logs (issue 19): forced failures in the match, ingest and kiosk paths,
with the identity in the failing frame's locals and in the exception's own text, then every log file and the
console are searched for the values that were fed in."""

from __future__ import annotations

import io
import json
import sqlite3
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from kiosk.cli.main import EXIT_INTERNAL, main
from kiosk.core.face import Identity
from kiosk.logsetup import configure_logging, describe_exception
from tests.conftest import FACE_FIXTURES, place

IDENTITY = {"name": "試験 漏洩子", "name_kana": "シケン ロウエイコ", "birthdate": "19770707", "sex": "2",
            "insurer_number": "06999977", "address": "試験県試験市漏洩町7-7-7"}  # fmt: skip
FED = [v for k, v in IDENTITY.items() if k != "sex"]


def logged(data_dir: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in (data_dir / "logs").glob("*.jsonl"))


def assert_clean(text: str) -> None:
    leaked = [v for v in [*FED, "タロウ", "太郎", "19800401"] if v in text]
    assert not leaked, leaked


@pytest.fixture
def config(tmp_path: Path, data_dir: Path) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(f"[paths]\ndata_dir = '{data_dir}'\n[face]\nwrite_grace_seconds = 0.0\n", encoding="utf-8")
    return path


def test_a_failing_match_logs_its_frames_not_the_identity(
    config: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(self: Any, identity: Identity) -> Any:
        secret = identity  # a local holding the whole identity, as a real frame would
        raise ValueError(f"cannot score {secret.name} {secret.name_kana} born {secret.birthdate}")

    monkeypatch.setattr("kiosk.core.matching.Matcher.match", broken)
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(IDENTITY, ensure_ascii=False) + "\n"))
    assert main(["--config", str(config), "match"]) == EXIT_INTERNAL
    text = logged(data_dir)
    records = [json.loads(line) for line in text.splitlines()]
    (failure,) = [r for r in records if r["event"] == "internal_error"]
    assert failure["failure"][0]["type"] == "builtins.ValueError"
    assert any("in broken" in frame for frame in failure["failure"][0]["frames"])  # support still sees where
    assert_clean(text)
    assert_clean(capsys.readouterr().err)


def test_a_store_failure_during_ingest_does_not_log_the_statement_parameters(
    config: Path, data_dir: Path, face_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for file in (FACE_FIXTURES / "shaho_reference_number").iterdir():
        place(file, face_dir)

    def full_disk(self: Any, *args: Any, **kwargs: Any) -> None:
        raise OperationalError("INSERT INTO cr_entries (name, name_kana, birthdate) VALUES (?, ?, ?)",
                               (IDENTITY["name"], IDENTITY["name_kana"], IDENTITY["birthdate"]),
                               sqlite3.OperationalError("database or disk is full"))  # fmt: skip

    monkeypatch.setattr("kiosk.services.ingest.IngestService._store", full_disk)
    code = main(["--config", str(config), "ingest", "--once", "--face-dir", str(face_dir)])
    assert code != 0
    text = logged(data_dir)
    assert "OperationalError" in text  # the kind of failure is there
    assert_clean(text)
    assert_clean(capsys.readouterr().err)


def test_uncaught_errors_in_kiosk_threads_and_the_main_loop_are_logged_safely(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(process="kiosk", log_dir=tmp_path / "logs", data_dir=tmp_path, level="INFO", console=True)

    def reader_thread() -> None:
        identity = Identity(**IDENTITY)  # noqa: F841 — a local the default hook would not show, locals=True would
        raise RuntimeError(f"card read failed for {IDENTITY['name']} {IDENTITY['address']}")

    worker = threading.Thread(target=reader_thread, name="kiosk-pcsc")
    worker.start()
    worker.join()
    try:
        raise KeyError(IDENTITY["insurer_number"])
    except KeyError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)  # what Python and PySide6 call for an uncaught error
    text = logged(tmp_path)
    records = [json.loads(line) for line in text.splitlines()]
    assert [r["where"] for r in records if r["event"] == "uncaught_exception"] == ["thread kiosk-pcsc", "main"]
    assert_clean(text)
    assert_clean(capsys.readouterr().err)


def test_a_chained_exception_keeps_its_causes_and_codes_but_no_text() -> None:
    from kiosk.core.registry import RegistryError

    try:
        try:
            raise ValueError(IDENTITY["name"])
        except ValueError as inner:
            raise RegistryError("orca_refused", "ORCA が拒否しました", "ORCA refused") from inner
    except RegistryError as exc:
        described = describe_exception(exc)
    assert [d["type"].rsplit(".", 1)[-1] for d in described] == ["RegistryError", "ValueError"]
    assert described[0]["code"] == "orca_refused"
    assert_clean(json.dumps(described, ensure_ascii=False))
