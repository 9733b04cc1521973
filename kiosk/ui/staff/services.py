"""What the staff console's windows are given: the services they call (never adapters directly)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from kiosk.services.accounts import AccountService
from kiosk.services.appointment_desk import AppointmentDesk
from kiosk.services.audit import AuditTrail
from kiosk.services.review import ReviewService
from kiosk.services.runtime_settings import RuntimeSettings
from kiosk.services.staff_console import StaffConsole


@dataclass
class StaffServices:
    accounts: AccountService
    console: StaffConsole
    review: ReviewService
    audit: AuditTrail
    runtime: RuntimeSettings
    engine: Engine
    appointments: AppointmentDesk | None = None  # the 予約 tab (absent: no tab)
