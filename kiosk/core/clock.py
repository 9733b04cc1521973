"""Time as a port: services ask a Clock, tests hand in a fixed one."""

from __future__ import annotations

from datetime import date, datetime, timedelta
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


class SteppingClock:
    """Starts at the real time and moves only when told: the demo and the tests reach deadlines at once."""

    def __init__(self, start: datetime | None = None) -> None:
        self.moment = (start or datetime.now()).replace(microsecond=0)

    def now(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)
