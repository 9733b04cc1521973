"""予約受付 decisions: a machine checks in only against one appointment it can be sure of."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from kiosk.core.appointments import Appointment, AppointmentState
from kiosk.core.check_in import CheckInWindow, PlanKind, checked_in_against, minutes_late, plan_check_in

DAY = date(2026, 12, 2)
WINDOW = CheckInWindow(early=timedelta(minutes=120), late=timedelta(minutes=60))


def booked(hhmm: str, appointment_id: str | None = None, *, day: date = DAY,
           state: AppointmentState = AppointmentState.BOOKED) -> Appointment:  # fmt: skip
    return Appointment(appointment_id or f"A-{hhmm}", "1001", day, time.fromisoformat(hhmm), "01", "10001",
                       state=state)  # fmt: skip


def at(hhmm: str) -> datetime:
    return datetime.combine(DAY, time.fromisoformat(hhmm))


def test_no_appointment_is_a_walk_in() -> None:
    assert plan_check_in([], at("10:00"), WINDOW).kind is PlanKind.WALK_IN


def test_one_appointment_inside_the_window() -> None:
    plan = plan_check_in([booked("10:30")], at("10:10"), WINDOW)
    assert plan.kind is PlanKind.ONE and plan.appointment == booked("10:30")


@pytest.mark.parametrize(("now", "kind"), [
    ("08:30", PlanKind.ONE),  # exactly 120 minutes early: still inside
    ("08:29", PlanKind.TOO_EARLY),
    ("11:30", PlanKind.ONE),  # exactly 60 minutes late: still inside
    ("11:31", PlanKind.TOO_LATE),
])  # fmt: skip
def test_the_window_edges(now: str, kind: PlanKind) -> None:
    assert plan_check_in([booked("10:30")], at(now), WINDOW).kind is kind


def test_a_configured_window_is_used() -> None:
    tight = CheckInWindow(early=timedelta(minutes=15), late=timedelta(minutes=10))
    assert plan_check_in([booked("10:30")], at("10:00"), tight).kind is PlanKind.TOO_EARLY
    assert plan_check_in([booked("10:30")], at("10:41"), tight).kind is PlanKind.TOO_LATE


def test_several_inside_the_window_are_the_patients_choice_in_time_order() -> None:
    plan = plan_check_in([booked("11:00"), booked("10:30")], at("10:00"), WINDOW)
    assert plan.kind is PlanKind.CHOOSE and plan.appointment is None
    assert [a.at for a in plan.appointments] == [time(10, 30), time(11)]


def test_only_todays_booked_appointments_count() -> None:
    others = [booked("10:30", state=AppointmentState.ARRIVED), booked("10:45", state=AppointmentState.CANCELLED),
              booked("11:00", state=AppointmentState.NO_SHOW), booked("10:30", "tomorrow", day=DAY + timedelta(1))]
    assert plan_check_in(others, at("10:30"), WINDOW).kind is PlanKind.WALK_IN
    plan = plan_check_in([*others, booked("14:00")], at("13:00"), WINDOW)
    assert plan.kind is PlanKind.ONE and plan.appointment is not None and plan.appointment.at == time(14)


def test_one_in_the_window_wins_over_a_missed_one() -> None:
    """The morning appointment was missed, the afternoon one is due: the afternoon one is checked in."""
    plan = plan_check_in([booked("09:00"), booked("14:00")], at("13:30"), WINDOW)
    assert plan.kind is PlanKind.ONE and plan.appointment is not None and plan.appointment.at == time(14)


def test_a_missed_one_and_a_far_one_go_to_the_counter_as_late() -> None:
    assert plan_check_in([booked("09:00"), booked("17:00")], at("12:00"), WINDOW).kind is PlanKind.TOO_LATE


def test_the_choice_must_be_one_of_the_offered() -> None:
    plan = plan_check_in([booked("10:30"), booked("11:00")], at("10:00"), WINDOW)
    assert checked_in_against(plan, "A-11:00") == booked("11:00")
    assert checked_in_against(plan, "someone-elses") is None
    late = plan_check_in([booked("08:00")], at("10:00"), WINDOW)
    assert checked_in_against(late, "A-08:00") is None  # out of the window: not for a machine


def test_minutes_late() -> None:
    assert minutes_late(booked("10:30"), at("10:00")) == -30
    assert minutes_late(booked("10:30"), at("11:45")) == 75
