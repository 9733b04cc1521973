"""The agent as a running loop: events, signals, a vanishing folder, and kill -9 at random moments."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from kiosk.bootstrap import Store, ingest_service
from kiosk.demo.oqs_terminal import wait_until
from kiosk.services.agent import Agent
from kiosk.settings import Settings
from tests.conftest import face_fixture, place


def stored_files(store: Store) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(text("select count(*) from face_files")).scalar_one())


def run_agent(agent: Agent) -> threading.Thread:
    thread = threading.Thread(target=agent.run, daemon=True)
    thread.start()
    return thread


def test_events_deliver_a_new_file_without_waiting_for_the_poll(
    settings: Settings, store: Store, face_dir: Path
) -> None:
    agent = Agent(ingest_service(settings, store), poll_interval=30.0, use_events=True)
    thread = run_agent(agent)
    try:
        time.sleep(0.3)  # the first scan and the watch are up
        place(face_fixture("shaho_reference_number"), face_dir, age_seconds=0)
        assert wait_until(lambda: stored_files(store) == 1, timeout=5)
    finally:
        agent.request_stop()
        thread.join(timeout=5)
    assert not thread.is_alive()


def test_the_agent_survives_a_vanishing_folder_and_resumes(settings: Settings, store: Store, face_dir: Path) -> None:
    states: list[tuple[str, str]] = []
    agent = Agent(
        ingest_service(settings, store),
        poll_interval=0.1,
        use_events=True,
        status=lambda component, state, _message: states.append((component, state)),
    )
    thread = run_agent(agent)
    try:
        assert wait_until(lambda: ("folder:face", "ok") in states)
        away = face_dir.with_name("face-away")
        face_dir.rename(away)
        assert wait_until(lambda: ("folder:face", "unavailable") in states)
        assert thread.is_alive()
        away.rename(face_dir)
        place(face_fixture("cp932_only_kanji"), face_dir)
        assert wait_until(lambda: stored_files(store) == 1)
    finally:
        agent.request_stop()
        thread.join(timeout=5)
    assert [s for c, s in states if c == "folder:face"] == ["ok", "unavailable", "ok"]


def agent_running(data_dir: Path, pid: int) -> bool:
    """The agent with this pid has reported itself running in the store."""
    database = data_dir / "uketsuke.db"
    if not database.exists():
        return False
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            message = connection.execute(text("select message from service_status where component = 'agent'"))
            return bool(message.scalar_one_or_none() == f"pid={pid}")
    except Exception:
        return False
    finally:
        engine.dispose()


def _agent_command(config: Path) -> list[str]:
    return [sys.executable, "-m", "kiosk.cli.main", "--config", str(config), "agent"]


def _config(tmp_path: Path, face_dir: Path, data_dir: Path) -> Path:
    config = tmp_path / "agent.toml"
    config.write_text(
        f"[paths]\ndata_dir = '{data_dir}'\n[face]\nfolder = '{face_dir}'\npoll_interval_seconds = 0.2\n"
        "settle_seconds = 0.01\nwrite_grace_seconds = 2.0\n[logging]\nconsole = false\n",
        encoding="utf-8",
    )
    return config


def test_sigterm_stops_the_agent_cleanly(tmp_path: Path, face_dir: Path, data_dir: Path) -> None:
    process = subprocess.Popen(_agent_command(_config(tmp_path, face_dir, data_dir)))
    assert wait_until(lambda: agent_running(data_dir, process.pid), timeout=30)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0


def test_kill_9_at_random_moments_while_200_files_arrive(tmp_path: Path, face_dir: Path, data_dir: Path) -> None:
    config = _config(tmp_path, face_dir, data_dir)
    template = face_fixture("shaho_reference_number").read_bytes()
    total = 200
    rng = random.Random(20251122)

    def writer() -> None:
        for i in range(total):
            data = template.replace(b"000123", f"{i:06d}".encode())
            name = f"OQSsiquc01res_face_9919999999{i:020x}_20250401{10 + i // 60:02d}{i % 60:02d}00.xml"
            with (face_dir / name).open("wb") as handle:  # not atomic, like the terminal
                handle.write(data[: len(data) // 2])
                handle.flush()
                time.sleep(0.002)
                handle.write(data[len(data) // 2 :])
            time.sleep(rng.uniform(0.005, 0.04))

    feeder = threading.Thread(target=writer)
    feeder.start()
    kills = 0
    while feeder.is_alive() or kills < 3:
        process = subprocess.Popen(_agent_command(config), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 1.6))
        process.kill()
        process.wait()
        kills += 1
    feeder.join()
    final = subprocess.Popen(_agent_command(config))
    engine = create_engine(f"sqlite:///{data_dir / 'uketsuke.db'}")

    def counts() -> tuple[int, int, int]:
        with engine.connect() as connection:
            files = connection.execute(text("select count(*), count(distinct name_key) from face_files")).one()
            entries = connection.execute(text("select count(*) from cr_entries")).scalar_one()
        return int(files[0]), int(files[1]), int(entries)

    try:
        assert wait_until(lambda: agent_running(data_dir, final.pid), timeout=30)
        assert wait_until(lambda: counts()[0] >= total, timeout=60)
        time.sleep(0.5)
    finally:
        final.send_signal(signal.SIGTERM)
        assert final.wait(timeout=10) == 0
    files, names, entries = counts()
    assert (files, names, entries) == (total, total, total), f"after {kills} kills"
    with engine.connect() as connection:
        states = connection.execute(text("select state, count(*) from face_files group by state")).all()
    assert dict(states) == {"ingested": total}
    engine.dispose()
    assert os.listdir(face_dir).__len__() == total  # nothing deleted or moved
