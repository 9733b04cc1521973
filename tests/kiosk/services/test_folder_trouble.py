"""A face folder that misbehaves (issue 17): every per-file failure stays with that file, the rest of the folder is
ingested, the file is listed for staff and in `status` with a bilingual reason and tried again calmly; a folder
that stops being the share is unavailable; a store that was read-only recovers by itself; an unknown database
dialect is one line."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.bootstrap import Store, ingest_service
from kiosk.core.clock import FixedClock
from kiosk.services.cr_list import cr_list
from kiosk.services.ingest import IngestService
from kiosk.settings import Settings
from tests.conftest import face_fixture, need_stack, place

DAY = datetime(2025, 4, 1, 12, 0, 0)
NOBODY = 65534


def good_files(face_dir: Path, count: int) -> list[Path]:
    source = face_fixture("shaho_reference_number")
    template = source.read_bytes()
    placed = []
    for index in range(count):
        name = f"OQSsiquc01res_face_99199999990000000000000000{index:04d}_20250401093{index % 10}00.xml"
        target = face_dir / name
        target.write_bytes(template.replace(b"000123", f"{index:06d}".encode()))
        old = time.time() - 60
        os.utime(target, (old, old))
        placed.append(target)
    return placed


def service(settings: Settings, store: Store) -> IngestService:
    return ingest_service(settings, store, clock=FixedClock(DAY))


def test_a_link_loop_and_an_odd_name_do_not_stop_the_folder(settings: Settings, store: Store, face_dir: Path) -> None:
    good_files(face_dir, 10)
    loop = face_dir / "OQSsiquc01res_face_9919999999loop_20250401093000.xml"
    loop.symlink_to(loop.name)  # points at itself
    dangling = face_dir / "OQSsiquc01res_face_9919999999gone_20250401093000.xml"
    dangling.symlink_to("nowhere.xml")
    odd = os.fsencode(face_dir) + b"/OQSsiquc01res_face_\xff\xfe_20250401093000.xml"
    with open(odd, "wb") as handle:
        handle.write(face_fixture("shaho_reference_number").read_bytes())
    ingest = service(settings, store)
    report = ingest.drain()
    assert report.stored == 10 and report.unavailable == []
    problems = {p.name: p for p in store.faces.problems()}
    assert set(problems) == {loop.name, dangling.name, "OQSsiquc01res_face_\\xff\\xfe_20250401093000.xml"}
    assert all(" / " in p.reason for p in problems.values())
    assert problems["OQSsiquc01res_face_\\xff\\xfe_20250401093000.xml"].code == "bad_name"
    # Calm: scanning again at once neither re-records nor re-logs them.
    ingest.scan()
    assert {p.attempts for p in store.faces.problems()} == {1}
    # Fixed on the share: the problem is gone at the next full listing.
    loop.unlink()
    ingest.scan()
    assert loop.name not in {p.name for p in store.faces.problems()}


def test_a_folder_that_is_replaced_counts_as_unavailable(settings: Settings, store: Store, face_dir: Path) -> None:
    """An unmounted share leaves its empty mount point: same path, another directory."""
    good_files(face_dir, 2)
    ingest = service(settings, store)
    assert ingest.drain().stored == 2
    face_dir.rename(face_dir.with_name("mounted-share"))
    face_dir.mkdir()
    report = ingest.scan()
    assert report.unavailable == ["face"]
    face_dir.rmdir()
    face_dir.with_name("mounted-share").rename(face_dir)
    assert ingest.scan().unavailable == []


# -- as an ordinary user: permissions mean something (CI runs as root, so these run as `nobody`) ------------------
def run_as_nobody(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "kiosk.cli.main", *args]
    if os.geteuid() == 0:
        command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "PYTHONPATH": str(Path(__file__).parents[3])}
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture
def site() -> Iterator[tuple[Path, Path, Path]]:
    need_stack(os.geteuid() != 0 or shutil.which("setpriv") is not None, "setpriv (util-linux) to run as nobody")
    base = Path(tempfile.mkdtemp(prefix="uketsuke-nobody-"))  # outside pytest's 0700 root folder
    base.chmod(0o755)
    face, data = base / "face", base / "data"
    face.mkdir(parents=True)
    data.mkdir()
    config = base / "uketsuke.toml"
    config.write_text(f"[paths]\ndata_dir = '{data}'\n[face]\nfolder = '{face}'\nwrite_grace_seconds = 0.2\n"
                      "poll_interval_seconds = 0.2\n[logging]\nconsole = false\n", encoding="utf-8")  # fmt: skip
    if os.geteuid() == 0:
        for path in (base, face, data, config):
            os.chown(path, NOBODY, NOBODY)
    yield base, face, data
    for path in base.rglob("*"):
        with contextlib.suppress(OSError):
            path.chmod(0o755 if path.is_dir() else 0o644)
    shutil.rmtree(base, ignore_errors=True)


def test_a_file_without_read_permission_is_listed_not_vanished(site: tuple[Path, Path, Path]) -> None:
    base, face, _data = site
    for index, path in enumerate(good_files(face, 3)):
        os.chown(path, NOBODY, NOBODY) if os.geteuid() == 0 else None
        if index == 0:
            path.chmod(0o000)
    config = str(base / "uketsuke.toml")
    done = run_as_nobody("--config", config, "ingest", "--once")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    status = run_as_nobody("--config", config, "status")
    assert "読み取る権限がありません / no permission to read the file" in status.stdout
    assert "files that cannot be read: 1" in status.stdout
    listed = run_as_nobody("--config", config, "cr-list", "--date", "2025-04-01", "--json")
    assert listed.stdout.count("\n") == 2


def test_an_agent_started_on_a_read_only_store_recovers(site: tuple[Path, Path, Path]) -> None:
    base, face, data = site
    config = str(base / "uketsuke.toml")
    assert run_as_nobody("--config", config, "db", "upgrade").returncode == 0
    store_files = [p for p in data.rglob("*") if p.is_file()]
    for path in store_files:
        path.chmod(0o444)
    data.chmod(0o555)
    command = [sys.executable, "-m", "kiosk.cli.main", "--config", config, "agent"]
    if os.geteuid() == 0:
        command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "PYTHONPATH": str(Path(__file__).parents[3])}
    agent = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for path in good_files(face, 1):
            if os.geteuid() == 0:
                os.chown(path, NOBODY, NOBODY)
        time.sleep(3)  # the agent tries, fails and backs off while the store is read-only
        data.chmod(0o755)
        for path in store_files:
            path.chmod(0o644)
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            listed = run_as_nobody("--config", config, "cr-list", "--date", "2025-04-01", "--json")
            if listed.stdout.count("\n") == 1:
                break
            time.sleep(1)
        else:
            pytest.fail("the agent did not store the file after the store became writable again")
    finally:
        agent.terminate()
        _out, err = agent.communicate(timeout=30)
    assert "Traceback" not in err


def test_an_unknown_database_dialect_is_one_line(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "kiosk.cli.main", "--db", "mysql+nonesuch://x/y", "status"],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "対応していないデータベース" in done.stderr and "unsupported" in done.stderr


def test_entries_of_the_good_files_are_complete(settings: Settings, store: Store, face_dir: Path) -> None:
    """The isolation does not cost the good files anything (same lines as without the bad entries)."""
    place(face_fixture("notice_card_expiring"), face_dir)
    (face_dir / "OQSsiquc01res_face_9919999999loop_20250401093000.xml").symlink_to("OQSsiquc01res_face_x.xml")
    service(settings, store).drain()
    (line,) = cr_list(store.faces, DAY.date())
    assert line["status"] == "no_match" and line["qualification"] == "valid"
