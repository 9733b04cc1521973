"""Time as a port: services ask a Clock, tests hand in a fixed one."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Local wall-clock time without a zone (the terminal writes local times too)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now().replace(microsecond=0)


class FixedClock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


def today(clock: Clock) -> date:
    return clock.now().date()
