"""Staff accounts: one login per clerk (never a shared account), clerk or admin, scrypt-hashed secrets that follow
the password rules (kiosk/core/password_rules.py). Five failures in a row lock the login for 15 minutes (not for
good: anyone could otherwise lock the administrator out); an admin can unlock earlier. Every login, failed login
and change is audited, and an unknown, inactive or locked login costs the same time as a real one."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kiosk.core.clock import Clock
from kiosk.core.errors import UketsukeError
from kiosk.core.password_rules import password_problem
from kiosk.core.pin_hash import hash_secret, needs_rehash, verify_secret
from kiosk.core.staff_roles import ROLES, Action, Actor, allowed
from kiosk.logsetup import get_logger
from kiosk.services.audit import AuditEvent, append
from kiosk.store.db import read_sessions
from kiosk.store.models import StaffAccount

log = get_logger("uketsuke.accounts")

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
UNKNOWN = "(不明なログイン名)"
__all__ = ["ROLES", "AccountService", "Actor", "StaffGate"]


@cache
def _dummy_hash() -> str:
    """Verified for unknown logins: the same work as a real one."""
    return hash_secret("uketsuke-timing-dummy")


class StaffGate:
    """Every write on behalf of a person passes here first: the actor's account must exist in the store, be active,
    and have a role (as stored now, not as the actor object claims) that allows the action. A refusal is audited."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self.sessions = sessions
        self.reads = read_sessions(sessions)
        self.clock = clock

    def require(self, actor: Actor, action: Action) -> None:
        if not isinstance(actor, Actor):
            raise TypeError("a signed-in Actor is required, not " + type(actor).__name__)
        with self.reads() as session:
            row = session.execute(select(StaffAccount.active, StaffAccount.role)
                                  .where(StaffAccount.login == actor.login)).first()  # fmt: skip
        if row is None or not row.active:
            self._refuse(actor, action, "inactive_account")
            raise UketsukeError("inactive_account", "このアカウントは使えません。ログインし直してください",
                                "this account is inactive or does not exist; sign in again")  # fmt: skip
        if not allowed(row.role, action):
            self._refuse(actor, action, "not_allowed")
            raise UketsukeError("not_allowed", "この操作の権限がありません（管理者に依頼してください）",
                                "your role does not allow this; ask an administrator")  # fmt: skip

    def _refuse(self, actor: Actor, action: Action, code: str) -> None:
        with self.sessions.begin() as session:
            append(session, AuditEvent(actor.login[:64], "action_refused", subject=action.value, reason=code),
                   self.clock.now())  # fmt: skip
        log.warning("staff_action_refused", action=action.value, code=code)


class AccountService:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self.sessions = sessions
        self.reads = read_sessions(sessions)
        self.clock = clock
        self.gate = StaffGate(sessions, clock)

    def has_accounts(self) -> bool:
        with self.reads() as session:
            return bool(session.scalar(select(func.count()).select_from(StaffAccount)))

    def accounts(self) -> list[Actor]:
        with self.reads() as session:
            rows = session.scalars(select(StaffAccount).order_by(StaffAccount.login)).all()
            return [Actor(r.login, r.display_name, r.role) for r in rows]

    def is_active(self, login: str) -> bool:
        with self.reads() as session:
            return bool(session.scalar(select(StaffAccount.active).where(StaffAccount.login == login)))

    def create(self, login: str, display_name: str, role: str, secret: str, *, by: Actor | None) -> Actor:
        """The first account may be created without an actor (it must be an admin); later ones need an admin."""
        if role not in ROLES:
            raise UketsukeError("bad_role", f"役割は {' / '.join(ROLES)} です", f"role must be one of {ROLES}")
        problem = password_problem(secret, login)
        if problem is not None:
            raise UketsukeError("weak_secret", *problem)
        if not login or len(login) > 64:
            raise UketsukeError("bad_login", "ログイン名が正しくありません", "invalid login name")
        if by is None:
            if self.has_accounts():
                raise UketsukeError("need_admin", "管理者でログインしてください", "log in as an administrator")
            if role != "admin":
                raise UketsukeError("first_admin", "最初のアカウントは管理者です", "the first account must be an admin")
        else:
            self.gate.require(by, Action.MANAGE_ACCOUNTS)
        now = self.clock.now()
        try:
            with self.sessions.begin() as session:
                session.add(StaffAccount(login=login, display_name=display_name, role=role,
                                         secret_hash=hash_secret(secret), active=True, failed_attempts=0,
                                         created_at=now))  # fmt: skip
                append(session, AuditEvent(by.login if by else login, "account_create", subject=login,
                                           after={"role": role, "display_name": display_name}), now)  # fmt: skip
        except IntegrityError:
            raise UketsukeError("login_taken", "このログイン名は使われています", "this login is taken") from None
        return Actor(login, display_name, role)

    def authenticate(self, login: str, secret: str) -> Actor | None:
        now = self.clock.now()
        with self.sessions.begin() as session:
            row = session.scalar(select(StaffAccount).where(StaffAccount.login == login).with_for_update())
            # the secret is checked in every case, so the answer takes the same time for any login
            matches = verify_secret(secret, row.secret_hash if row is not None else _dummy_hash())
            subject = login[:64]
            if row is None:
                # what was typed is not recorded: people type their password into the login field
                append(session, AuditEvent(UNKNOWN, "login_failed", subject=UNKNOWN, reason="アカウントがありません"),
                       now)  # fmt: skip
                return None
            if not row.active:
                append(session, AuditEvent(subject, "login_failed", subject=subject, reason="無効なアカウント"), now)
                return None
            if row.locked_until is not None and row.locked_until > now:
                append(session, AuditEvent(subject, "login_failed", subject=subject, reason="ロック中"), now)
                return None
            if not matches:
                row.failed_attempts += 1
                append(session, AuditEvent(subject, "login_failed", subject=subject,
                                           reason=f"パスワード違い（{row.failed_attempts}回目）"), now)  # fmt: skip
                if row.failed_attempts >= MAX_FAILURES:
                    row.locked_until, row.failed_attempts = now + LOCKOUT, 0
                    minutes = int(LOCKOUT.total_seconds() // 60)
                    append(session, AuditEvent(subject, "account_locked", subject=subject,
                                               reason=f"{MAX_FAILURES}回続けて失敗: {minutes}分間"), now)  # fmt: skip
                log.warning("staff_login_failed", attempts=row.failed_attempts)
                return None
            row.failed_attempts, row.locked_until = 0, None
            if needs_rehash(row.secret_hash):
                row.secret_hash = hash_secret(secret)  # an older, weaker hash is upgraded on a good login
            append(session, AuditEvent(login, "login", subject=login), now)
            return Actor(row.login, row.display_name, row.role)

    def set_active(self, login: str, active: bool, *, by: Actor) -> None:
        self.gate.require(by, Action.MANAGE_ACCOUNTS)
        now = self.clock.now()
        with self.sessions.begin() as session:
            row = session.scalar(select(StaffAccount).where(StaffAccount.login == login).with_for_update())
            if row is None:
                raise UketsukeError("unknown_login", "アカウントがありません", "no such account")
            before = {"active": row.active}
            row.active, row.failed_attempts, row.locked_until = active, 0, None
            append(session, AuditEvent(by.login, "account_active", subject=login, before=before,
                                       after={"active": active}), now)  # fmt: skip
