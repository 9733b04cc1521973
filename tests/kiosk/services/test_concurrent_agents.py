"""Several agents scanning one share: every file is stored exactly once (constraints, not luck)."""

from __future__ import annotations

import os
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from kiosk.bootstrap import ingest_service, open_store
from kiosk.core.clock import FixedClock
from kiosk.demo.oqs_terminal import Terminal
from kiosk.demo.people import HANAKO, TARO, TWIN_ICHIKO
from kiosk.services.reception import ReceptionService
from kiosk.services.registry_import import import_csv
from kiosk.settings import Settings
from tests.conftest import FIXTURES, face_fixture


@pytest.mark.parametrize("agents", [2, 4])
def test_agents_sharing_a_folder_store_each_file_once(settings: Settings, face_dir: Path, agents: int) -> None:
    template = face_fixture("shaho_reference_number").read_bytes()
    stores = [open_store(settings) for _ in range(agents)]  # one engine each, like separate processes
    services = [ingest_service(settings, s, clock=FixedClock(datetime(2025, 4, 1, 12))) for s in stores]
    total = 200
    done = threading.Event()

    def writer() -> None:
        old = time.time() - 30
        for i in range(total):
            path = face_dir / f"OQSsiquc01res_face_9919999999{i:020x}_20250401{10 + i // 60:02d}{i % 60:02d}00.xml"
            path.write_bytes(template.replace(b"000123", f"{i:06d}".encode()))
            os.utime(path, (old, old))
        done.set()

    def agent(index: int) -> None:
        while not done.is_set():
            services[index].scan()
        services[index].drain(timeout=2)

    threads = [threading.Thread(target=agent, args=(n,)) for n in range(agents)]
    feeder = threading.Thread(target=writer)
    for thread in [*threads, feeder]:
        thread.start()
    for thread in [feeder, *threads]:
        thread.join(120)
    with stores[0].engine.connect() as connection:
        files, names = connection.execute(text("select count(*), count(distinct name_key) from face_files")).one()
        entries = connection.execute(text("select count(*) from cr_entries")).scalar_one()
    for store in stores:
        store.engine.dispose()
    assert (files, names, entries) == (total, total, total)


@pytest.mark.parametrize("agents", [2, 4])
def test_agents_registering_on_link_give_each_patient_one_reception(
    settings: Settings, tmp_path: Path, agents: int
) -> None:
    """Face files arrive for three patients, some of them twice; every agent ingests and registers receptions."""
    people = [TARO, HANAKO, TWIN_ICHIKO]
    terminal = Terminal(tmp_path / "OQS")
    first = open_store(settings)
    import_csv(first.sessions, FIXTURES / "registry" / "kiosk_clinic.csv")
    stores = [first, *(open_store(settings) for _ in range(agents - 1))]
    clock = FixedClock(datetime.now().replace(microsecond=0))
    services = [ingest_service(settings, s, face_dir=str(terminal.face), clock=clock) for s in stores]
    receptions = [ReceptionService(s.sessions, s.registry, clock, department=None) for s in stores]
    for index, service in enumerate(receptions):
        service.holder = f"agent-{index}"  # separate processes in real life
    done = threading.Event()

    def writer() -> None:
        for round_ in range(4):
            for person in people:
                path = terminal.card_reader_use(person, when=clock.now())
                old = time.time() - 30
                os.utime(path, (old, old))
            time.sleep(0.05 * round_)
        done.set()

    def agent(index: int) -> None:
        while not done.is_set():
            services[index].scan()  # a file caught half-written waits for the next scan
            receptions[index].register_linked()
        services[index].drain(timeout=2)
        receptions[index].register_linked()

    threads = [threading.Thread(target=agent, args=(n,)) for n in range(agents)]
    feeder = threading.Thread(target=writer)
    for thread in [*threads, feeder]:
        thread.start()
    for thread in [feeder, *threads]:
        thread.join(120)
    # the lease holder may have stopped before the last files: whoever holds it next finishes the work
    for service in receptions:
        service.register_linked()
    today = clock.now().date()
    registered = [r for r in first.registry.list_receptions(today) if r.state == "registered"]
    with first.engine.connect() as connection:
        linked, without = connection.execute(text(
            "select count(*), sum(case when reception_id is null then 1 else 0 end) from cr_entries "
            "where status in ('auto_linked', 'linked')")).one()  # fmt: skip
    for store in stores:
        store.engine.dispose()
    assert sorted(r.patient_id for r in registered) == ["2001", "2002", "2004"]
    assert linked == 12 and without == 0
