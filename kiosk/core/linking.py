"""The place where linking plugs into ingestion: a port the matcher implements later."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from kiosk.core.face import EntryStatus, Identity, LinkMethod


@dataclass(frozen=True)
class LinkOutcome:
    status: EntryStatus
    patient_id: str | None = None
    link_method: LinkMethod | None = None
    reason: str | None = None
    decision: dict[str, Any] | None = None  # the matcher's full answer, kept even in shadow mode


class Linker(Protocol):
    def link(self, identity: Identity, *, actionable: bool) -> LinkOutcome:
        """Decide what to do with one entry; must never write anything."""
        ...


class StaffOnlyLinker:
    """Until a matcher is configured every entry waits for staff."""

    def link(self, identity: Identity, *, actionable: bool) -> LinkOutcome:
        return LinkOutcome(EntryStatus.NEEDS_REVIEW)
