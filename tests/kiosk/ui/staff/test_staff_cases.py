"""The staff console's less common work: broken and conflicting files, uncertain 照会番号 registrations,
alerts from kiosks, duplicate charts, the ORCA back-end, and the CLI around it."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from sqlalchemy import select

from adapters.registry.orca.client import OrcaClient, OrcaSettings
from adapters.registry.orca.registry import OrcaRegistry
from adapters.registry.sql_registry import SqlRegistry
from kiosk.core.registry import NewPatient
from kiosk.store.models import ChartNote, CrEntry, FaceFile, ReferenceRegistration
from kiosk.ui.staff.window import StaffWindow
from tests.conftest import FIXTURES, face_fixture
from tests.kiosk.cli.conftest import run_cli
from tests.kiosk.ui.conftest import JIRO_NEW_JOB, TARO, Clinic
from tests.kiosk.ui.staff.conftest import ADMIN, CLERK, Console, answer_dialog, build_services, search
from tests.simulators.orca_double import OrcaDouble


def test_a_broken_file_shows_its_reason_and_raw_xml(clinic: Clinic, console: Console) -> None:
    broken = face_fixture("truncated_mid_birthdate")
    target = clinic.terminal.face / f"OQSsiquc01res_face_x_{clinic.clock.now():%Y%m%d%H%M%S}.xml"
    target.write_bytes(broken.read_bytes())
    old = time.time() - 30
    os.utime(target, (old, old))
    clinic.ingest.scan(final=True)
    console.log_in(*CLERK)
    with clinic.store.sessions() as session:
        entry_id = session.scalars(select(CrEntry.id).where(CrEntry.status == "error")).one()
    console.open(entry_id)
    panel = console.window.main.panel
    assert panel.raw.isVisibleTo(console.window) and "<XmlMsg" in panel.raw.toPlainText()
    assert "エラー" in panel.header.text()


def test_a_same_name_conflict_is_resolved_by_staff(clinic: Clinic, console: Console) -> None:
    path = clinic.terminal.card_reader_use(TARO, when=clinic.clock.now())
    clinic.ingest.scan(final=True)
    path.write_bytes(path.read_bytes().replace(b"3001", b"3009"))
    old = time.time() - 30
    os.utime(path, (old, old))
    clinic.ingest.scan(final=True)
    with clinic.store.sessions() as session:
        conflict = session.scalars(select(FaceFile).where(FaceFile.state == "conflict")).one()
        entry_id = session.scalars(select(CrEntry.id).where(CrEntry.face_file_id == conflict.id)).one()
    console.log_in(*CLERK)
    console.open(entry_id)
    assert "同名" in console.window.main.model.data(console.window.main.model.index(
        console.window.main.model.row_of(entry_id) or 0, 4))  # fmt: skip
    console.press("action_reject_conflict")
    with clinic.store.sessions() as session:
        assert session.get(FaceFile, conflict.id).state == "dismissed"  # type: ignore[union-attr]
        assert session.get(CrEntry, entry_id).status == "rejected"  # type: ignore[union-attr]


def test_an_uncertain_registration_is_resolved_or_retried(clinic: Clinic, console: Console) -> None:
    face_id = clinic.face(JIRO_NEW_JOB)
    console.services.review.link(clinic.entry_id(face_id), "2003", by=console.clerk, register_reference=True)
    with clinic.store.sessions.begin() as session:
        row = session.scalars(select(ReferenceRegistration)).one()
        row.state, row.message = "uncertain", "結果が届きません"
    console.log_in(*CLERK)
    main = console.window.main
    main.tabs.setCurrentIndex(1)
    assert main.references.rowCount() == 1
    main.references.selectRow(0)
    console.press("ref_retry")
    with clinic.store.sessions() as session:
        states = [r.state for r in session.scalars(select(ReferenceRegistration).order_by(ReferenceRegistration.id))]
    assert states == ["failed", "pending"]  # the old one closed, a new one asked for: never two in flight


def test_kiosk_alerts_are_listed_and_cleared(clinic: Clinic, console: Console) -> None:
    kiosk = clinic.kiosk()
    clinic.tap(kiosk, "btn_start")
    clinic.tap(kiosk, "btn_first")
    console.log_in(*CLERK)
    main = console.window.main
    assert main.alerts.count() == 1 and "I-NEW-01" in main.alerts.item(0).text()
    main.alerts.setCurrentRow(0)
    console.press("clearAlert")
    assert main.alerts.count() == 0
    kiosk.flow.tick()
    assert kiosk.flow.screen.value == "welcome"  # the kiosk saw that staff took over


def test_a_duplicate_chart_is_recorded_for_the_recept_team(clinic: Clinic, console: Console) -> None:
    face_id = clinic.face(JIRO_NEW_JOB)
    console.log_in(*CLERK)
    console.open(clinic.entry_id(face_id))
    console.find("2001")
    console.key(Qt.Key.Key_1)
    console.key(Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    with clinic.store.sessions() as session:
        note = session.scalars(select(ChartNote)).one()
    assert (note.kind, note.patient_id, note.other_patient_id, note.created_by) == (
        "duplicate",
        "2003",
        "2001",
        "clerk1",
    )


@pytest.fixture
def orca(clinic: Clinic) -> Iterator[OrcaRegistry]:
    double = OrcaDouble.from_files(FIXTURES / "orca" / "masters.json", FIXTURES / "registry" / "kiosk_clinic.csv")
    url = double.start()
    try:
        client = OrcaClient(OrcaSettings(url, "ormaster", "ormaster"))
        registry = OrcaRegistry(client, SqlRegistry(clinic.store.sessions), physician_code="10001")
        registry.sync_mirror()
        yield registry
    finally:
        double.stop()


def test_the_console_against_the_orca_double(clinic: Clinic, orca: OrcaRegistry) -> None:
    services = build_services(clinic, orca, None)  # type: ignore[arg-type]
    services.accounts.create(*ADMIN[:1], "試験 管理者", "admin", ADMIN[1], by=None)
    window = StaffWindow(services, live=False)
    clinic.qtbot.addWidget(window)
    window.show()
    face_id = clinic.face(JIRO_NEW_JOB)
    window.login.login.setText(ADMIN[0])
    window.login.secret.setText(ADMIN[1])
    window.login.submit()
    entry_id = clinic.entry_id(face_id)
    window.main.refresh()
    assert window.main.select_entry(entry_id)
    panel = window.main.panel
    search(clinic.qtbot, panel.search, "しけん じろう")  # hiragana: reaches ORCA as katakana (patientlst3v2)
    assert panel.selected_patient() == "2003"
    chosen = panel.detail.candidates[panel.candidates.currentRow()]  # type: ignore[union-attr]
    fields = {f.label: f for f in chosen.fields}
    assert fields["カナ氏名"].record == "シケン\u3000ジロウ"  # ORCA's own (full-width) record, live from patientgetv2
    rows = {panel.comparison.item(r, 0).text(): r for r in range(panel.comparison.rowCount())}
    kana = panel.comparison.cellWidget(rows["カナ氏名"], 2)
    insurer = panel.comparison.cellWidget(rows["保険者番号"], 2)
    assert isinstance(kana, QLabel) and "<span" not in kana.text()  # width is not a difference: nothing marked
    assert isinstance(insurer, QLabel) and "<span" in insurer.text()  # 06999993 against the new job's 06999995
    assert "保険変更" in panel.reasons.text()
    panel.link()
    with clinic.store.sessions() as session:
        assert session.get(CrEntry, entry_id).patient_id is not None  # type: ignore[union-attr]


def test_cli_first_admin_and_audit(tmp_path: Path, data_dir: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f"[paths]\ndata_dir = '{data_dir}'\n[logging]\nconsole = false\n", encoding="utf-8")
    made = run_cli("--config", str(config), "staff", "--add-admin", "admin1", "--name", "試験 管理者",
                   stdin="adminpass1\n")  # fmt: skip
    assert made.returncode == 0, made.stderr
    again = run_cli("--config", str(config), "staff", "--add-admin", "admin2", stdin="adminpass2\n")
    assert again.returncode == 2 and "管理者" in again.stderr and "Traceback" not in again.stderr
    verified = run_cli("--config", str(config), "audit", "verify")
    assert verified.returncode == 0 and "1" in verified.stdout
    exported = run_cli("--config", str(config), "audit", "export", str(tmp_path / "audit.csv"))
    assert exported.returncode == 0
    lines = (tmp_path / "audit.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("id,at,actor") and "account_create" in lines[1]
    import sqlite3

    with sqlite3.connect(data_dir / "uketsuke.db") as connection:
        connection.execute("DROP TRIGGER audit_log_no_delete")  # an attacker with the file removes the guard
        connection.execute("DELETE FROM audit_log")
    broken = run_cli("--config", str(config), "audit", "verify")
    assert broken.returncode == 1 and "改ざん" in broken.stderr


def test_a_reference_number_on_the_wrong_chart_is_offered_for_correction(clinic: Clinic, console: Console) -> None:
    """The 照会番号 points at an old chart of the same name and birthdate; 2001 holds the full insurance. The
    matcher does not auto-link, and choosing 2001 offers to correct the 照会番号 (issue 16)."""
    old = clinic.store.registry.create_patient(NewPatient("試験 太郎", "シケン タロウ", date(1980, 4, 1), "1"))
    clinic.terminal.register_reference(TARO, old.patient_id)
    entry_id = clinic.entry_id(clinic.face(TARO))
    with clinic.store.sessions() as session:
        entry = session.get(CrEntry, entry_id)
        assert entry is not None and entry.status == "needs_review" and entry.reference_number == old.patient_id
    console.log_in(*CLERK)
    console.open(entry_id)
    panel = console.window.main.panel
    ids = [c.patient_id for c in panel.detail.candidates] if panel.detail else []
    assert ids[:2] == ["2001", old.patient_id]
    panel.select_candidate(1)
    assert "照会番号を訂正" in panel.buttons["link_register"].text()
    assert f"照会番号 {old.patient_id} はこの患者を指していません" in console.message()
    panel.select_candidate(2)
    assert "訂正" not in panel.buttons["link_register"].text() and "訂正" not in console.message()
    panel.select_candidate(1)
    seen = answer_dialog(clinic.qtbot, yes=True)  # the 照会番号 points elsewhere: confirmed first
    console.press("action_link_register")
    assert seen and "照会番号" in seen[0]
    with clinic.store.sessions() as session:
        entry = session.get(CrEntry, entry_id)
        assert entry is not None and (entry.status, entry.patient_id) == ("linked", "2001")
        (registration,) = session.scalars(select(ReferenceRegistration)).all()
        assert registration.reference_number == "2001"
