"""The hash chain notices a changed, removed or inserted record and a lost tail."""

from __future__ import annotations

from typing import Any

from kiosk.core.audit_chain import GENESIS, record_hash, verify_chain


def chain(count: int) -> list[tuple[int, str, str, dict[str, Any]]]:
    records, previous = [], GENESIS
    for index in range(1, count + 1):
        content = {"actor": "clerk1", "action": "link", "entry_id": index}
        digest = record_hash(previous, content)
        records.append((index, previous, digest, content))
        previous = digest
    return records


def test_an_intact_chain() -> None:
    records = chain(5)
    assert verify_chain(records, records[-1][2]) is None


def test_tampering_is_found_where_it_happened() -> None:
    records = chain(5)
    changed = [*records[:2], (3, records[2][1], records[2][2], {**records[2][3], "actor": "other"}), *records[3:]]
    found = verify_chain(changed, records[-1][2])
    assert found is not None and found.record_id == 3
    removed = records[:2] + records[3:]
    found = verify_chain(removed, records[-1][2])
    assert found is not None and found.record_id == 4
    found = verify_chain(records[:4], records[-1][2])  # the last one deleted
    assert found is not None and "missing" in found.why
