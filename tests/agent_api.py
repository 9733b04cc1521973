"""The agent's kiosk API for tests: a real uvicorn server with TLS on loopback, over the test's store, with its
own certificate and paired kiosks — the same wiring the agent uses (kiosk/kiosk_remote.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from adapters.kiosk_api.client import RemoteKioskDesk
from adapters.kiosk_api.server import ApiServer
from kiosk.bootstrap import Store
from kiosk.core.clock import Clock
from kiosk.kiosk_remote import agent_fingerprint, kiosk_api_server
from kiosk.services.kiosk_pairing import KioskPairing
from kiosk.settings import Settings


@dataclass
class AgentApi:
    settings: Settings
    store: Store
    clock: Clock
    server: ApiServer
    fingerprint: str
    desks: list[RemoteKioskDesk] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.server.port}"

    def pair(self, name: str = "kiosk-1") -> str:
        return KioskPairing(self.store.sessions, self.clock).pair(name, by="os:test")

    def desk(self, name: str = "kiosk-1", *, token: str | None = None,
             fingerprint: str | None = None) -> RemoteKioskDesk:  # fmt: skip
        desk = RemoteKioskDesk(self.url, token if token is not None else self.pair(name),
                               fingerprint or self.fingerprint)  # fmt: skip
        self.desks.append(desk)
        return desk

    def stop(self) -> None:
        self.server.stop()

    def start_again(self) -> None:
        """A new agent process on the same port and store (what a restart looks like to a kiosk)."""
        self.server = kiosk_api_server(self.settings, self.store, self.clock, port=self.server.port)
        self.server.start()

    def close(self) -> None:
        for desk in self.desks:
            desk.close()
        self.server.stop()


def start_agent_api(settings: Settings, store: Store, clock: Clock) -> AgentApi:
    local = settings.model_copy(update={"kiosk_api": settings.kiosk_api.model_copy(update={"host": "127.0.0.1"})})
    fingerprint = agent_fingerprint(local)
    server = kiosk_api_server(local, store, clock, port=0)
    server.start()
    return AgentApi(local, store, clock, server, fingerprint)
