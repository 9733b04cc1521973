"""The kiosk's desk when the store is on another PC: the KioskDesk port through the agent's kiosk API (httpx).

Trust: the agent's certificate is fetched, its fingerprint compared with the one pinned in the kiosk's
configuration, and only then used as the single trust anchor of the connection — before the token is sent.
Failure: anything that is not an answer (agent down or restarting, TLS or pin mismatch, token refused, a
server error) is DeskUnavailable, so the kiosk shows ただいま受付できません and retries by itself; a refusal the
desk means (DeskRefused) stays one. A call is repeated once after a dropped connection only where repeating is
harmless (reads, claims, and the reception, which carries its idempotency key).
"""

from __future__ import annotations

import socket
import ssl
from datetime import date, datetime
from typing import Any, NoReturn
from urllib.parse import urlsplit

import httpx

from adapters.kiosk_api.certificate import fingerprint_of_pem, same_fingerprint
from adapters.kiosk_api.wire import API_PREFIX, WireError, decode_result, to_json
from kiosk.core.errors import UketsukeError
from kiosk.core.face import Identity
from kiosk.core.kiosk_ports import CheckIn, DeskRefused, DeskUnavailable, FaceResult, Link, PatientLabel, Ticket
from kiosk.core.registry import Department
from kiosk.logsetup import get_logger

log = get_logger("uketsuke.kiosk_remote")

REPEATABLE = frozenset({"healthy", "face_results", "claim", "claimed_result", "release", "link_state",
                        "patient_for_card", "patient_for_identity", "label", "face_result_of", "link_face_result",
                        "departments", "already_received", "check_in", "register", "alert_open",
                        "session_ended"})  # fmt: skip
TIMEOUT = httpx.Timeout(10.0, connect=2.0)


class PinMismatch(Exception):
    """The agent answered with a certificate other than the pinned one."""


class RemoteKioskDesk:
    def __init__(self, url: str, token: str, fingerprint: str, *, timeout: httpx.Timeout = TIMEOUT) -> None:
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            raise UketsukeError("agent_url", "agent_url は https://ホスト名:ポート の形です",
                                "agent_url must look like https://host:port")  # fmt: skip
        if not token or not fingerprint:
            raise UketsukeError("agent_pairing", "キオスクの登録（トークンと証明書の指紋）がありません",
                                "the kiosk is not paired (no token or certificate fingerprint)")  # fmt: skip
        self.url = url.rstrip("/")
        self.host, self.port = parts.hostname, parts.port or 443
        self.token, self.fingerprint, self.timeout = token, fingerprint, timeout
        self._client: httpx.Client | None = None
        self.problem: str | None = None  # why the last call got no answer (for `kiosk --check`)

    # -- plumbing --------------------------------------------------------------------------------
    def _connect(self) -> httpx.Client:
        connect = self.timeout.connect or 2.0
        pem = ssl.get_server_certificate((self.host, self.port), timeout=connect)
        seen = fingerprint_of_pem(pem)
        if not same_fingerprint(seen, self.fingerprint):
            raise PinMismatch(seen)
        context = ssl.create_default_context(cadata=pem)
        context.check_hostname = False  # the pinned certificate is the only anchor; the name adds nothing
        # TCP_NODELAY both ways: a request (and an answer) is two writes, headers then body; with Nagle against a
        # delayed ACK each call waits ~40 ms (measured on the agent's side: 50 ms a call, 7 ms with it)
        transport = httpx.HTTPTransport(verify=context, socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
        self._client = httpx.Client(base_url=self.url, transport=transport, timeout=self.timeout,
                                    headers={"Authorization": f"Bearer {self.token}"})  # fmt: skip
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _post(self, name: str, body: dict[str, Any]) -> httpx.Response:
        tries = 2 if name in REPEATABLE else 1
        for attempt in range(1, tries + 1):
            try:
                client = self._client or self._connect()
                return client.post(API_PREFIX + name, json=body)
            except PinMismatch as exc:
                self._unavailable("pin_mismatch", seen=str(exc))
            except (httpx.TransportError, OSError, ssl.SSLError) as exc:
                self.close()
                if attempt == tries:
                    self._unavailable("unreachable", error=type(exc).__name__)
        raise AssertionError("unreachable")  # pragma: no cover

    def _unavailable(self, problem: str, **facts: str) -> NoReturn:
        self.problem = problem
        self.close()
        log.warning("kiosk_agent_unavailable", problem=problem, **facts)
        raise DeskUnavailable()

    def _call(self, name: str, **args: Any) -> Any:
        response = self._post(name, to_json(args))
        if response.status_code == 200:
            try:
                result = decode_result(name, response.json().get("result"))
            except (ValueError, WireError, AttributeError):
                self._unavailable("bad_answer")
            self.problem = None
            return result
        if response.status_code == 409:
            code = str(response.json().get("code") or "refused")
            raise DeskRefused(code)
        problems = {401: "token_refused", 429: "too_many_failures", 503: "store_unavailable"}
        self._unavailable(problems.get(response.status_code, f"http_{response.status_code}"))

    # -- the port --------------------------------------------------------------------------------
    def healthy(self) -> bool:
        try:
            return bool(self._call("healthy"))
        except DeskUnavailable:
            return False

    def face_results(self, since: datetime, until: datetime, birthdate: date | None = None) -> list[FaceResult]:
        return list(self._call("face_results", since=since, until=until, birthdate=birthdate))

    def claim(self, face_file_id: int, session_id: str) -> bool:
        return bool(self._call("claim", face_file_id=face_file_id, session_id=session_id))

    def claimed_result(self, face_file_id: int, session_id: str) -> FaceResult | None:
        found: FaceResult | None = self._call("claimed_result", face_file_id=face_file_id, session_id=session_id)
        return found

    def release(self, face_file_id: int, session_id: str) -> None:
        self._call("release", face_file_id=face_file_id, session_id=session_id)

    def confirm(self, face_file_id: int, session_id: str) -> Link:
        link: Link = self._call("confirm", face_file_id=face_file_id, session_id=session_id)
        return link

    def link_state(self, face_file_id: int) -> Link:
        link: Link = self._call("link_state", face_file_id=face_file_id)
        return link

    def patient_for_card(self, card_id: str) -> PatientLabel | None:
        found: PatientLabel | None = self._call("patient_for_card", card_id=card_id)
        return found

    def patient_for_identity(self, identity: Identity) -> PatientLabel | None:
        found: PatientLabel | None = self._call("patient_for_identity", identity=identity)
        return found

    def label(self, patient_id: str) -> PatientLabel | None:
        found: PatientLabel | None = self._call("label", patient_id=patient_id)
        return found

    def face_result_of(self, patient_id: str, since: datetime, until: datetime) -> FaceResult | None:
        found: FaceResult | None = self._call("face_result_of", patient_id=patient_id, since=since, until=until)
        return found

    def link_face_result(self, face_file_id: int, patient_id: str, session_id: str) -> bool:
        return bool(self._call("link_face_result", face_file_id=face_file_id, patient_id=patient_id,
                               session_id=session_id))  # fmt: skip

    def departments(self) -> list[Department]:
        return list(self._call("departments"))

    def already_received(self, patient_id: str, face_file_id: int | None) -> Ticket | None:
        found: Ticket | None = self._call("already_received", patient_id=patient_id, face_file_id=face_file_id)
        return found

    def check_in(self, patient_id: str) -> CheckIn:
        plan: CheckIn = self._call("check_in", patient_id=patient_id)
        return plan

    def register(self, patient_id: str, department: Department | None, key: str, face_file_id: int | None,
                 appointment_id: str | None = None) -> Ticket:  # fmt: skip
        ticket: Ticket = self._call("register", patient_id=patient_id, department=department, key=key,
                                    face_file_id=face_file_id, appointment_id=appointment_id)  # fmt: skip
        return ticket

    def counter_number(self) -> int:
        return int(self._call("counter_number"))

    def alert(self, code: str, session_id: str, face_file_id: int | None = None, patient_id: str | None = None) -> int:
        return int(self._call("alert", code=code, session_id=session_id, face_file_id=face_file_id,
                              patient_id=patient_id))  # fmt: skip

    def alert_open(self, alert_id: int) -> bool:
        return bool(self._call("alert_open", alert_id=alert_id))

    def session_ended(self, session_id: str, received: bool) -> None:
        self._call("session_ended", session_id=session_id, received=received)
