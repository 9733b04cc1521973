"""The three tamperings of the security review (issue 19), each by someone with write access to the database but
not to the audit keys or the anchor file — on SQLite and PostgreSQL. The database itself refuses UPDATE and
DELETE; the attacker first removes that guard, as anyone holding the database file can."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from kiosk.bootstrap import Store
from kiosk.core.audit_chain import GENESIS, record_hash
from kiosk.core.clock import SteppingClock
from kiosk.services.audit import AuditEvent, AuditTrail, append
from kiosk.settings import Settings
from tests.kiosk.cli.conftest import run_cli


def write(store: Store, count: int) -> None:
    clock = SteppingClock()
    for index in range(count):
        with store.sessions.begin() as session:
            event = AuditEvent("clerk-1", "link", index + 1, f"20{index:02d}", reason="本人確認済み")
            append(session, event, clock.now())


def unguard(store: Store) -> None:
    """What an attacker with the database file does first."""
    with store.engine.begin() as connection:
        if store.engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER audit_log_no_update"))
            connection.execute(text("DROP TRIGGER audit_log_no_delete"))


def findings(store: Store) -> list[str]:
    return [f"{f.record_id}:{f.why}" for f in AuditTrail(store.sessions).findings()[1]]


def test_the_database_refuses_update_and_delete(store: Store) -> None:
    write(store, 3)
    for statement in ("UPDATE audit_log SET actor = 'someone'", "DELETE FROM audit_log WHERE id = 3"):
        with pytest.raises(DatabaseError), store.engine.begin() as connection:
            connection.execute(text(statement))
    assert findings(store) == []
    assert [row.id for row in AuditTrail(store.sessions).records()] == [3, 2, 1]  # contiguous, as written


def test_an_edited_record_with_the_chain_recomputed_is_found(store: Store) -> None:
    write(store, 4)
    unguard(store)
    with store.engine.begin() as connection:  # rewrite record 2 and re-chain 2..4 with plain SHA-256
        rows = connection.execute(text("SELECT id, at, actor, workstation, action, entry_id, subject, before, after, "
                                       "reason FROM audit_log ORDER BY id")).all()  # fmt: skip
        previous = GENESIS
        for row in rows:
            actor = "intruder" if row.id == 2 else row.actor
            content = {"at": str(row.at),
                       "actor": actor, "workstation": row.workstation, "action": row.action,
                       "entry_id": row.entry_id, "subject": row.subject, "before": None, "after": None,
                       "reason": row.reason}  # fmt: skip
            digest = record_hash(previous, content)
            connection.execute(text("UPDATE audit_log SET actor = :a, prev_hash = :p, hash = :h, key_id = NULL "
                                    "WHERE id = :i"),
                               {"a": actor, "p": previous, "h": digest, "i": row.id})  # fmt: skip
            previous = digest
        connection.execute(text("UPDATE audit_head SET last_hash = :h"), {"h": previous})
    anchored = {int(f.split(":")[0]) for f in findings(store) if "控え" in f}
    assert anchored == {1, 2, 3, 4}  # the outside anchor disagrees with every rewritten code


def test_every_record_deleted_is_found(store: Store) -> None:
    write(store, 3)
    unguard(store)
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log"))
        connection.execute(text("DELETE FROM audit_head"))
    assert AuditTrail(store.sessions).findings()[0] == 0
    assert [f.split(":")[0] for f in findings(store)] == ["1", "2", "3"]


def test_the_last_records_cut_and_the_head_moved_is_found(store: Store) -> None:
    write(store, 5)
    unguard(store)
    with store.engine.begin() as connection:
        kept = connection.execute(text("SELECT hash FROM audit_log WHERE id = 3")).scalar_one()
        connection.execute(text("DELETE FROM audit_log WHERE id > 3"))
        connection.execute(text("UPDATE audit_head SET last_id = 3, last_hash = :h"), {"h": kept})
    assert [f.split(":")[0] for f in findings(store)] == ["4", "5"]


def test_audit_verify_names_what_it_found_and_exits_1(settings: Settings, store: Store, tmp_path: Path) -> None:
    write(store, 2)
    config = tmp_path / "c.toml"
    config.write_text(f"[paths]\ndata_dir = '{settings.data_dir()}'\n[store]\nurl = '{settings.store_url()}'\n",
                      encoding="utf-8")  # fmt: skip
    assert run_cli("--config", str(config), "audit", "verify").returncode == 0
    unguard(store)
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE id = 2"))
    done = run_cli("--config", str(config), "audit", "verify")
    assert done.returncode == 1 and "監査記録 2" in done.stderr and "Traceback" not in done.stderr


def test_a_rotated_key_starts_a_new_segment_that_still_verifies(settings: Settings, store: Store,
                                                                tmp_path: Path) -> None:  # fmt: skip
    """`audit rotate` adds a key: later records are sealed with it, older ones still check with theirs, and a
    missing old key is named rather than passed."""
    write(store, 2)
    config = tmp_path / "c.toml"
    config.write_text(f"[paths]\ndata_dir = '{settings.data_dir()}'\n[store]\nurl = '{settings.store_url()}'\n",
                      encoding="utf-8")  # fmt: skip
    done = run_cli("--config", str(config), "audit", "rotate")
    assert done.returncode == 0, done.stderr
    keys = sorted(settings.audit_key_dir().glob("audit-*.key"), key=lambda p: p.stat().st_mtime)
    assert len(keys) == 2
    new_id = keys[-1].name.removeprefix("audit-").removesuffix(".key")
    assert new_id in done.stdout
    with store.sessions() as session:
        rows = session.execute(text("SELECT id, action, key_id FROM audit_log ORDER BY id")).all()
    assert [r[1] for r in rows] == ["link", "link", "audit_key_rotated"]
    assert rows[0][2] != new_id and rows[2][2] == new_id  # the rotation record opens the new segment
    assert run_cli("--config", str(config), "audit", "verify").returncode == 0
    keys[0].unlink()  # the old key lost: its records can no longer be checked, and verify says so
    done = run_cli("--config", str(config), "audit", "verify")
    assert done.returncode == 1 and "監査記録 1" in done.stderr
