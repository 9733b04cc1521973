"""The ORCA client against answers written the way ORCA's API pages document them (tests/fixtures/orca/
documented_bodies.json, our own reconstructions; see its _about), served over loopback — not by our double, so a
double that is kinder than ORCA cannot hide a mistake (issue 22)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

import pytest

from adapters.registry.orca.client import OrcaClient, OrcaSettings
from adapters.registry.orca.registry import OrcaRegistry
from adapters.registry.sql_registry import SqlRegistry
from kiosk.bootstrap import Store
from kiosk.core.registry import NewPatient
from tests.conftest import FIXTURES

BODIES: dict[str, dict[str, Any]] = {
    k: v for k, v in json.loads((FIXTURES / "orca" / "documented_bodies.json").read_text(encoding="utf-8")).items()
    if not k.startswith("_")
}
DAY = date(2026, 12, 2)


class Documented(BaseHTTPRequestHandler):
    asked: ClassVar[list[tuple[str, str, str]]] = []

    def _answer(self, request: dict[str, Any]) -> None:
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        path = url.path
        kind = query.get("class", "")
        department = next(iter(request.values()), {}).get("Department_Code", "") if request else ""
        type(self).asked.append((path, kind, department))
        body = next((b["body"] for b in BODIES.values() if b["path"] == path and b["class"] in (kind, "")
                     and b["department"] == department), None)  # fmt: skip
        raw = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self) -> None:
        self._answer({})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._answer(json.loads(self.rfile.read(length) or b"{}"))

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def orca(store: Store) -> Iterator[OrcaRegistry]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Documented)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Documented.asked = []
    client = OrcaClient(OrcaSettings(f"http://127.0.0.1:{server.server_address[1]}", "ormaster", "ormaster"))
    yield OrcaRegistry(client, SqlRegistry(store.sessions), physician_code="10001")
    server.shutdown()
    server.server_close()


def test_500_plus_is_narrowed_by_department_not_read_as_empty(orca: OrcaRegistry) -> None:
    listed = orca.list_receptions(DAY)
    assert [(r.number, r.department, r.patient_id) for r in listed] == [(1, "01", "00012"), (3, "01", "00012")]
    assert [(a[1], a[2]) for a in Documented.asked if a[0].endswith("acceptlstv2")] == [
        ("03", ""), ("03", "01"), ("03", "02")]  # fmt: skip


def test_an_unpadded_number_and_combinations(orca: OrcaRegistry) -> None:
    record = orca.get_patient("12")  # a 診察券 printed without the zeros
    assert record is not None and record.patient_id == "00012"
    assert len(record.insurances) == 1  # two 保険組合せ (alone, with 難病) over one insurance, 28 padding slots


def test_a_registration_answered_with_k4_is_a_registration(orca: OrcaRegistry) -> None:
    created = orca.create_patient(NewPatient("試験 太郎", "シケン タロウ", date(1980, 4, 1), "1"))
    assert created.patient_id == "00012" and created.notices == ("K4 警告（試験用の文言）",)
