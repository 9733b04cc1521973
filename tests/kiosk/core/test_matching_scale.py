"""The same people get the same decisions and the same candidate lists in a 1k registry and in a registry
30 times larger (issue 16 §8).

Weights are fixed (not registry-size dependent) and the synthetic generator draws the first 1,000 people
identically at any size, namesakes next door included, so only a genuinely new look-alike in the larger
registry may add itself to a candidate list: the larger list, without the patients only it holds, must be the
start of the smaller one, with the same scores and reasons.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.bootstrap import open_store
from kiosk.core.matching import Matcher
from kiosk.services.registry_import import import_csv
from kiosk.settings import settings_from_mapping
from tests.bench.synthetic import people, queries, write_registry

SEED = 424242
NAMESAKE_RATE = 0.02  # over-sampled: about 20 namesake households among the first 1,000 people

Answer = tuple[str, str | None, tuple[tuple[str, float, tuple[str, ...]], ...]]


def answers(tmp: Path, size: int) -> tuple[list[Answer], set[str]]:
    persons = people(SEED, size, namesake_rate=NAMESAKE_RATE)
    csv = tmp / f"registry-{size}.csv"
    charts = write_registry(csv, SEED, persons)
    store = open_store(settings_from_mapping({"paths": {"data_dir": str(tmp / str(size))}}))
    import_csv(store.sessions, csv)
    first = persons[:1000]
    labelled = queries(SEED, first, {p.key: charts[p.key] for p in first}, 250, 50, 50)
    matcher = Matcher(store.registry)
    result = []
    for query in labelled:
        decided = matcher.match(query.identity)
        # Per-field evidence only: a decision note such as "2番目の候補との差が小さい" belongs to the list as a whole.
        notes = set(decided.why_not_auto)
        listed = tuple((c.patient_id, round(c.score, 3), tuple(r for r in c.reasons if r not in notes))
                       for c in decided.candidates)  # fmt: skip
        result.append((decided.decision.value, decided.patient_id, listed))
    store.engine.dispose()
    return result, {pid for ids in charts.values() for pid in ids}


def test_same_decisions_and_candidates_at_1k_and_30k(tmp_path: Path) -> None:
    small, small_ids = answers(tmp_path, 1000)
    large, _ = answers(tmp_path, 30000)
    assert len(small) == 350
    # Registered people (the first 250 queries): identical decisions at both sizes.
    differing = [(i, a[:2], b[:2]) for i, (a, b) in enumerate(zip(small[:250], large[:250], strict=True))
                 if a[:2] != b[:2]]  # fmt: skip
    assert differing == [], differing
    # Candidate lists: the same candidates, scores and reasons, except a look-alike only the larger registry has.
    inconsistent, identical = [], 0
    for index, (a, b) in enumerate(zip(small, large, strict=True)):
        shared = tuple(c for c in b[2] if c[0] in small_ids)
        if a[2][: len(shared)] != shared:
            inconsistent.append(index)
        identical += a[2] == b[2]
    assert inconsistent == []
    assert identical >= 0.9 * len(small)
    # New relatives and namesakes next door are in neither registry: never linked.
    assert all(decision != "auto_link" for decision, _, _ in small[250:] + large[250:])
    assert sum(1 for d, _, _ in small if d == "auto_link") > 180  # the comparison is not vacuous
