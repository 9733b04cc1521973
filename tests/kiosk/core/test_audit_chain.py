"""The sealed chain notices a changed, removed or inserted record, a lost tail, a chain re-computed without the key,
and records missing against the outside anchor."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kiosk.core.audit_chain import (
    ANCHOR_GONE,
    GENESIS,
    KEY_FAILED,
    ChainRecord,
    key_id_of,
    record_hash,
    record_mac,
    verify_chain,
)

KEY = bytes(range(32))
KEY_ID = key_id_of(KEY)
KEYS = {KEY_ID: KEY}


def chain(count: int, *, start: int = 1, previous: str = GENESIS) -> list[ChainRecord]:
    records = []
    for index in range(start, start + count):
        content: dict[str, Any] = {"actor": "clerk1", "action": "link", "entry_id": index}
        digest = record_mac(KEY, previous, index, KEY_ID, content)
        records.append(ChainRecord(index, previous, digest, KEY_ID, content))
        previous = digest
    return records


def head(records: list[ChainRecord]) -> tuple[int, str]:
    return records[-1].record_id, records[-1].hash


def test_an_intact_chain() -> None:
    records = chain(5)
    assert verify_chain(records, head(records), KEYS, [(r.record_id, r.hash) for r in records]) == (5, [])


def test_tampering_is_found_where_it_happened() -> None:
    records = chain(5)
    changed = [*records[:2], replace(records[2], content={**records[2].content, "actor": "other"}), *records[3:]]
    _count, found = verify_chain(changed, head(records), KEYS)
    assert [(f.record_id, f.why) for f in found] == [(3, KEY_FAILED)]
    _count, found = verify_chain(records[:2] + records[3:], head(records), KEYS)
    assert found and found[0].record_id == 4 and "missing" in found[0].why
    _count, found = verify_chain(records[:4], head(records), KEYS)  # the last one deleted
    assert found and "head" in found[0].why


def test_a_chain_recomputed_without_the_key_fails() -> None:
    """An attacker with the database but not the key edits a record and re-chains with plain SHA-256."""
    records = chain(3)
    forged, previous = [], GENESIS
    for record in records:
        content = {**record.content, "actor": "intruder"}
        digest = record_hash(previous, content)
        forged.append(ChainRecord(record.record_id, previous, digest, KEY_ID, content))
        previous = digest
    _count, found = verify_chain(forged, head(forged), KEYS)
    assert {f.record_id for f in found} == {1, 2, 3}
    # nor can the forged records pass as a legacy (unkeyed) segment: the anchor outside the store disagrees
    legacy = [replace(r, key_id=None) for r in forged]
    _count, found = verify_chain(legacy, head(legacy), KEYS, [(r.record_id, r.hash) for r in records])
    assert found and all("anchor" in f.why for f in found)


def test_every_record_deleted_or_the_tail_cut_with_the_head_moved() -> None:
    records = chain(5)
    anchors = [(r.record_id, r.hash) for r in records]
    count, found = verify_chain([], None, KEYS, anchors)  # all gone, head too
    assert count == 0 and [f.why for f in found] == [ANCHOR_GONE] * 5
    cut = records[:3]
    count, found = verify_chain(cut, head(cut), KEYS, anchors)  # the head moved back to the new last record
    assert count == 3 and [f.record_id for f in found] == [4, 5]


def test_a_legacy_segment_is_allowed_only_at_the_start() -> None:
    legacy, previous = [], GENESIS
    for index in (1, 2):
        content = {"actor": "clerk1", "action": "link", "entry_id": index}
        digest = record_hash(previous, content)
        legacy.append(ChainRecord(index, previous, digest, None, content))
        previous = digest
    keyed = chain(2, start=3, previous=previous)
    assert verify_chain(legacy + keyed, head(keyed), KEYS)[1] == []
    late = replace(legacy[0], record_id=5, prev_hash=keyed[-1].hash)
    _count, found = verify_chain([*legacy, *keyed, late], (5, late.hash), KEYS)
    assert found and found[0].record_id == 5
