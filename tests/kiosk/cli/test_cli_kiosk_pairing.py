"""Pairing a kiosk PC and checking what it reaches, as real processes: `kiosk pair` on the reception PC prints the
token once and the fingerprint; `kiosk save-token` and `kiosk --check` on the kiosk PC; `kiosk unpair` stops it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.bootstrap import open_store
from kiosk.core.clock import SystemClock
from kiosk.services.kiosk_pairing import token_hash
from kiosk.settings import settings_from_mapping
from kiosk.store.models import KioskToken
from tests.agent_api import AgentApi, start_agent_api
from tests.kiosk.cli.conftest import run_cli


@pytest.fixture
def reception(tmp_path: Path) -> Path:
    """The reception PC's configuration (its store and certificate live in its data folder)."""
    data = tmp_path / "reception"
    data.mkdir()
    config = tmp_path / "reception.toml"
    config.write_text(f"[paths]\ndata_dir = '{data}'\n[logging]\nconsole = false\n", encoding="utf-8")
    return config


@pytest.fixture
def agent(reception: Path, tmp_path: Path) -> Iterator[AgentApi]:
    settings = settings_from_mapping({"paths": {"data_dir": str(tmp_path / "reception")}})
    store = open_store(settings)
    api = start_agent_api(settings, store, SystemClock())
    yield api
    api.close()
    store.engine.dispose()


def kiosk_pc(tmp_path: Path, url: str, fingerprint: str) -> Path:
    data = tmp_path / "kiosk-pc"
    data.mkdir(exist_ok=True)
    config = tmp_path / "kiosk-pc.toml"
    config.write_text(f"[paths]\ndata_dir = '{data}'\n[logging]\nconsole = false\n[kiosk]\nkiosk_id = 'kiosk-2'\n"
                      f"agent_url = '{url}'\nagent_fingerprint = '{fingerprint}'\n", encoding="utf-8")  # fmt: skip
    return config


def test_pair_check_and_unpair(reception: Path, agent: AgentApi, tmp_path: Path) -> None:
    paired = run_cli("--config", str(reception), "kiosk", "pair", "kiosk-2")
    assert paired.returncode == 0, paired.stderr
    token = re.search(r"token:\s+(\S+)", paired.stdout)
    fingerprint = re.search(r"fingerprint:\s+(SHA256:[0-9A-F:]+)", paired.stdout)
    assert token and fingerprint and fingerprint.group(1) == agent.fingerprint
    store = open_store(agent.settings)
    with store.sessions() as session:
        [row] = session.query(KioskToken).all()
        assert row.token_hash == token_hash(token.group(1)) and token.group(1) not in row.token_hash
    store.engine.dispose()
    config = kiosk_pc(tmp_path, agent.url, fingerprint.group(1))
    saved = run_cli("--config", str(config), "kiosk", "save-token", stdin=token.group(1) + "\n")
    assert saved.returncode == 0, saved.stderr
    token_file = tmp_path / "kiosk-pc" / "kiosk-token"
    assert token_file.stat().st_mode & 0o077 == 0  # only the kiosk account reads it
    checked = run_cli("--config", str(config), "kiosk", "--check")
    assert checked.returncode == 0, checked.stderr
    assert f"agent {agent.url}" in checked.stdout and "token accepted" in checked.stdout
    assert not (tmp_path / "kiosk-pc" / "uketsuke.db").exists()  # the kiosk PC holds no store
    doctor = run_cli("--config", str(config), "doctor")
    assert "✓ 受付 PC のエージェント / agent" in doctor.stdout and "データベース" not in doctor.stdout
    assert run_cli("--config", str(reception), "kiosk", "unpair", "kiosk-2").returncode == 0
    refused = run_cli("--config", str(config), "kiosk", "--check")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1 and "token is refused" in refused.stderr


def test_a_wrong_fingerprint_or_no_agent_is_one_line(agent: AgentApi, tmp_path: Path) -> None:
    wrong = kiosk_pc(tmp_path, agent.url, "SHA256:" + ":".join(["AB"] * 32))
    (tmp_path / "kiosk-pc" / "kiosk-token").write_text(agent.pair("kiosk-2"), encoding="utf-8")
    done = run_cli("--config", str(wrong), "kiosk", "--check")
    assert done.returncode == 2 and "not the pinned one" in done.stderr and "Traceback" not in done.stderr
    agent.stop()
    gone = kiosk_pc(tmp_path, agent.url, agent.fingerprint)
    done = run_cli("--config", str(gone), "kiosk", "--check")
    assert done.returncode == 2 and "cannot reach the agent" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    agent.start_again()


def test_a_single_pc_kiosk_checks_its_store(reception: Path) -> None:
    done = run_cli("--config", str(reception), "kiosk", "--check")
    assert done.returncode == 0, done.stderr
    assert "store sqlite:///" in done.stdout and "store answers" in done.stdout
