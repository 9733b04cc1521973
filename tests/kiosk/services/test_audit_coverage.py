"""Reads and automated decisions are audited (issue 19, part 3): before, opening a patient's detail, `cr-list`,
kiosk links and confirmations, the agent's auto-links, receptions and 照会番号 requests left no audit record.
SQLite and PostgreSQL; the CLI listing as a real process."""

from __future__ import annotations

import getpass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from kiosk.bootstrap import Store, kiosk_desk, open_store, store_kiosk_desk
from kiosk.core.clock import SteppingClock
from kiosk.core.errors import UketsukeError
from kiosk.core.reference import InsuranceChoice
from kiosk.services.audit import AuditTrail
from kiosk.services.reception import ReceptionService
from kiosk.services.reference_registration import ReferenceFolders, ReferenceService
from kiosk.services.staff_console import StaffConsole
from kiosk.settings import Settings, settings_from_mapping
from kiosk.store.models import AuditRecord, CrEntry
from tests.conftest import face_fixture
from tests.kiosk.cli.conftest import run_cli
from tests.kiosk.services.test_qualification import DAY, linked_entry
from tests.staff_accounts import staff_actor

MIC = "9919999999"


def audited(store: Store, action: str) -> list[AuditRecord]:
    with store.sessions() as session:
        return list(session.scalars(select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.id)))


@pytest.fixture
def linked(settings: Settings, store: Store, face_dir: Path) -> CrEntry:
    """A face result the agent links automatically (its kana, birthdate and insurance are the registry's)."""
    return linked_entry(settings, store, face_dir)


def test_an_automatic_link_is_audited_with_the_file(store: Store, linked: CrEntry) -> None:
    [record] = audited(store, "auto_link")
    assert (record.actor, record.entry_id, record.subject) == ("agent", linked.id, "3001")
    assert record.after == {"entries": [linked.id], "method": linked.link_method, "file": linked.face_file_id}
    assert AuditTrail(store.sessions).verify() == (1, None)  # sealed and chained like any record


def test_the_agents_reception_is_audited(store: Store, linked: CrEntry) -> None:
    clock = SteppingClock(DAY)
    assert ReceptionService(store.sessions, store.registry, clock, department=None).register_linked() == 1
    [record] = audited(store, "reception")
    assert record.actor == "agent" and record.entry_id == linked.id
    assert record.after is not None and record.after["patient_id"] == "3001" and record.after["already"] is False
    with store.sessions() as session:
        entry = session.get(CrEntry, linked.id)
        assert entry is not None and record.subject == entry.reception_id


def test_a_reference_request_is_audited_under_whoever_caused_it(store: Store, linked: CrEntry, tmp_path: Path) -> None:
    folders = ReferenceFolders(MIC, tmp_path / "req", tmp_path / "res", "utf-8", timedelta(seconds=60))
    service = ReferenceService(store.sessions, folders, SteppingClock(DAY))
    made = service.request("3001", InsuranceChoice("01", "06999993", "試験", "7001", "00"), trigger="link",
                           entry_id=linked.id)  # fmt: skip
    assert made is not None
    [record] = audited(store, "reference_request")
    assert (record.actor, record.entry_id, record.subject) == ("agent", linked.id, "3001")
    assert record.after == {"registration": made, "trigger": "link"}


def test_kiosk_links_confirmations_and_receptions_are_audited(settings: Settings, store: Store,
                                                              linked: CrEntry) -> None:  # fmt: skip
    clock = SteppingClock(DAY)
    desk = kiosk_desk(settings.model_copy(update={"kiosk": settings.kiosk.model_copy(update={"kiosk_id": "kiosk-7"})}),
                      store, clock)  # fmt: skip
    assert desk.claim(linked.face_file_id, "s1")
    desk.confirm(linked.face_file_id, "s1")  # the patient said はい to the name shown
    [confirmed] = audited(store, "kiosk_confirm")
    assert (confirmed.actor, confirmed.entry_id, confirmed.subject) == ("kiosk:kiosk-7", linked.id, "3001")
    ticket = desk.register("3001", None, "kiosk-7:s1", linked.face_file_id)
    [received] = audited(store, "reception")
    assert received.actor == "kiosk:kiosk-7" and received.subject == ticket.reception_id
    assert received.after is not None and received.after["patient_id"] == "3001"


def test_a_card_link_at_the_kiosk_is_audited(settings: Settings, store: Store, linked: CrEntry) -> None:
    with store.sessions.begin() as session:  # the same result left for a person to decide
        session.execute(update(CrEntry).values(status="needs_review", patient_id=None, link_method=None))
    desk = store_kiosk_desk(settings, store, SteppingClock(DAY))
    assert desk.link_face_result(linked.face_file_id, "3001", "s2")  # the patient's 診察券 says 3001
    [record] = audited(store, "kiosk_link")
    assert record.actor == f"kiosk:{settings.kiosk.kiosk_id}" and record.subject == "3001"
    assert record.entry_id == linked.id and record.reason == "診察券で本人確認"


def test_opening_a_patients_detail_is_audited_once_per_look(store: Store, linked: CrEntry) -> None:
    clock = SteppingClock(DAY)
    console = StaffConsole(store.sessions, store.registry, clock)
    clerk = staff_actor(store.sessions, "clerk-1")
    detail = console.detail(linked.id, by=clerk)
    assert detail is not None
    console.detail(linked.id, by=clerk)  # the console re-reads the open entry on a change: not a new look
    [viewed] = audited(store, "view_patient")
    assert (viewed.actor, viewed.entry_id, viewed.subject) == ("clerk-1", linked.id, "3001")
    assert viewed.after == {"candidates": [c.patient_id for c in detail.candidates]}
    clock.advance(11 * 60)
    console.detail(linked.id, by=clerk)
    assert len(audited(store, "view_patient")) == 2
    gone = staff_actor(store.sessions, "clerk-2", active=False)
    with pytest.raises(UketsukeError):
        console.detail(linked.id, by=gone)  # no personal data for an inactive account
    assert len(audited(store, "view_patient")) == 2


def test_the_cli_listing_records_who_ran_it(tmp_path: Path, data_dir: Path, face_dir: Path) -> None:
    config = tmp_path / "cli.toml"
    config.write_text(f"[paths]\ndata_dir = '{data_dir}'\n[logging]\nconsole = false\n", encoding="utf-8")
    fixture = face_fixture("notice_card_expiring")
    (face_dir / fixture.name).write_bytes(fixture.read_bytes())
    assert run_cli("--config", str(config), "ingest", "--once", "--face-dir", str(face_dir)).returncode == 0
    listed = run_cli("--config", str(config), "cr-list", "--date", "2025-04-01", "--json")
    assert listed.returncode == 0, listed.stderr
    exported = run_cli("--config", str(config), "audit", "export", str(tmp_path / "audit.csv"))
    assert exported.returncode == 0, exported.stderr
    store = open_store(settings_from_mapping({"paths": {"data_dir": str(data_dir)}}))
    try:
        records = audited(store, "cli_list")
        assert [(r.actor, r.subject) for r in records] == [(f"os:{getpass.getuser()}", "cr-list"),
                                                           (f"os:{getpass.getuser()}", "audit export")]  # fmt: skip
        assert records[0].after == {"date": "2025-04-01", "rows": len(listed.stdout.splitlines())}
    finally:
        store.engine.dispose()
