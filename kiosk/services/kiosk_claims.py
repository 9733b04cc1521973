"""Claims a kiosk left behind: a kiosk PC that crashed or lost power mid-visit cannot give back the face result it
held, and a held result is invisible to register_on_link and shows 「キオスクで待機中」 to staff all day.

No session lasts long without touching its claim (the face window, the staff wait and the idle timeout are a few
minutes each), so a claim unchanged for `STALE` is abandoned: the agent removes it — never one whose visit ended in
a reception (`done`), which is the record that the kiosk received that file.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from kiosk.core.clock import Clock
from kiosk.logsetup import get_logger
from kiosk.store.changes import announce
from kiosk.store.models import KioskClaim

log = get_logger("uketsuke.kiosk_claims")

STALE = timedelta(minutes=15)
EVERY = timedelta(minutes=1)


class ClaimJanitor:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock
        self._next: datetime | None = None

    def tick(self) -> int:
        """At most once a minute: remove abandoned claims; how many."""
        now = self.clock.now()
        if self._next is not None and now < self._next:
            return 0
        self._next = now + EVERY
        with self.sessions.begin() as session:
            gone = session.execute(delete(KioskClaim).where(KioskClaim.state != "done",
                                                            KioskClaim.updated_at < now - STALE))  # fmt: skip
            count = int(getattr(gone, "rowcount", 0) or 0)
            if count:
                announce(session, "kiosk_claims")
        if count:
            log.warning("kiosk_claims_abandoned", count=count)
        return count
