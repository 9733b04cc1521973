"""Matching benchmark (run on demand): a seeded synthetic registry, labelled queries, safety and speed.

    .venv/bin/python -m tests.bench.bench_matching [--patients 1000000] [--returning 20000] [--new 5000]
        [--namesakes 2000] [--namesake-rate 0.0005] [--compare-small 1000]

Reports wrong auto-links (must be 0) overall and for the namesake groups on their own, the auto-link rate of
returning patients without 照会番号 (insurance unchanged / insurance changed at the same house), top-3 recall
of review cases, match latency p50/p99, the CSV import time, and whether the people of a `--compare-small`
registry (a prefix of the large one) get the same decisions and candidate lists in both.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.bootstrap import Store, open_store
from kiosk.core.matching import Decision, Matcher, MatchResult
from kiosk.logsetup import configure_logging
from kiosk.services.registry_import import import_csv
from kiosk.settings import settings_from_mapping
from tests.bench.synthetic import Person, Query, people, queries, write_registry


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


@dataclass
class Tally:
    """Counts for one group of queries."""

    total: int = 0
    auto: int = 0
    wrong: int = 0
    review: int = 0
    review_top3: int = 0
    decisions: Counter[str] = field(default_factory=Counter)

    def add(self, query: Query, result: MatchResult) -> None:
        self.total += 1
        self.decisions[result.decision.value] += 1
        if result.decision is Decision.AUTO_LINK:
            self.auto += 1
            self.wrong += result.patient_id not in query.truth
        if result.decision is Decision.REVIEW and query.truth:
            self.review += 1
            self.review_top3 += any(c.patient_id in query.truth for c in result.candidates[:3])

    def rate(self) -> str:
        return f"{self.auto / max(self.total, 1):.2%} ({self.auto:,}/{self.total:,})"


def _groups(query: Query) -> list[str]:
    groups = ["all", "existing" if query.truth else "new"]
    if query.label.startswith("namesake"):
        groups.append("namesake")
        groups.append("namesake_next_door" if query.label == "namesake_next_door" else "namesake_registered")
    if query.truth and not query.has_reference:
        if not query.insurance_changed:
            groups.append("no_ref_insurance_unchanged")
        elif query.same_house:
            groups.append("no_ref_insurance_changed_same_house")
    return groups


def _store(tmp: Path, name: str, csv_path: Path, cluster: object | None) -> tuple[Store, float]:
    config: dict[str, object] = {"paths": {"data_dir": str(tmp / name)}}
    if cluster is not None:
        config["store"] = {"url": cluster.create_database(name)}  # type: ignore[attr-defined]
    store = open_store(settings_from_mapping(config))
    seconds = 0.0
    if store.registry.count() == 0:
        report = import_csv(store.sessions, csv_path)
        seconds = report.seconds
        print(f"registry {name}: {report.added:,} rows, import {report.seconds:.1f} s, "
              f"rejected {len(report.rejected)}", flush=True)  # fmt: skip
    return store, seconds


def _answer(result: MatchResult) -> tuple[str, str | None, tuple[tuple[str, float, tuple[str, ...]], ...]]:
    notes = set(result.why_not_auto)  # decision notes (margin …) belong to the list, not to one candidate
    return result.decision.value, result.patient_id, tuple(
        (c.patient_id, round(c.score, 3), tuple(r for r in c.reasons if r not in notes)) for c in result.candidates
    )


def compare_sizes(small: Matcher, large: Matcher, labelled: list[Query], small_ids: set[str]) -> dict[str, int]:
    """Same people at two registry sizes: decisions must be equal; the large registry's candidate list, with
    patients that only it holds removed, must start the small list (a new look-alike may push one out)."""
    counts: Counter[str] = Counter()
    for query in labelled:
        a = _answer(small.match(query.identity))
        b = _answer(large.match(query.identity))
        group = "registered" if query.truth else "unregistered"
        counts[f"{group}_queries"] += 1
        counts[f"{group}_same_decision"] += a[:2] == b[:2]
        shared = tuple(c for c in b[2] if c[0] in small_ids)
        counts["same_candidates"] += a[2] == b[2]
        counts["consistent_candidates"] += a[2][: len(shared)] == shared
        if a[:2] != b[:2]:
            print(f"  decision differs: {query.label}: {a[:2]} at the small size, {b[:2]} at the large size")
    return dict(counts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=1_000_000)
    parser.add_argument("--returning", type=int, default=20_000)
    parser.add_argument("--new", type=int, default=5_000)
    parser.add_argument("--namesakes", type=int, default=2_000, help="unregistered namesakes next door (queries)")
    parser.add_argument("--namesake-rate", type=float, default=0.0005,
                        help="registered namesake households per household")  # fmt: skip
    parser.add_argument("--compare-small", type=int, default=1000, help="also build a registry of the first N")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--workdir", help="keep the registries here and reuse them on the next run")
    parser.add_argument("--postgresql", action="store_true", help="run on a throwaway PostgreSQL cluster")
    args = parser.parse_args()
    configure_logging(process="bench", log_dir=None, data_dir=None, level="WARNING", console=False)
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(args.workdir or scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        persons = people(args.seed, args.patients, namesake_rate=args.namesake_rate)
        csv_path = tmp / f"registry-{args.patients}-{args.namesake_rate}.csv"
        charts = write_registry(csv_path, args.seed, persons)
        print(f"generated {len(persons):,} people in {time.perf_counter() - started:.1f} s "
              f"({sum(p.namesake_of is not None for p in persons):,} registered namesakes)", flush=True)  # fmt: skip
        cluster = None
        if args.postgresql:
            from tests.postgres import Cluster

            cluster = Cluster().start()
        store, import_seconds = _store(tmp, f"large{args.patients}r{args.namesake_rate}".replace(".", "_"),
                                       csv_path, cluster)  # fmt: skip
        labelled = queries(args.seed, persons, charts, args.returning, args.new, args.namesakes)
        matcher = Matcher(store.registry)
        for query in labelled[:2000]:  # warm the caches (a reused registry file may be cold): not timed
            matcher.match(query.identity)
        latencies: list[float] = []
        tallies: dict[str, Tally] = {}
        misses: Counter[str] = Counter()
        wrong_examples: list[str] = []
        for query in labelled:
            begin = time.perf_counter()
            result = matcher.match(query.identity)
            latencies.append((time.perf_counter() - begin) * 1000)
            for group in _groups(query):
                tallies.setdefault(group, Tally()).add(query, result)
            if result.decision is Decision.AUTO_LINK and result.patient_id not in query.truth:
                wrong_examples.append(f"{query.label} → {result.patient_id} (truth {sorted(query.truth)})")
            top3 = {c.patient_id for c in result.candidates[:3]}
            if query.truth and result.decision is Decision.REVIEW and not top3 & query.truth:
                misses[query.label] += 1
        sizes = None
        if args.compare_small:
            small_people: list[Person] = persons[: args.compare_small]
            small_csv = tmp / f"registry-small-{args.compare_small}.csv"
            small_charts = write_registry(small_csv, args.seed, small_people)
            small_store, _ = _store(tmp, f"small{args.compare_small}r{args.namesake_rate}".replace(".", "_"),
                                    small_csv, cluster)  # fmt: skip
            small_queries = queries(args.seed, small_people, small_charts, min(500, len(small_people)), 100, 100)
            small_ids = {pid for ids in small_charts.values() for pid in ids}
            sizes = compare_sizes(Matcher(small_store.registry), matcher, small_queries, small_ids)
            small_store.engine.dispose()
        store.engine.dispose()
        if cluster is not None:
            cluster.stop()
    every = tallies["all"]
    print(f"queries: {every.total:,} ({args.returning:,} returning, {args.new:,} new relatives, "
          f"{args.namesakes:,} unregistered namesakes next door)")  # fmt: skip
    for name in ("existing", "new", "namesake", "namesake_next_door", "namesake_registered"):
        tally = tallies.get(name, Tally())
        print(f"  {name:22} {tally.total:6,} queries, decisions {dict(sorted(tally.decisions.items()))}, "
              f"wrong auto-links {tally.wrong}")  # fmt: skip
    print(f"wrong auto-links: {every.wrong}")
    for example in wrong_examples[:20]:
        print(f"  WRONG auto-link: {example}")
    unchanged = tallies.get("no_ref_insurance_unchanged", Tally())
    changed = tallies.get("no_ref_insurance_changed_same_house", Tally())
    print(f"auto-link rate, returning without 照会番号, insurance unchanged: {unchanged.rate()}")
    print(f"auto-link rate, returning without 照会番号, insurance changed, same house: {changed.rate()}")
    existing = tallies["existing"]
    print(f"top-3 recall of review cases: {existing.review_top3 / max(existing.review, 1):.2%} "
          f"({existing.review_top3}/{existing.review})")  # fmt: skip
    print(f"review cases without the patient in the top 3, by life event: {dict(misses)}")
    print(f"match latency: p50 {statistics.median(latencies):.2f} ms, p99 {percentile(latencies, 0.99):.2f} ms")
    if import_seconds:
        print(f"import: {import_seconds:.1f} s")
    if sizes:
        print(f"registry of {args.compare_small:,} vs {args.patients:,}: {sizes}")


if __name__ == "__main__":
    main()
