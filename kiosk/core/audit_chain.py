"""The audit trail's hash chain: each record's hash covers its content and the previous hash, so a changed,
removed or inserted row breaks the chain at that point (MHLW 安全管理ガイドライン 第6.0版: tamper protection)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def record_hash(previous: str, content: dict[str, Any]) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((previous + "\n" + canonical).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    record_id: int
    why: str


def verify_chain(records: Iterable[tuple[int, str, str, dict[str, Any]]], head: str | None) -> ChainBreak | None:
    """`records` are (id, prev_hash, hash, content) in id order; `head` is the last hash the store remembers."""
    previous, last_id = GENESIS, 0
    for record_id, prev_hash, stored, content in records:
        if prev_hash != previous:
            return ChainBreak(
                record_id, "前の記録とつながっていません（削除または挿入） / does not follow the previous record"
            )
        if record_hash(previous, content) != stored:
            return ChainBreak(record_id, "内容が書き換えられています / the content was changed")
        previous, last_id = stored, record_id
    if head is not None and head != previous:
        return ChainBreak(last_id, "最後の記録が失われています / records at the end are missing")
    return None
