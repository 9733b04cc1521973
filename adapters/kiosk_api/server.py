"""The agent's kiosk API: the KioskDesk port over HTTPS for kiosk PCs that hold no store.

Starlette routes on uvicorn (TLS, HTTP/1.1 keep-alive; nothing at the socket level is ours). Every call carries
a kiosk's token (`Authorization: Bearer …`); `authenticate` turns it into the kiosk's name and `desk_for` gives
that kiosk's desk — guarded per kiosk (kiosk/core/kiosk_guard.py) and writing the audit trail under its name.
Only the port's methods exist; a failed token is counted per address and answered 429 when it repeats.
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from adapters.kiosk_api.wire import API_PREFIX, MAX_BODY, METHODS, WireError, decode_args, to_json
from kiosk.core.kiosk_ports import DeskRefused, DeskUnavailable, KioskDesk
from kiosk.logsetup import describe_exception, get_logger

log = get_logger("uketsuke.kiosk_api")

BAD_TOKEN_LIMIT = 10  # per address and minute
BAD_TOKEN_WINDOW = 60.0


class KioskApi:
    def __init__(self, desk_for: Callable[[str], KioskDesk], authenticate: Callable[[str], str | None], *,
                 monotonic: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.desk_for = desk_for
        self.authenticate = authenticate
        self.monotonic = monotonic
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self.app = Starlette(routes=[Route(API_PREFIX + "{method}", self.call, methods=["POST"])])

    def _blocked(self, address: str) -> bool:
        now = self.monotonic()
        with self._lock:
            seen = self._failures.get(address)
            while seen and now - seen[0] > BAD_TOKEN_WINDOW:
                seen.popleft()
            return seen is not None and len(seen) >= BAD_TOKEN_LIMIT

    def _failed(self, address: str) -> None:
        with self._lock:
            self._failures.setdefault(address, deque()).append(self.monotonic())

    async def call(self, request: Request) -> JSONResponse:
        name = request.path_params["method"]
        address = request.client.host if request.client else "?"
        if self._blocked(address):
            return JSONResponse({"error": "too_many_failures"}, status_code=429)
        header = request.headers.get("authorization", "")
        token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
        kiosk = await run_in_threadpool(self.authenticate, token) if token else None
        if kiosk is None:
            self._failed(address)
            log.warning("kiosk_api_bad_token", address=address)
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        if name not in METHODS:
            return JSONResponse({"error": "unknown_method"}, status_code=404)
        raw = await request.body()
        if len(raw) > MAX_BODY:
            return JSONResponse({"error": "too_large"}, status_code=413)
        try:
            args = decode_args(name, json.loads(raw or b"{}"))
        except (ValueError, WireError):
            return JSONResponse({"error": "bad_request"}, status_code=400)
        try:
            result = await run_in_threadpool(self._run, kiosk, name, args)
        except DeskUnavailable:
            return JSONResponse({"error": "unavailable"}, status_code=503)
        except DeskRefused as refused:
            return JSONResponse({"error": "refused", "code": refused.code}, status_code=409)
        except Exception as exc:  # never a traceback to the kiosk, never personal data in the log
            log.error("kiosk_api_failed", method=name, kiosk=kiosk, failure=describe_exception(exc))
            return JSONResponse({"error": "internal"}, status_code=500)
        return JSONResponse({"result": to_json(result)})

    def _run(self, kiosk: str, name: str, args: dict[str, Any]) -> Any:
        return getattr(self.desk_for(kiosk), name)(**args)


class _ThreadServer(uvicorn.Server):
    """uvicorn in a thread of the agent: the agent owns the signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class ApiServer:
    """The API on a socket we bind ourselves (port 0 works; an address in use fails at once, not in a thread)."""

    def __init__(self, api: KioskApi, host: str, port: int, *, certificate: Path, private_key: Path) -> None:
        self.api = api
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # accepted connections inherit it: without, each answer (headers, then body) waited for the kiosk's
        # delayed ACK — 40–50 ms a call, measured
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.socket.bind((host, port))
        self.port = int(self.socket.getsockname()[1])
        config = uvicorn.Config(api.app, ssl_certfile=str(certificate), ssl_keyfile=str(private_key),
                                ssl_version=ssl.PROTOCOL_TLS_SERVER, log_config=None, access_log=False,
                                lifespan="off", timeout_keep_alive=30, timeout_graceful_shutdown=2,
                                server_header=False)  # fmt: skip
        self.server = _ThreadServer(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]},
                                       name="kiosk-api", daemon=True)  # fmt: skip

    def start(self, timeout: float = 10.0) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise OSError("the kiosk API did not start")
            time.sleep(0.01)
        log.info("kiosk_api_started", port=self.port)

    def stop(self) -> None:
        """Stop taking calls; a kiosk's open keep-alive connection does not hold the agent for long."""
        self.server.should_exit = True
        self.thread.join(timeout=3)
        if self.thread.is_alive():
            self.server.force_exit = True
            self.thread.join(timeout=5)
        self.socket.close()
