"""Hospital benchmark (run on demand): several agents on one share and one store, a large registry.

    .venv/bin/python -m tests.bench.bench_hospital [--patients 1000000] [--files 1000] [--agents 4]

Runs twice on the same synthetic registry and the same face files: on PostgreSQL with `--agents` agents (each
its own engine, as separate processes would have), and on SQLite with one agent (the single-PC baseline).
Reports ingest throughput (files stored and linked per second, first write to last commit) and match latency
p50/p99 measured inside the linker.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from kiosk.bootstrap import ingest_service, open_store
from kiosk.core.clock import FixedClock
from kiosk.core.face import Identity
from kiosk.core.linking import LinkOutcome
from kiosk.demo.oqs_terminal import Person, Terminal
from kiosk.logsetup import configure_logging
from kiosk.services.linking import MatchingLinker
from kiosk.services.registry_import import import_csv
from kiosk.settings import settings_from_mapping
from kiosk.store.models import FaceFile
from tests.bench.bench_ingest import percentile
from tests.bench.synthetic import people, queries, write_registry


class TimedLinker:
    def __init__(self, inner: MatchingLinker, sink: list[float]) -> None:
        self.inner = inner
        self.sink = sink

    def link(self, identity: Identity, *, actionable: bool) -> LinkOutcome:
        begin = time.perf_counter()
        outcome = self.inner.link(identity, actionable=actionable)
        self.sink.append((time.perf_counter() - begin) * 1000)
        return outcome


def person_of(identity: Identity) -> Person:
    return Person(identity.name or "", identity.name_kana or "", identity.birthdate or "", identity.sex or "1",
                  (identity.insurer_number or "").strip(), identity.insured_card_symbol,
                  identity.insured_identification_number or "", identity.insured_branch_number)  # fmt: skip


def agent_process(url: str, workdir: str, share: str, day: str, stop: Any, out: str) -> None:
    """One agent in its own process (as in a hospital): scan until told to stop, then drain; latencies to `out`."""
    configure_logging(process="bench", log_dir=None, data_dir=None, level="WARNING", console=False)
    settings = settings_from_mapping({"store": {"url": url}, "paths": {"data_dir": workdir},
                                      "face": {"folder": share, "write_grace_seconds": 0.2}})  # fmt: skip
    store = open_store(settings, migrate=False)
    latencies: list[float] = []
    service = ingest_service(settings, store, clock=FixedClock(datetime.fromisoformat(day)))
    assert isinstance(service.linker, MatchingLinker)
    service.linker = TimedLinker(service.linker, latencies)
    while not stop.is_set():
        if not service.scan().stored:
            time.sleep(0.05)  # like the agent's poll (which waits a second, or for a file-system event)
    service.drain(timeout=5)
    Path(out).write_text(json.dumps(latencies))
    store.engine.dispose()


def run(url: str, workdir: Path, csv_path: Path, identities: list[Identity], agents: int) -> dict[str, float]:
    # the terminal writes into a staging folder; each finished file is renamed into the share (atomic), so the
    # figures measure ingest and matching, not the wait for half-written files
    tag = f"{agents}-{time.monotonic_ns()}"
    terminal = Terminal(workdir / f"staging-{tag}")
    share = workdir / f"share-{tag}"
    share.mkdir()
    settings = settings_from_mapping({"store": {"url": url}, "paths": {"data_dir": str(workdir)}})
    store = open_store(settings)
    if store.registry.count() == 0:
        report = import_csv(store.sessions, csv_path)
        print(f"  registry import: {report.added:,} rows in {report.seconds:.1f} s", flush=True)
    day = datetime.now().replace(microsecond=0)
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    outs = [workdir / f"latencies-{tag}-{n}.json" for n in range(agents)]
    workers = [context.Process(target=agent_process, args=(url, str(workdir), str(share), day.isoformat(), stop,
                                                           str(out))) for out in outs]  # fmt: skip
    for worker in workers:
        worker.start()
    time.sleep(3.0)  # let the agents start and warm up before the files arrive
    started = time.perf_counter()
    old = time.time() - 30
    for identity in identities:
        path = terminal.card_reader_use(person_of(identity), when=day)
        os.utime(path, (old, old))
        path.rename(share / path.name)
    query = select(func.count(func.distinct(FaceFile.name_key))).where(FaceFile.state == "ingested")
    while True:
        with store.sessions() as session:
            files = session.scalar(query) or 0
        if files >= len(identities):
            break
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    stop.set()
    for worker in workers:
        worker.join(60)
    latencies = [value for out in outs for value in json.loads(out.read_text())]
    store.engine.dispose()
    return {"files_per_s": files / elapsed, "p50": statistics.median(latencies), "p99": percentile(latencies, 0.99)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--agents", type=int, default=4)
    parser.add_argument("--seed", type=int, default=20261122)
    args = parser.parse_args()
    configure_logging(process="bench", log_dir=None, data_dir=None, level="WARNING", console=False)
    from tests.postgres import Cluster

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        persons = people(args.seed, args.patients)
        csv_path = work / "registry.csv"
        charts = write_registry(csv_path, args.seed, persons)
        identities = [q.identity for q in queries(args.seed, persons, charts, args.files, 0)]
        cluster = Cluster().start()
        try:
            print(f"PostgreSQL, {args.agents} agents, {args.patients:,} patients, {args.files} files", flush=True)
            pg = run(cluster.create_database("hospital"), work, csv_path, identities, args.agents)
        finally:
            cluster.stop()
        print("SQLite, 1 agent, same registry and files", flush=True)
        lite = run(f"sqlite:///{work / 'clinic.db'}", work, csv_path, identities, 1)
    for name, figures in (("PostgreSQL", pg), ("SQLite", lite)):
        print(f"{name}: {figures['files_per_s']:.0f} files/s, match p50 {figures['p50']:.2f} ms, "
              f"p99 {figures['p99']:.2f} ms")  # fmt: skip
    print(f"ratios PostgreSQL/SQLite: throughput {pg['files_per_s'] / lite['files_per_s']:.2f}×, "
          f"p50 {pg['p50'] / lite['p50']:.2f}×, p99 {pg['p99'] / lite['p99']:.2f}×")  # fmt: skip


if __name__ == "__main__":
    main()
