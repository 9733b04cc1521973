"""Render the staff console's screens (login, review, search, marked differences, a confirmation, insurance, a
kiosk's call, audit, administration) at 1600×900 (the confirmation at its own size).

    xvfb-run -a python -m tests.kiosk.ui.staff.screenshots OUTDIR
Prints one JSON object: {"screens": {name: png}, "missing": {name: [chars]}}.
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from kiosk.bootstrap import ingest_service, open_store
from kiosk.core.registry import Department
from kiosk.demo.oqs_terminal import MIC, Terminal
from kiosk.services.accounts import AccountService, Actor
from kiosk.services.audit import AuditTrail
from kiosk.services.kiosk_desk import StoreKioskDesk
from kiosk.services.reference_registration import ReferenceFolders, ReferenceService
from kiosk.services.registry_import import import_csv
from kiosk.services.review import ReviewService
from kiosk.services.runtime_settings import RuntimeSettings
from kiosk.services.staff_console import StaffConsole
from kiosk.settings import settings_from_mapping
from kiosk.store.models import CrEntry
from kiosk.ui.staff.window import StaffServices, StaffWindow
from tests.conftest import FIXTURES, face_fixture, place
from tests.kiosk.ui.conftest import HANAKO, JIRO_NEW_JOB, TARO, StepClock
from tests.kiosk.ui.screenshots import Camera
from tests.kiosk.ui.staff.test_staff_review_screen import ICHIKO_ON_TWINS_BRANCH


def main(out: Path) -> dict[str, object]:
    out.mkdir(parents=True, exist_ok=True)
    _app = QApplication.instance() or QApplication(sys.argv[:1])  # kept: Qt lives while this object does
    work = Path(tempfile.mkdtemp(prefix="uketsuke-staff-shots-"))
    settings = settings_from_mapping({"store": {"url": f"sqlite:///{work / 'shots.db'}"},
                                      "paths": {"data_dir": str(work)}})  # fmt: skip
    store = open_store(settings)
    import_csv(store.sessions, FIXTURES / "registry" / "kiosk_clinic.csv")
    store.registry.set_departments([Department("01", "内科")])
    clock = StepClock()
    terminal = Terminal(work / "OQS")
    ingest = ingest_service(settings, store, face_dir=str(terminal.face), clock=clock)
    for person in (TARO, HANAKO, JIRO_NEW_JOB, ICHIKO_ON_TWINS_BRANCH):
        clock.advance(30)
        terminal.card_reader_use(person, when=clock.now())
        ingest.scan(final=True)
    place(face_fixture("shaho_reference_number"), terminal.face)  # a card with 負担割合 and 限度額
    ingest.scan(final=True)
    folders = ReferenceFolders(MIC, terminal.req, terminal.res, "utf-8", timedelta(seconds=60))
    sessions = store.sessions
    services = StaffServices(
        accounts=AccountService(sessions, clock), console=StaffConsole(sessions, store.registry, clock),
        review=ReviewService(sessions, clock, registry=store.registry,
                             reference=ReferenceService(sessions, folders, clock)),
        audit=AuditTrail(sessions), runtime=RuntimeSettings(sessions, clock, default_mode="on"), engine=store.engine,
    )  # fmt: skip
    admin = services.accounts.create("admin1", "試験 管理者", "admin", "adminpass1", by=None)
    services.accounts.create("clerk1", "試験 受付", "clerk", "clerkpass1", by=Actor(admin.login, "", "admin"))
    window = StaffWindow(services, live=False)
    window.resize(1600, 900)
    window.show()
    camera = Camera(window, out)
    shoot = camera.shoot

    shoot("01_login")
    window.login.login.setText("admin1")
    window.login.secret.setText("adminpass1")
    window.login.submit()
    main = window.main
    jiro = next(r for r in main.model.rows if r.name == "試験 次郎")
    main.select_entry(jiro.entry_id)
    main.panel.select_candidate(1)  # the keys (1, Enter) are exercised by the offscreen tests
    shoot("02_review")
    main.panel.link(register=True)
    main.refresh()
    panel = main.panel
    ichiko = next(r for r in main.model.rows if r.name == "試験 一子")
    main.select_entry(ichiko.entry_id)
    panel.search.text.setText("しけん H12.2.2")
    panel.search.run()
    shoot("03_search")
    panel.search.clear()
    twin = next(i for i, c in enumerate(panel.detail.candidates) if c.patient_id == "2005") if panel.detail else 0
    panel.select_candidate(twin + 1)
    shoot("04_compare_marks")
    question = panel.link_question(panel.detail.candidates[twin]) if panel.detail else None
    assert question is not None
    box, _yes = panel.dialog(*question)
    box.show()
    dialog_camera = Camera(box, out)
    dialog_camera.shoot("05_confirm_link")
    box.close()
    with store.sessions() as session:
        shaho = session.scalar(select(CrEntry.id).order_by(CrEntry.id.desc()).limit(1))
    assert shaho is not None
    panel.show_entry(shaho)
    panel.pages.setCurrentWidget(panel.insurance)
    shoot("06_insurance")
    panel.pages.setCurrentIndex(0)
    hanako = next(r for r in main.model.rows if r.name == "試験 花子")
    StoreKioskDesk(sessions, store.registry, clock, kiosk_id="kiosk-1").alert("I-CALL-01", "shot", hanako.face_file_id)
    main.refresh()
    main.select_entry(hanako.entry_id)
    shoot("07_alert_call")
    main.tabs.setCurrentIndex(2)
    main.verify_audit()
    shoot("08_audit")
    main.tabs.setCurrentIndex(3)
    shoot("09_admin")
    camera.shots.update(dialog_camera.shots)
    camera.missing.update(dialog_camera.missing)
    window.close()
    store.engine.dispose()
    return {"screens": camera.shots, "missing": camera.missing}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1])), ensure_ascii=False))
