"""Staff accounts as the security review found them (issue 19): 4-character passwords, a lockout anyone could use to
lock the administrator out for good, failed logins not audited, and an unknown login answering faster."""

from __future__ import annotations

import statistics
import time

import pytest
from sqlalchemy import select, update

from kiosk.bootstrap import Store
from kiosk.core.clock import SteppingClock
from kiosk.core.errors import UketsukeError
from kiosk.core.pin_hash import N, needs_rehash
from kiosk.services.accounts import LOCKOUT, MAX_FAILURES, UNKNOWN, AccountService
from kiosk.store.models import AuditRecord, StaffAccount


@pytest.fixture
def accounts(store: Store) -> tuple[AccountService, SteppingClock]:
    clock = SteppingClock()
    service = AccountService(store.sessions, clock)
    service.create("admin1", "試験 管理者", "admin", "adminpass1", by=None)
    return service, clock


def audited(store: Store) -> list[tuple[str, str, str | None]]:
    with store.sessions() as session:
        rows = session.execute(select(AuditRecord.actor, AuditRecord.action, AuditRecord.reason)
                               .order_by(AuditRecord.id)).all()  # fmt: skip
        return [tuple(r) for r in rows]  # type: ignore[misc]


@pytest.mark.parametrize("secret", ["short1!", "password1", "xadmin2yy", "abcdefghij", "1111111111", "aaaaaaa1a"])
def test_weak_passwords_are_refused(accounts: tuple[AccountService, SteppingClock], secret: str) -> None:
    service, _clock = accounts
    admin = service.authenticate("admin1", "adminpass1")
    assert admin is not None
    with pytest.raises(UketsukeError) as refused:
        service.create("admin2", "試験 二", "clerk", secret, by=admin)
    assert refused.value.code == "weak_secret" and refused.value.ja and refused.value.en


def test_a_lockout_lasts_fifteen_minutes_and_every_failure_is_audited(
    accounts: tuple[AccountService, SteppingClock], store: Store
) -> None:
    service, clock = accounts
    for _ in range(MAX_FAILURES):
        assert service.authenticate("admin1", "wrong-pass1") is None
    assert service.authenticate("admin1", "adminpass1") is None  # locked: even the right password waits
    assert service.is_active("admin1")  # never deactivated: a stranger cannot lock the administrator out for good
    actions = [a for _actor, a, _r in audited(store)]
    assert actions.count("login_failed") == MAX_FAILURES + 1 and actions.count("account_locked") == 1
    clock.advance(LOCKOUT.total_seconds() + 1)
    assert service.authenticate("admin1", "adminpass1") is not None


def test_an_unknown_login_is_audited_without_what_was_typed(
    accounts: tuple[AccountService, SteppingClock], store: Store
) -> None:
    service, _clock = accounts
    assert service.authenticate("adminpass1", "adminpass1") is None  # the password typed into the login field
    actor, action, _reason = audited(store)[-1]
    assert (actor, action) == (UNKNOWN, "login_failed")
    assert not any("adminpass1" in str(v) for row in audited(store) for v in row)


def test_unknown_inactive_and_wrong_logins_take_the_same_time(accounts: tuple[AccountService, SteppingClock]) -> None:
    service, _clock = accounts
    admin = service.authenticate("admin1", "adminpass1")
    assert admin is not None
    service.create("clerk9", "試験 九", "clerk", "clerkpass9", by=admin)
    service.set_active("clerk9", False, by=admin)

    # interleaved rounds: a machine that gets busier meanwhile (CI runs a build beside the tests) slows all three alike
    times: dict[str, list[float]] = {"admin1": [], "nobody": [], "clerk9": []}
    for _ in range(5):
        for login, samples in times.items():
            started = time.perf_counter()
            service.authenticate(login, "not-it-123")
            samples.append(time.perf_counter() - started)
    wrong, unknown, inactive = (statistics.median(times[login]) for login in ("admin1", "nobody", "clerk9"))
    service.set_active("admin1", True, by=admin)  # (five wrong answers locked it meanwhile)
    for other in (unknown, inactive):
        assert 0.6 < other / wrong < 1.6, (wrong, unknown, inactive)


def test_an_older_weaker_hash_still_works_and_is_upgraded(
    accounts: tuple[AccountService, SteppingClock], store: Store
) -> None:
    import hashlib

    salt = bytes(16)
    digest = hashlib.scrypt(b"adminpass1", salt=salt, n=2**14, r=8, p=1, dklen=32)
    legacy = f"scrypt${2**14}$8$1${salt.hex()}${digest.hex()}"
    with store.sessions.begin() as session:
        session.execute(update(StaffAccount).where(StaffAccount.login == "admin1").values(secret_hash=legacy))
    service, _clock = accounts
    assert service.authenticate("admin1", "adminpass1") is not None
    with store.sessions() as session:
        stored = session.scalar(select(StaffAccount.secret_hash).where(StaffAccount.login == "admin1"))
    assert stored is not None and not needs_rehash(stored) and stored.split("$")[1] == str(N)
