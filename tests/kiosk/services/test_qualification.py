"""Qualification state through ingest, receptions, the CR list and the staff console (issue 17), on SQLite and
PostgreSQL: only a valid qualification is received automatically; a lapsed result of the same person is that
visit's history; re-reads replace failed reads; a rewrite that says the same is not a conflict."""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from kiosk.bootstrap import Store, ingest_service
from kiosk.core.clock import FixedClock
from kiosk.services.cr_list import cr_list
from kiosk.services.reception import ReceptionService
from kiosk.services.registry_import import import_csv
from kiosk.services.staff_console import StaffConsole
from kiosk.settings import Settings
from kiosk.store.models import CrEntry, FaceFile
from tests.conftest import FIXTURES, face_fixture
from tests.staff_accounts import staff_actor

DAY = datetime(2025, 4, 1, 12, 0, 0)


def ingest_file(settings: Settings, store: Store, face_dir: Path, data: bytes, name: str) -> None:
    target = face_dir / name
    target.write_bytes(data)
    old = time.time() - 30
    os.utime(target, (old, old))
    ingest_service(settings, store, clock=FixedClock(DAY)).drain()


def receive(store: Store) -> int:
    return ReceptionService(store.sessions, store.registry, FixedClock(DAY), department=None).register_linked()


def lines(store: Store) -> list[dict[str, object]]:
    return cr_list(store.faces, DAY.date())


def setup_registry(store: Store) -> None:
    assert import_csv(store.sessions, FIXTURES / "registry" / "qualification_cases.csv").added == 1


def linked_entry(settings: Settings, store: Store, face_dir: Path) -> CrEntry:
    """試験 髙子's face result (patient 3001), ingested and linked automatically: kana, birthdate and insurance are
    the registry's. Other tests start from it (staff roles, audit coverage, the kiosk API)."""
    setup_registry(store)
    fixture = face_fixture("notice_card_expiring")
    ingest_file(settings, store, face_dir, fixture.read_bytes(), fixture.name)
    with store.sessions() as session:
        entry = session.scalars(select(CrEntry)).first()
        assert entry is not None and entry.status == "auto_linked" and entry.patient_id == "3001"
        return entry


def test_an_invalid_qualification_is_linked_but_never_received_automatically(
    settings: Settings, store: Store, face_dir: Path
) -> None:
    setup_registry(store)
    fixture = face_fixture("qualification_invalid")
    ingest_file(settings, store, face_dir, fixture.read_bytes(), fixture.name)
    (line,) = lines(store)
    assert (line["status"], line["patient_id"]) == ("auto_linked", "3001")
    assert (line["qualification"], line["qualification_validity"]) == ("invalid", "2")
    assert receive(store) == 0 and store.registry.list_receptions(DAY.date()) == []
    # The same visit with code 1 is received: the rule, not the fixture, decided.
    valid = fixture.read_bytes().replace(b"<QualificationValidity>2<", b"<QualificationValidity>1<")
    ingest_file(settings, store, face_dir, valid, fixture.name.replace("093004", "093104"))
    assert receive(store) == 1


def test_a_file_that_says_nothing_is_not_received_automatically(
    settings: Settings, store: Store, face_dir: Path
) -> None:
    setup_registry(store)
    fixture = face_fixture("qualification_not_stated")
    ingest_file(settings, store, face_dir, fixture.read_bytes(), fixture.name)
    (line,) = lines(store)
    assert line["status"] == "auto_linked" and line["qualification"] is None
    assert receive(store) == 0


def test_a_lapsed_result_is_history_of_the_visit(settings: Settings, store: Store, face_dir: Path) -> None:
    setup_registry(store)
    fixture = face_fixture("lapsed_and_current_same_person")
    ingest_file(settings, store, face_dir, fixture.read_bytes(), fixture.name)
    lapsed, current = lines(store)  # one line per result in the CR list, as the contract says
    assert lapsed["qualification"] == "lapsed" and current["qualification"] == "valid"
    assert lapsed["status"] == current["status"] == "auto_linked"  # the same decision: never a review of its own
    assert lapsed["patient_id"] == current["patient_id"] == "3001"
    with store.sessions() as session:
        history_of = session.get(CrEntry, lapsed["entry_id"]).history_of  # type: ignore[union-attr]
    assert history_of == current["entry_id"]
    console = StaffConsole(store.sessions, store.registry, FixedClock(DAY))
    assert [row.entry_id for row in console.rows(DAY.date())] == [current["entry_id"]]
    detail = console.detail(int(str(current["entry_id"])), by=staff_actor(store.sessions))
    assert detail is not None and [h["ReasonOfLoss"] for h in detail.history] == ["03"]
    assert receive(store) == 1  # one reception, on the current insurance
    (reception,) = store.registry.list_receptions(DAY.date())
    assert reception.patient_id == "3001"


def test_terminal_notices_are_kept_on_the_entry(settings: Settings, store: Store, face_dir: Path) -> None:
    fixture = face_fixture("notice_card_expiring")
    ingest_file(settings, store, face_dir, fixture.read_bytes(), fixture.name)
    with store.sessions() as session:
        (entry,) = session.scalars(select(CrEntry)).all()
        assert entry.notice and "有効期限が近づいています" in entry.notice
        face_file = session.get(FaceFile, entry.face_file_id)
        assert face_file is not None and (face_file.encoding, face_file.encoding_basis) == ("UTF-8", "declared")


def test_an_empty_read_is_replaced_by_the_complete_file(settings: Settings, store: Store, face_dir: Path) -> None:
    fixture = face_fixture("notice_card_expiring")
    ingest_file(settings, store, face_dir, b"", fixture.name)
    assert [line["status"] for line in lines(store)] == ["error"]
    assert store.faces.quarantined_count(DAY.date()) == 1
    ingest_file(settings, store, face_dir, fixture.read_bytes(), fixture.name)
    assert [line["status"] for line in lines(store)] == ["no_match"]
    assert store.faces.quarantined_count(DAY.date()) == 0
    with store.sessions() as session:
        assert [f.state for f in session.scalars(select(FaceFile).order_by(FaceFile.id))] == ["superseded", "ingested"]


def test_a_rewrite_that_says_the_same_is_not_a_conflict(settings: Settings, store: Store, face_dir: Path) -> None:
    fixture = face_fixture("notice_card_expiring")
    raw = fixture.read_bytes()
    ingest_file(settings, store, face_dir, raw, fixture.name)
    reformatted = raw.replace(b"<MessageBody>", b"\r\n  <MessageBody>\r\n  ").replace(b"<?xml version=\"1.0\" "
                                                                                        b"encoding=\"UTF-8\"?>", b"")
    assert reformatted != raw
    ingest_file(settings, store, face_dir, reformatted, fixture.name)
    assert [line["status"] for line in lines(store)] == ["no_match"]  # one visit, shown once
    with store.sessions() as session:
        assert [f.state for f in session.scalars(select(FaceFile).order_by(FaceFile.id))] == ["ingested", "equivalent"]
    changed = raw.replace("試験　髙子".encode(), "試験　直子".encode())
    ingest_file(settings, store, face_dir, changed, fixture.name)
    assert [line["status"] for line in lines(store)] == ["no_match", "needs_review"]  # a real change: a conflict
