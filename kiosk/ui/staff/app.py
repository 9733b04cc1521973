"""`uketsuke staff`: the console wired to the store and the configured registry back-end."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from kiosk.bootstrap import Store, open_store, reference_service, registry_backend
from kiosk.core.clock import Clock, SystemClock
from kiosk.services.accounts import AccountService
from kiosk.services.appointment_desk import AppointmentDesk
from kiosk.services.audit import AuditTrail
from kiosk.services.review import ReviewService
from kiosk.services.runtime_settings import RuntimeSettings
from kiosk.services.staff_console import StaffConsole
from kiosk.settings import Settings
from kiosk.ui.staff.window import StaffServices, StaffWindow


def staff_services(settings: Settings, store: Store, clock: Clock | None = None) -> StaffServices:
    clock = clock or SystemClock()
    registry = registry_backend(settings, store)
    return StaffServices(
        accounts=AccountService(store.sessions, clock),
        console=StaffConsole(store.sessions, registry, clock),
        review=ReviewService(store.sessions, clock, registry=registry,
                             reference=reference_service(settings, store, clock=clock)),
        audit=AuditTrail(store.sessions),
        runtime=RuntimeSettings(store.sessions, clock, default_mode=settings.linking.auto),
        engine=store.engine, appointments=AppointmentDesk(store.sessions, registry, clock),
    )  # fmt: skip


def run_staff(settings: Settings) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    store = open_store(settings)
    window = StaffWindow(staff_services(settings, store), auto_lock_seconds=settings.staff.auto_lock_seconds)
    window.resize(1600, 900)
    window.show()
    return app.exec()
