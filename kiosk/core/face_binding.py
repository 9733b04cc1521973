"""Which face result belongs to the patient in front of this kiosk — and what the kiosk may show of it.

The face folder has no reader identifier (research oqs-interface §1.11): several readers feed one folder, other
programs write face files too, and the next person in line may use a reader while this patient is at the
kiosk. Timing alone therefore proves nothing. The rule:

* `birthdate` (the default): the patient first enters their own birthdate on the keypad; only a result with that
  birthdate is offered, and only then is anything of it shown. A result whose birthdate differs is never named.
* `paired`: the installer declares that this kiosk's own face reader is the only source of results for it (a
  cabinet with the reader built in). A lone result that arrived after the patient asked for the reader is
  offered at once; two or more, or one from before the patient asked, fall back to the birthdate.

Either way, results that arrive after the waiting window are foreign, a result is offered only once it is
claimed for this session, and the confirmation shows a masked name (試験 ○○ 様), never the full record.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from kiosk.core.kiosk_ports import FaceResult


class FaceBinding(StrEnum):
    BIRTHDATE = "birthdate"
    PAIRED = "paired"


@dataclass(frozen=True)
class Window:
    """Results received in [since, until] may be this patient's; anything later is someone else's."""

    since: datetime
    until: datetime

    def holds(self, result: FaceResult) -> bool:
        return self.since <= result.received_at <= self.until


def window(started_at: datetime, asked_at: datetime, now: datetime, *, lead: timedelta,
           length: timedelta) -> Window:  # fmt: skip
    return Window(started_at - lead, min(now, asked_at + length))


@dataclass(frozen=True)
class Offer:
    """What to do with the results in the window: offer one (`result`), ask the birthdate, or wait."""

    result: FaceResult | None = None
    ask_birthdate: bool = False
    ambiguous: bool = False  # several results with the entered birthdate (twins at two readers)


def offer_without_birthdate(results: Sequence[FaceResult], binding: FaceBinding, asked_at: datetime) -> Offer:
    """Before the patient has said who they are."""
    if not results:
        return Offer()
    if binding is FaceBinding.PAIRED and len(results) == 1 and results[0].received_at > asked_at:
        return Offer(result=results[0])
    return Offer(ask_birthdate=True)


def offer_for_birthdate(results: Sequence[FaceResult], day: date) -> Offer:
    """After the patient entered their birthdate: exactly one result with it, or none, or too many."""
    same = [r for r in results if r.birthdate == day]
    if len(same) > 1:
        return Offer(ambiguous=True)
    return Offer(result=same[0]) if same else Offer(ask_birthdate=True)


_SPACES = re.compile(r"[\s\u3000]+")
MASK = "○○"


def masked_name(name: str | None) -> str:
    """試験 太郎 → 試験 ○○: enough for the patient to recognise their family name, not a record for the queue.
    A name without a space keeps its first character only (the family name's length is unknown)."""
    if not name or not name.strip():
        return ""
    parts = _SPACES.split(name.strip())
    if len(parts) > 1:
        return f"{parts[0]} {MASK}"
    return f"{parts[0][0]}{MASK}"
