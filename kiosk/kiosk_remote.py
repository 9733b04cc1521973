"""Wiring for kiosks behind the agent: the agent's kiosk API server, and the desk a kiosk PC uses.

Two topologies, one kiosk flow: a single-PC clinic's kiosk opens the store itself (bootstrap.kiosk_desk); a kiosk
PC with `[kiosk] agent_url` holds no store and reaches the agent's API (RemoteKioskDesk). Both go through the same
need-to-know guard — locally in the kiosk process, remotely per kiosk name in the agent.
"""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass

from adapters.kiosk_api.certificate import ensure_certificate
from adapters.kiosk_api.client import RemoteKioskDesk
from adapters.kiosk_api.server import ApiServer, KioskApi
from kiosk.bootstrap import Store, kiosk_desk, open_store, store_kiosk_desk
from kiosk.core.clock import Clock, SystemClock
from kiosk.core.errors import StoreError, UketsukeError
from kiosk.core.kiosk_guard import GuardedDesk
from kiosk.core.kiosk_ports import KioskDesk
from kiosk.logsetup import get_logger
from kiosk.private_files import tighten
from kiosk.services.kiosk_pairing import KioskPairing
from kiosk.settings import Settings

log = get_logger("uketsuke.kiosk_remote")
KEYRING_SERVICE = "uketsuke-kiosk"


def agent_fingerprint(settings: Settings) -> str:
    """The agent's certificate (made on first use) and its fingerprint, as kiosks pin it."""
    cert, key = settings.agent_certificate()
    names = [socket.gethostname(), "localhost", "127.0.0.1", *settings.kiosk_api.names]
    return ensure_certificate(cert, key, names)


class AgentDesks:
    """One guarded desk per paired kiosk name, kept for the agent's life (the guard remembers whom each kiosk
    identified)."""

    def __init__(self, settings: Settings, store: Store, clock: Clock) -> None:
        self.settings, self.store, self.clock = settings, store, clock
        self._desks: dict[str, KioskDesk] = {}
        self._lock = threading.Lock()

    def __call__(self, kiosk: str) -> KioskDesk:
        with self._lock:
            desk = self._desks.get(kiosk)
            if desk is None:
                inner = store_kiosk_desk(self.settings, self.store, self.clock, kiosk_id=kiosk)
                desk = self._desks[kiosk] = GuardedDesk(inner, self.clock)
            return desk


def kiosk_api_server(settings: Settings, store: Store, clock: Clock | None = None, *,
                     port: int | None = None) -> ApiServer:  # fmt: skip
    clock = clock or SystemClock()
    agent_fingerprint(settings)
    cert, key = settings.agent_certificate()
    pairing = KioskPairing(store.sessions, clock)
    api = KioskApi(AgentDesks(settings, store, clock), pairing.kiosk_of)
    api_settings = settings.kiosk_api
    return ApiServer(api, api_settings.host, api_settings.port if port is None else port, certificate=cert,
                     private_key=key)  # fmt: skip


def read_token(settings: Settings) -> str:
    """The kiosk's token: the token file (readable by the kiosk account only), else the keyring."""
    path = settings.kiosk_token_file()
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, settings.kiosk.kiosk_id) or ""
    except Exception:  # no keyring back-end on this PC: the file is the way
        return ""


def save_token(settings: Settings, token: str) -> None:
    """Written 0600 from the start (on Windows the kiosk folder's ACL, set by provision, keeps others out)."""
    path = settings.kiosk_token_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tighten(path.parent, folder=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(token.strip() + "\n")
    tighten(path, folder=False)


def remote_desk(settings: Settings) -> RemoteKioskDesk:
    return RemoteKioskDesk(settings.kiosk.agent_url, read_token(settings), settings.kiosk.agent_fingerprint)


def desk_for_kiosk(settings: Settings, clock: Clock | None = None) -> KioskDesk:
    """The desk `uketsuke kiosk` uses: the agent's API when configured, else this PC's store (the kiosk starts
    even when the store is down and shows ただいま受付できません until it is back)."""
    if settings.kiosk.agent_url:
        return remote_desk(settings)
    try:
        store = open_store(settings)
    except StoreError:
        log.warning("kiosk_store_unreachable_at_start")
        store = open_store(settings, migrate=False)
    return kiosk_desk(settings, store, clock)


@dataclass(frozen=True)
class DeskCheck:
    ok: bool
    where: str  # "store sqlite:///…" or "agent https://…"
    ja: str
    en: str


def check_desk(settings: Settings) -> DeskCheck:
    """What `uketsuke kiosk --check` and `doctor` report: the desk this kiosk reaches, and whether it answers."""
    if not settings.kiosk.agent_url:
        where = f"store {settings.store_url().split('@')[-1]}"
        try:
            store = open_store(settings, migrate=False)
            ok = kiosk_desk(settings, store).healthy()
        except (StoreError, UketsukeError):
            ok = False
        if ok:
            return DeskCheck(True, where, "この PC のストアに接続できます", "this PC's store answers")
        return DeskCheck(False, where, "ストアに接続できません", "the store does not answer")
    where = f"agent {settings.kiosk.agent_url}"
    try:
        desk = remote_desk(settings)
    except UketsukeError as exc:
        return DeskCheck(False, where, exc.ja, exc.en)
    if desk.healthy():
        return DeskCheck(True, where, "エージェントに接続できます（証明書とトークンを確認）",
                         "the agent answers (certificate pinned, token accepted)")  # fmt: skip
    messages = {
        "pin_mismatch": ("エージェントの証明書が登録と違います（agent_fingerprint を確認）",
                         "the agent's certificate is not the pinned one (check agent_fingerprint)"),
        "token_refused": ("トークンが受け付けられません（uketsuke kiosk pair で作り直してください）",
                          "the token is refused (pair this kiosk again with uketsuke kiosk pair)"),
        "unreachable": ("エージェントに接続できません（受付 PC・ネットワーク・ポートを確認）",
                        "cannot reach the agent (check the reception PC, the network and the port)"),
        "store_unavailable": ("エージェントはストアに接続できていません", "the agent cannot reach its store"),
    }  # fmt: skip
    ja, en = messages.get(desk.problem or "", ("エージェントが応答しません", "the agent does not answer"))
    return DeskCheck(False, where, ja, en)
