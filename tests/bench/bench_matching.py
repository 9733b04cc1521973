"""Matching benchmark (run on demand): a seeded synthetic registry, labelled queries, safety and speed.

    .venv/bin/python -m tests.bench.bench_matching [--patients 1000000] [--returning 20000] [--new 5000]

Reports wrong auto-links (must be 0), the auto-link rate of returning patients without 照会番号,
top-3 recall of review cases, match latency p50/p99 and the CSV import time.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from kiosk.bootstrap import open_store
from kiosk.core.matching import Decision, Matcher
from kiosk.logsetup import configure_logging
from kiosk.services.registry_import import import_csv
from kiosk.settings import settings_from_mapping
from tests.bench.synthetic import people, queries, write_registry


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=1_000_000)
    parser.add_argument("--returning", type=int, default=20_000)
    parser.add_argument("--new", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--workdir", help="keep the registry here and reuse it on the next run")
    parser.add_argument("--postgresql", action="store_true", help="run on a throwaway PostgreSQL cluster")
    args = parser.parse_args()
    configure_logging(process="bench", log_dir=None, data_dir=None, level="WARNING", console=False)
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.workdir or scratch
        Path(tmp).mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        persons = people(args.seed, args.patients)
        csv_path = Path(tmp) / "registry.csv"
        charts = write_registry(csv_path, args.seed, persons)
        generated = time.perf_counter() - started
        config: dict[str, object] = {"paths": {"data_dir": tmp}}
        cluster = None
        if args.postgresql:
            from tests.postgres import Cluster

            cluster = Cluster().start()
            config["store"] = {"url": cluster.create_database("bench")}
        store = open_store(settings_from_mapping(config))
        if store.registry.count() == 0:
            report = import_csv(store.sessions, csv_path)
            print(f"registry: {report.added:,} rows (generated in {generated:.1f} s), "
                  f"import {report.seconds:.1f} s, rejected {len(report.rejected)}", flush=True)  # fmt: skip
        labelled = queries(args.seed, persons, charts, args.returning, args.new)
        matcher = Matcher(store.registry)
        latencies: list[float] = []
        outcomes: Counter[str] = Counter()
        wrong = 0
        auto_no_ref = returning_no_ref = 0
        review_existing = review_top3 = 0
        misses: Counter[str] = Counter()
        for query in labelled:
            begin = time.perf_counter()
            result = matcher.match(query.identity)
            latencies.append((time.perf_counter() - begin) * 1000)
            existing = bool(query.truth)
            outcomes[f"{'existing' if existing else 'new'}:{result.decision.value}"] += 1
            if result.decision is Decision.AUTO_LINK and result.patient_id not in query.truth:
                wrong += 1
                print(f"  WRONG auto-link: {query.label} → {result.patient_id} (truth {sorted(query.truth)})")
            if existing and not query.has_reference:
                returning_no_ref += 1
                auto_no_ref += result.decision is Decision.AUTO_LINK
            if existing and result.decision is Decision.REVIEW:
                review_existing += 1
                found = any(c.patient_id in query.truth for c in result.candidates[:3])
                review_top3 += found
                if not found:
                    misses[query.label] += 1
        store.engine.dispose()
        if cluster is not None:
            cluster.stop()
    print(f"queries: {len(labelled):,} ({args.returning:,} returning, {args.new:,} new relatives)")
    print(f"decisions: {dict(sorted(outcomes.items()))}")
    print(f"wrong auto-links: {wrong}")
    print(f"auto-link rate, returning without 照会番号: {auto_no_ref / max(returning_no_ref, 1):.2%} "
          f"({auto_no_ref:,}/{returning_no_ref:,})")  # fmt: skip
    print(
        f"top-3 recall of review cases: {review_top3 / max(review_existing, 1):.2%} ({review_top3}/{review_existing})"
    )
    print(f"review cases without the patient in the top 3, by life event: {dict(misses)}")
    print(f"match latency: p50 {statistics.median(latencies):.2f} ms, p99 {percentile(latencies, 0.99):.2f} ms")


if __name__ == "__main__":
    main()
