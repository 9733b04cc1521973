"""Ingestion service on real folders and a real SQLite store."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from adapters.oqs.face_folder import FaceFolder
from kiosk.bootstrap import Store, ingest_service
from kiosk.core.clock import FixedClock
from kiosk.services.cr_list import cr_list
from kiosk.services.ingest import IngestService
from kiosk.settings import Settings
from kiosk.store.models import CrEntry, FaceFile
from tests.conftest import FACE_FIXTURES, face_fixture, place

DAY = datetime(2025, 4, 1, 12, 0, 0)


def service(settings: Settings, store: Store, *, clock: FixedClock | None = None) -> IngestService:
    return ingest_service(settings, store, clock=clock or FixedClock(DAY))


def count(store: Store, model: type[FaceFile] | type[CrEntry]) -> int:
    with store.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def place_all_fixtures(face_dir: Path) -> list[Path]:
    placed = []
    for case in sorted(FACE_FIXTURES.iterdir()):
        for file in sorted(case.iterdir()):
            placed.append(place(file, face_dir))
    return placed


def test_every_fixture_gives_the_expected_lines(settings: Settings, store: Store, face_dir: Path) -> None:
    place_all_fixtures(face_dir)
    report = service(settings, store).drain()
    face_cases = [c for c in FACE_FIXTURES.iterdir() if c.name != "not_face_files"]
    assert report.stored == len(face_cases)
    lines = cr_list(store.faces, DAY.date())
    by_file: dict[str, list[dict[str, object]]] = {}
    for line in lines:
        by_file.setdefault(str(line["file_name"]), []).append(line)
    assert len(by_file[face_fixture("two_results_public_assistance_bom").name]) == 2
    for bad in ("xxe_external_entity", "entity_bomb", "empty_file", "truncated_mid_birthdate", "invalid_birthdate"):
        (line,) = by_file[face_fixture(bad).name]
        assert line["status"] == "error"
        assert line["name"] is None and line["birthdate"] is None
        assert " / " in str(line["reason"])
    good = by_file[face_fixture("shaho_reference_number").name][0]
    assert good["status"] == "no_match"  # the registry is empty
    assert good["reference_number"] == "000123"
    assert good["sha256"] == hashlib.sha256(face_fixture("shaho_reference_number").read_bytes()).hexdigest()
    # Not face results: never read into the store.
    assert all(not str(name).startswith(("OQSsiimm", "readme")) for name in by_file)


def test_ingest_is_idempotent_across_restarts(settings: Settings, store: Store, face_dir: Path) -> None:
    place_all_fixtures(face_dir)
    first = service(settings, store).drain()
    assert first.stored > 0
    assert service(settings, store).drain().stored == 0  # fresh service: the store dedupes
    again = service(settings, store)
    again.warm_up()
    assert again.drain().stored == 0
    assert count(store, FaceFile) == first.stored


def test_original_bytes_are_kept_and_the_source_is_untouched(settings: Settings, store: Store, face_dir: Path) -> None:
    placed = place_all_fixtures(face_dir)
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in placed}
    service(settings, store).drain()
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in face_dir.iterdir()}
    assert after == before
    with store.sessions() as session:
        for face_file in session.scalars(select(FaceFile)):
            assert face_file.raw == before[face_file.file_name][0]


def test_same_name_other_content_is_a_conflict_not_an_overwrite(
    settings: Settings, store: Store, face_dir: Path
) -> None:
    original = place(face_fixture("shaho_reference_number"), face_dir)
    ingest = service(settings, store)
    ingest.drain()
    changed = original.read_bytes().replace(b"000123", b"000999")
    original.write_bytes(changed)
    old = time.time() - 30
    os.utime(original, (old, old))
    report = ingest.drain()
    assert report.conflicts == 1
    lines = cr_list(store.faces, DAY.date())
    assert [line["reference_number"] for line in lines] == ["000123", "000999"]
    assert lines[1]["status"] == "needs_review"
    assert "同じ名前" in str(lines[1]["reason"])


def test_quarantined_partial_then_complete_file_is_not_a_conflict(
    settings: Settings, store: Store, face_dir: Path
) -> None:
    full = face_fixture("shaho_reference_number").read_bytes()
    target = face_dir / face_fixture("shaho_reference_number").name
    target.write_bytes(full[: len(full) // 2])
    old = time.time() - 30
    os.utime(target, (old, old))
    ingest = service(settings, store)
    assert ingest.drain().quarantined == 1
    target.write_bytes(full)
    os.utime(target, (old + 1, old + 1))
    report = ingest.drain()
    assert report.conflicts == 0 and report.stored == 1
    # The complete file replaces the failed read in the list; the failed bytes stay in the store (issue 17).
    statuses = [line["status"] for line in cr_list(store.faces, DAY.date())]
    assert statuses == ["no_match"]
    assert store.faces.quarantined_count(DAY.date()) == 0
    with store.sessions() as session:
        files = session.scalars(select(FaceFile).order_by(FaceFile.id)).all()
        assert [f.state for f in files] == ["superseded", "ingested"]
        assert files[0].raw == full[: len(full) // 2] and "置き換えました" in (files[0].reason or "")


def test_a_growing_file_waits_until_it_is_complete(settings: Settings, store: Store, face_dir: Path) -> None:
    full = face_fixture("kokuho_shift_jis_random_order").read_bytes()
    target = face_dir / face_fixture("kokuho_shift_jis_random_order").name
    with target.open("wb") as handle:
        handle.write(full[:200])
        handle.flush()
        ingest = service(settings, store)
        report = ingest.scan()
        assert report.stored == 0 and report.pending == 1
        handle.write(full[200:])
    report = ingest.drain(timeout=5)
    assert report.stored == 1 and report.quarantined == 0
    assert cr_list(store.faces, DAY.date())[0]["insurer_number"] == "  999991"


def test_only_todays_files_are_actionable(settings: Settings, store: Store, face_dir: Path) -> None:
    place(face_fixture("shaho_reference_number"), face_dir)  # named 2025-04-01
    no_stamp = place(face_fixture("kokuho_shift_jis_random_order"), face_dir, name="OQSsiquc01res_face_X.xml")
    stamp = datetime(2025, 4, 2, 8, 0).timestamp()
    os.utime(no_stamp, (stamp, stamp))
    service(settings, store, clock=FixedClock(datetime(2025, 4, 2, 9, 0))).drain()
    with store.sessions() as session:
        rows = {e.name_kana: (e.entry_date.isoformat(), e.actionable) for e in session.scalars(select(CrEntry))}
    assert rows["ｼｹﾝ ﾀﾛｳ"] == ("2025-04-01", False)
    assert rows["ｼｹﾝ ｼﾖｳｺ"] == ("2025-04-02", True)  # mtime fallback


def test_a_vanished_folder_is_reported_and_resumed(settings: Settings, store: Store, face_dir: Path) -> None:
    ingest = service(settings, store)
    changes: list[bool] = []
    ingest.on_folder_state = lambda _folder, up, _msg: changes.append(up)
    place(face_fixture("shaho_reference_number"), face_dir)
    hidden = face_dir.with_name("face-away")
    face_dir.rename(hidden)
    report = ingest.scan()
    assert report.unavailable == ["face"] and report.stored == 0
    hidden.rename(face_dir)
    report = ingest.scan()
    assert report.unavailable == [] and report.stored == 1
    assert changes == [False, True]


def test_trash_folder_recovers_files_and_dedupes(settings: Settings, store: Store, tmp_path: Path) -> None:
    face = tmp_path / "face2"
    trash = tmp_path / "trash"
    face.mkdir()
    trash.mkdir()
    place(face_fixture("shaho_reference_number"), face)
    place(face_fixture("shaho_reference_number"), trash)
    place(face_fixture("cp932_only_kanji"), trash)
    ingest = IngestService(
        store.faces,
        [
            FaceFolder(face, source="face", max_bytes=4 << 20, settle_seconds=0),
            FaceFolder(trash, source="trash", max_bytes=4 << 20, settle_seconds=0),
        ],
        linker=service(settings, store).linker,
        clock=FixedClock(DAY),
        write_grace_seconds=0.5,
    )
    report = ingest.drain()
    assert report.stored == 2 and report.duplicates == 0
    with store.sessions() as session:
        sources = sorted(f.source for f in session.scalars(select(FaceFile)))
    assert sources == ["face", "trash"]


def test_a_burst_of_1000_files_is_ingested_exactly_once(settings: Settings, store: Store, face_dir: Path) -> None:
    template = face_fixture("shaho_reference_number").read_bytes()
    old = time.time() - 30
    for i in range(1000):
        target = (
            face_dir
            / f"OQSsiquc01res_face_9919999999{i:020x}_20250401{i // 3600 % 24:02d}{i // 60 % 60:02d}{i % 60:02d}.xml"
        )
        target.write_bytes(template.replace(b"000123", f"{i:06d}".encode()))
        os.utime(target, (old, old))
    report = service(settings, store).drain()
    assert report.stored == 1000 and report.quarantined == 0
    assert count(store, FaceFile) == 1000
    refs = {line["reference_number"] for line in cr_list(store.faces, DAY.date())}
    assert len(refs) == 1000


def test_oversize_file_is_quarantined_with_its_hash(settings: Settings, store: Store, face_dir: Path) -> None:
    big = face_dir / "OQSsiquc01res_face_9919999999ffffffffffffffffffff_20250401110000.xml"
    payload = b"<XmlMsg>" + b" " * (5 * 1024 * 1024) + b"</XmlMsg>"
    big.write_bytes(payload)
    old = time.time() - 30
    os.utime(big, (old, old))
    report = service(settings, store).drain()
    assert report.quarantined == 1
    (line,) = cr_list(store.faces, DAY.date())
    assert line["status"] == "error"
    assert line["sha256"] == hashlib.sha256(payload).hexdigest()
    assert "大きすぎ" in str(line["reason"])


def test_files_copied_in_are_seen_by_name_only(settings: Settings, store: Store, face_dir: Path) -> None:
    shutil.copytree(FACE_FIXTURES / "not_face_files", face_dir, dirs_exist_ok=True)
    report = service(settings, store).drain()
    assert report.stored == 0 and report.unavailable == []
