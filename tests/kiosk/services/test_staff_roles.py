"""Every write on behalf of a person is bound to an active account with a role that allows it, checked in the
services without any UI (issue 19, part 2). Before, `ReviewService` took any string: a deactivated or made-up login
was accepted and audited, and roles were checked only by the console hiding buttons. SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update

from kiosk.bootstrap import Store
from kiosk.core.clock import FixedClock
from kiosk.core.errors import UketsukeError
from kiosk.core.staff_roles import CLERK_ACTIONS, PERMISSIONS, Action, Actor, allowed
from kiosk.services.accounts import AccountService
from kiosk.services.review import ReviewService
from kiosk.services.runtime_settings import RuntimeSettings
from kiosk.services.staff_console import StaffConsole
from kiosk.settings import Settings
from kiosk.store.models import AuditRecord, CrEntry, StaffAccount
from tests.kiosk.services.test_qualification import DAY, linked_entry
from tests.staff_accounts import staff_actor


@pytest.fixture
def entry_id(settings: Settings, store: Store, face_dir: Path) -> int:
    return linked_entry(settings, store, face_dir).id


def review(store: Store) -> ReviewService:
    return ReviewService(store.sessions, FixedClock(DAY), registry=store.registry)


def state(store: Store, entry_id: int) -> tuple[str, str | None]:
    with store.sessions() as session:
        entry = session.get(CrEntry, entry_id)
        assert entry is not None
        return entry.status, entry.patient_id


def last_audit(store: Store) -> tuple[str, str, str | None, str | None]:
    with store.sessions() as session:
        row = session.scalars(select(AuditRecord).order_by(AuditRecord.id.desc())).first()
        assert row is not None
        return row.actor, row.action, row.subject, row.reason


def test_the_rules_are_written_down_and_admins_hold_everything() -> None:
    assert set(PERMISSIONS) == {"clerk", "admin"}
    assert PERMISSIONS["admin"] == frozenset(Action)
    for decision in (Action.LINK, Action.UNLINK, Action.UNDO, Action.CREATE_PATIENT, Action.REJECT):
        assert allowed("clerk", decision)
    for setting in (Action.SET_LINKING_MODE, Action.MANAGE_ACCOUNTS, Action.EXPORT_AUDIT):
        assert not allowed("clerk", setting) and allowed("admin", setting)
    assert not any(allowed("kiosk", action) for action in Action)  # an unknown role may do nothing
    assert PERMISSIONS["admin"] > CLERK_ACTIONS


def test_an_active_clerk_links_and_the_record_names_them(store: Store, entry_id: int) -> None:
    clerk = staff_actor(store.sessions, "clerk-1")
    review(store).link(entry_id, "3001", by=clerk)
    assert state(store, entry_id) == ("linked", "3001")
    assert last_audit(store)[:2] == ("clerk-1", "link")


@pytest.mark.parametrize("who", ["deactivated", "unknown", "string"])
def test_a_deactivated_unknown_or_bare_string_actor_changes_nothing(store: Store, entry_id: int, who: str) -> None:
    before = state(store, entry_id)
    service = review(store)
    if who == "deactivated":
        actor: object = staff_actor(store.sessions, "clerk-2", active=False)
    elif who == "unknown":
        actor = Actor("nobody", "試験 誰", "admin")  # claims admin; no such account
    else:
        actor = "clerk-1"
    with pytest.raises((UketsukeError, TypeError)) as refused:
        service.link(entry_id, "3001", by=actor)  # type: ignore[arg-type]
    assert state(store, entry_id) == before
    if who == "string":
        assert refused.type is TypeError
        return
    assert isinstance(refused.value, UketsukeError) and refused.value.code == "inactive_account"
    assert last_audit(store) == (actor.login, "action_refused", "link", "inactive_account")  # type: ignore[attr-defined]


def test_an_account_deactivated_mid_session_stops_at_once(store: Store, entry_id: int) -> None:
    clock = FixedClock(DAY)
    accounts = AccountService(store.sessions, clock)
    admin = accounts.create("admin1", "試験 管理者", "admin", "adminpass1", by=None)
    clerk = staff_actor(store.sessions, "clerk-1")
    service = review(store)
    service.link(entry_id, "3001", by=clerk)
    accounts.set_active("clerk-1", False, by=admin)
    with pytest.raises(UketsukeError) as refused:
        service.unlink(entry_id, "本人ではない", by=clerk)
    assert refused.value.code == "inactive_account"
    assert state(store, entry_id) == ("linked", "3001")


def test_the_stored_role_decides_not_the_actor_object(store: Store, entry_id: int) -> None:
    """An admin demoted to clerk while signed in cannot change the linking mode, whatever their Actor says."""
    clock = FixedClock(DAY)
    accounts = AccountService(store.sessions, clock)
    admin = accounts.create("admin1", "試験 管理者", "admin", "adminpass1", by=None)
    runtime = RuntimeSettings(store.sessions, clock, default_mode="on", cache_seconds=0)
    runtime.set_linking_mode("off", by=admin)
    with store.sessions.begin() as session:
        session.execute(update(StaffAccount).where(StaffAccount.login == "admin1").values(role="clerk"))
    with pytest.raises(UketsukeError) as refused:
        runtime.set_linking_mode("on", by=admin)
    assert refused.value.code == "not_allowed"
    assert runtime.linking_mode() == "off"
    assert last_audit(store) == ("admin1", "action_refused", "set_linking_mode", "not_allowed")


def test_a_clerk_may_not_manage_accounts_or_the_linking_mode(store: Store) -> None:
    clock = FixedClock(DAY)
    accounts = AccountService(store.sessions, clock)
    accounts.create("admin1", "試験 管理者", "admin", "adminpass1", by=None)
    clerk = staff_actor(store.sessions, "clerk-1")
    with pytest.raises(UketsukeError) as refused:
        accounts.create("clerk-9", "試験 九", "admin", "clerkpass9", by=clerk)
    assert refused.value.code == "not_allowed"
    with pytest.raises(UketsukeError):
        accounts.set_active("admin1", False, by=clerk)
    with pytest.raises(UketsukeError):
        RuntimeSettings(store.sessions, clock, default_mode="on").set_linking_mode("off", by=clerk)
    assert [a.login for a in accounts.accounts()] == ["admin1", "clerk-1"]


def test_every_staff_decision_checks_the_account(store: Store, entry_id: int) -> None:
    """reject, undo, create_patient, mark_duplicate, resolve_conflict, resolve_reference and clear_alert all refuse a
    deactivated account before touching anything."""
    gone = staff_actor(store.sessions, "clerk-2", active=False)
    before = state(store, entry_id)
    service = review(store)
    console = StaffConsole(store.sessions, store.registry, FixedClock(DAY))
    calls = [
        lambda: service.reject(entry_id, "テスト", by=gone),
        lambda: service.undo(entry_id, by=gone, reason="テスト"),
        lambda: service.create_patient(entry_id, by=gone),
        lambda: service.mark_duplicate("3001", "3002", by=gone),
        lambda: service.resolve_conflict(1, accept=True, by=gone),
        lambda: service.resolve_reference(1, "done", by=gone),
        lambda: console.clear_alert(1, by=gone),
    ]
    for call in calls:
        with pytest.raises(UketsukeError) as refused:
            call()
        assert refused.value.code == "inactive_account"
    assert state(store, entry_id) == before
    with store.sessions() as session:
        refusals = session.scalars(select(AuditRecord.subject).where(AuditRecord.action == "action_refused")).all()
    assert len(refusals) == len(calls)
