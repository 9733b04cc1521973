"""予約受付: what a patient's appointments today mean for the reception, decided once for every path.

The kiosk, the 再来受付機 and the agent's register_on_link all ask the same question — is there a booked
appointment to check in against, and may a machine do it? Pure: the appointments and the time come in, a plan
goes out. A machine only checks in against an appointment it can be sure of (one, inside the window); anything
else is the patient's choice (several) or the counter's (too early, too late).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from kiosk.core.appointments import Appointment, AppointmentState


@dataclass(frozen=True)
class CheckInWindow:
    """How early and how late (around the booked time) a patient is checked in by a machine."""

    early: timedelta = timedelta(minutes=120)
    late: timedelta = timedelta(minutes=60)
    enabled: bool = True  # False: a clinic without 予約 — the registry is not asked, every visit is 予約外


class PlanKind(StrEnum):
    WALK_IN = "walk_in"  # 予約外: no booked appointment today — the usual department choice
    ONE = "one"  # exactly one appointment in the window: check in against it
    CHOOSE = "choose"  # several in the window: the patient chooses (a machine without a screen sends to staff)
    TOO_EARLY = "too_early"  # booked today, but not yet in its window: the counter
    TOO_LATE = "too_late"  # booked today, but later than the window allows: the counter


@dataclass(frozen=True)
class CheckInPlan:
    kind: PlanKind
    appointments: tuple[Appointment, ...] = ()  # ONE: the one; CHOOSE: the choices; counter kinds: the booked ones

    @property
    def appointment(self) -> Appointment | None:
        return self.appointments[0] if self.kind is PlanKind.ONE else None


def minutes_late(appointment: Appointment, now: datetime) -> float:
    """Negative when the patient is early."""
    booked = datetime.combine(appointment.day, appointment.at, tzinfo=now.tzinfo)
    return (now - booked).total_seconds() / 60


def plan_check_in(appointments: Sequence[Appointment], now: datetime, window: CheckInWindow) -> CheckInPlan:
    """Only today's appointments still booked count: arrived ones were received already, cancelled and no-show
    ones are no longer the patient's."""
    booked = sorted((a for a in appointments if a.day == now.date() and a.state is AppointmentState.BOOKED),
                    key=lambda a: (a.at, a.appointment_id))  # fmt: skip
    if not booked:
        return CheckInPlan(PlanKind.WALK_IN)
    early, late = window.early.total_seconds() / 60, window.late.total_seconds() / 60
    inside = tuple(a for a in booked if -early <= minutes_late(a, now) <= late)
    if len(inside) == 1:
        return CheckInPlan(PlanKind.ONE, inside)
    if inside:
        return CheckInPlan(PlanKind.CHOOSE, inside)
    if any(minutes_late(a, now) > late for a in booked):
        return CheckInPlan(PlanKind.TOO_LATE, tuple(booked))
    return CheckInPlan(PlanKind.TOO_EARLY, tuple(booked))


def checked_in_against(plan: CheckInPlan, appointment_id: str | None) -> Appointment | None:
    """The appointment the patient chose among the plan's choices (None: not one of them)."""
    if plan.kind not in (PlanKind.ONE, PlanKind.CHOOSE):
        return None
    return next((a for a in plan.appointments if a.appointment_id == appointment_id), None)
