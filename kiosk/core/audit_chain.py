"""The audit trail's chain: each record is authenticated with a key the store does not hold (HMAC-SHA256 over its
id, its content and the previous record's code), ids run 1, 2, 3… without a gap, and the head is also written
outside the store (an anchor file). With write access to the database alone one can no longer edit a record and
recompute the chain, delete every record, or cut the last ones and move the head: each is found by `verify`.
(MHLW 安全管理ガイドライン 第6.0版: tamper protection of access records.)

Records written before keys existed (no key id) were chained with plain SHA-256; they still verify as a legacy
segment at the start of the trail, and never after a keyed record.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
MAX_FINDINGS = 20
UNLINKED = "前の記録とつながっていません（削除または挿入） / does not follow the previous record"
LEGACY_LATE = "鍵のない記録が鍵つきの記録の後にあります / an unkeyed record after keyed ones"
CHANGED = "内容が書き換えられています / the content was changed"
KEY_FAILED = "内容が書き換えられています（鍵の照合に失敗） / the content was changed (the seal does not match)"
ANCHOR_GONE = "ストアの外の控えにある記録がありません（削除） / a record in the outside anchor is gone"
ANCHOR_DIFFERS = "ストアの外の控えと一致しません（書き換え） / differs from the outside anchor"


def _canonical(content: dict[str, Any]) -> str:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def record_hash(previous: str, content: dict[str, Any]) -> str:
    """The legacy, unkeyed link (records from before audit keys)."""
    return hashlib.sha256((previous + "\n" + _canonical(content)).encode("utf-8")).hexdigest()


def record_mac(key: bytes, previous: str, record_id: int, key_id: str, content: dict[str, Any]) -> str:
    message = f"{previous}\n{record_id}\n{key_id}\n{_canonical(content)}"
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def key_id_of(key: bytes) -> str:
    """A key's public name: it tells which key sealed a record without revealing the key."""
    return hashlib.sha256(b"uketsuke-audit-key\n" + key).hexdigest()[:16]


@dataclass(frozen=True)
class ChainRecord:
    record_id: int
    prev_hash: str
    hash: str
    key_id: str | None
    content: dict[str, Any]


@dataclass(frozen=True)
class ChainBreak:
    record_id: int
    why: str


def verify_chain(
    records: Iterable[ChainRecord],
    head: tuple[int, str] | None,
    keys: Mapping[str, bytes],
    anchors: Iterable[tuple[int, str]] = (),
) -> tuple[int, list[ChainBreak]]:
    """(records checked, what is wrong). `head` is the store's (last id, last hash); `anchors` are (id, hash) pairs
    written outside the store when each record was committed."""
    found: list[ChainBreak] = []

    def finding(record_id: int, why: str) -> None:
        if len(found) < MAX_FINDINGS:
            found.append(ChainBreak(record_id, why))

    previous, expected_id, keyed_seen, count = GENESIS, 1, False, 0
    by_id: dict[int, str] = {}
    for record in records:
        count += 1
        by_id[record.record_id] = record.hash
        if record.record_id != expected_id:
            finding(record.record_id, f"記録 {expected_id}〜{record.record_id - 1} がありません（削除） / "
                                      f"records {expected_id}–{record.record_id - 1} are missing")  # fmt: skip
        if record.prev_hash != previous:
            finding(record.record_id, UNLINKED)
        if record.key_id is None:
            if keyed_seen:
                finding(record.record_id, LEGACY_LATE)
            elif record_hash(record.prev_hash, record.content) != record.hash:
                finding(record.record_id, CHANGED)
        else:
            keyed_seen = True
            key = keys.get(record.key_id)
            if key is None:
                finding(record.record_id, f"鍵 {record.key_id} がないため確かめられません / no key {record.key_id} to "
                                          "check it with")  # fmt: skip
            elif not hmac.compare_digest(
                record_mac(key, record.prev_hash, record.record_id, record.key_id, record.content), record.hash
            ):
                finding(record.record_id, KEY_FAILED)
        previous, expected_id = record.hash, record.record_id + 1
    last_id = expected_id - 1
    if head is not None and head != (last_id, previous) and not (count == 0 and head == (0, GENESIS)):
        finding(last_id, "記録の末尾と最後の記録の控えが一致しません（末尾の削除） / the trail does not end where the "
                         "head says")  # fmt: skip
    anchored = sorted(set(anchors))
    for anchor_id, anchor_hash in anchored:
        stored = by_id.get(anchor_id)
        if stored is None:
            finding(anchor_id, ANCHOR_GONE)
        elif not hmac.compare_digest(stored, anchor_hash):
            finding(anchor_id, ANCHOR_DIFFERS)
    return count, found
