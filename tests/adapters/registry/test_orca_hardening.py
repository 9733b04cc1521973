"""The ORCA client never sends its password where a redirect points, refuses an answer larger than its cap, and
`doctor` warns about plain http:// to another machine (issue 19). Real HTTP servers on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from adapters.registry.orca.client import OrcaClient, OrcaSettings, is_plain_http_off_host
from kiosk.core.registry import RegistryError


class Recorder(BaseHTTPRequestHandler):
    """Answers 200 with a body of `size` bytes and remembers every Authorization header it was sent."""

    seen: ClassVar[list[str | None]] = []
    size = 0

    def do_GET(self) -> None:
        type(self).seen.append(self.headers.get("Authorization"))
        body = b'{"patientinfores":{"Api_Result":"00","Pad":"' + b"x" * self.size + b'"}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return None


def serve(handler: type[BaseHTTPRequestHandler]) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def elsewhere() -> Iterator[tuple[type[Recorder], str]]:
    class Elsewhere(Recorder):
        seen: ClassVar[list[str | None]] = []

    server, url = serve(Elsewhere)
    yield Elsewhere, url
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_refused_and_the_password_never_leaves(elsewhere: tuple[type[Recorder], str],
                                                              status: int) -> None:  # fmt: skip
    recorder, target = elsewhere

    class Redirecting(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status)
            self.send_header("Location", f"{target}/api01rv2/patientgetv2?id=1001")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return None

    server, url = serve(Redirecting)
    try:
        client = OrcaClient(OrcaSettings(url, "ormaster", "secret-password", timeout=2))
        with pytest.raises(RegistryError) as caught:
            client.get("/api01rv2/patientgetv2", {"id": "1001"})
        assert caught.value.code == f"orca_http_{status}" and "転送" in caught.value.ja
        assert recorder.seen == []  # the redirect target was never contacted, so it never saw the credentials
    finally:
        server.shutdown()
        server.server_close()


def test_an_answer_over_the_cap_is_refused(elsewhere: tuple[type[Recorder], str]) -> None:
    recorder, url = elsewhere
    recorder.size = 5000
    capped = OrcaClient(OrcaSettings(url, "ormaster", "ormaster", timeout=2, max_response_bytes=4096))
    with pytest.raises(RegistryError) as caught:
        capped.get("/api01rv2/patientgetv2", {"id": "1001"})
    assert caught.value.code == "orca_too_large"
    roomy = OrcaClient(OrcaSettings(url, "ormaster", "ormaster", timeout=2, max_response_bytes=8192))
    assert roomy.get("/api01rv2/patientgetv2", {"id": "1001"}).ok  # the same answer under a larger cap is read


@pytest.mark.parametrize(("url", "warn"), [
    ("http://orca-server:8000", True), ("http://192.0.2.5", True), ("https://orca-server:8000", False),
    ("http://localhost:8000", False), ("http://127.0.0.1:8000", False), ("http://[::1]:8000", False),
])  # fmt: skip
def test_plain_http_to_another_machine_is_flagged(url: str, warn: bool) -> None:
    assert is_plain_http_off_host(url) is warn
