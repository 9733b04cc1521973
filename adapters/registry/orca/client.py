"""A small ORCA API client: paths with or without `/api`, Basic auth, optional client certificate,
both wire formats, and Api_Result read the way ORCA means it.

- `00` success; `K1`–`K3` (acceptmodv2) are warnings *with* success; `K0` (patientmodv2) too.
- `16` (acceptmodv2) is "already received": the caller treats it as a duplicate, not an error.
- `20`/`21` mean "no data" for the list APIs: an empty answer, not a failure.
- `90` is "他端末使用中" (record locked): retried a few times with backoff, then a clear error for staff.
- HTTP 401 (wrong password) and 404 (an API user that is not an ORCA 職員) are explained in Japanese.
"""

from __future__ import annotations

import base64
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from adapters.registry.orca.wire import WireError, WireFormat, decode, encode
from kiosk.core.registry import RegistryError

SUCCESS_CODES = frozenset({"00", "000", "0000", "K0", "K1", "K2", "K3"})
EMPTY_CODES = frozenset({"20", "21"})
LOCKED = "90"


@dataclass(frozen=True)
class OrcaAnswer:
    record: str
    api_result: str
    message: str
    data: dict[str, Any]

    @property
    def ok(self) -> bool:
        return self.api_result in SUCCESS_CODES

    @property
    def empty(self) -> bool:
        return self.api_result in EMPTY_CODES


@dataclass(frozen=True)
class OrcaSettings:
    base_url: str
    user: str
    password: str
    path_prefix: str = ""
    wire_format: WireFormat = "json"
    timeout: float = 10.0
    client_cert: str | None = None  # PEM certificate (WebORCA cloud); convert a .p12 with openssl
    client_key: str | None = None
    ca_file: str | None = None
    lock_retries: int = 3
    lock_backoff: float = 0.5


class OrcaClient:
    def __init__(self, settings: OrcaSettings) -> None:
        self.settings = settings
        token = base64.b64encode(f"{settings.user}:{settings.password}".encode()).decode("ascii")
        self._auth = f"Basic {token}"
        self._context: ssl.SSLContext | None = None
        if settings.base_url.startswith("https"):
            self._context = ssl.create_default_context(cafile=settings.ca_file)
            if settings.client_cert:
                self._context.load_cert_chain(settings.client_cert, settings.client_key)

    def get(self, path: str, params: dict[str, str]) -> OrcaAnswer:
        return self._call("GET", path, params, None, None)

    def post(self, path: str, record: str, data: dict[str, Any], params: dict[str, str] | None = None) -> OrcaAnswer:
        return self._call("POST", path, params or {}, record, data)

    def _call(
        self, method: str, path: str, params: dict[str, str], record: str | None, data: dict[str, Any] | None
    ) -> OrcaAnswer:
        for attempt in range(self.settings.lock_retries + 1):
            answer = self._once(method, path, params, record, data)
            if answer.api_result != LOCKED:
                return answer
            if attempt < self.settings.lock_retries:
                time.sleep(self.settings.lock_backoff * (2**attempt))
        raise RegistryError(
            "orca_locked",
            "レセコンで他の端末がこの患者を使用中です。しばらくしてから窓口で受付してください",
            "the patient is open on another ORCA terminal (Api_Result 90) after retries",
        )

    def _once(
        self, method: str, path: str, params: dict[str, str], record: str | None, data: dict[str, Any] | None
    ) -> OrcaAnswer:
        query = dict(params)
        if self.settings.wire_format == "json":
            query["format"] = "json"
        url = f"{self.settings.base_url.rstrip('/')}{self.settings.path_prefix}{path}"
        if query:
            url += "?" + "&".join(f"{k}={urllib.parse.quote(v)}" for k, v in query.items())
        body, content_type = (None, None)
        if record is not None and data is not None:
            body, content_type = encode(record, data, self.settings.wire_format)
        request = urllib.request.Request(url, data=body, method=method)
        request.add_header("Authorization", self._auth)
        if content_type:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout, context=self._context) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise _http_error(exc.code) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            raise RegistryError(
                "orca_unreachable",
                "レセコン（ORCA）に接続できません",
                f"cannot reach ORCA ({type(getattr(exc, 'reason', exc)).__name__})",
            ) from None
        try:
            name, content = decode(raw, self.settings.wire_format)
        except WireError as exc:
            raise RegistryError("orca_malformed", "レセコンの応答を読めません", str(exc)) from None
        return OrcaAnswer(
            record=name,
            api_result=str(content.get("Api_Result", "")),
            message=str(content.get("Api_Result_Message", "")),
            data=content,
        )


_HTTP_MESSAGES = {
    401: ("ORCA の API ユーザー名またはパスワードが違います", "ORCA rejected the API user or password (HTTP 401)"),
    404: (
        "APIユーザーがORCAの職員として登録されていません（システム管理 1010）か、APIのパスが違います（/api の有無）",
        "the API user is not registered as an ORCA staff member (1010), or the API path is wrong (HTTP 404)",
    ),
    405: (
        "この ORCA ではこの API が許可されていません（WebORCA のルート設定）",
        "this ORCA does not allow the API (WebORCA route settings, HTTP 405)",
    ),
}


def _http_error(status: int) -> RegistryError:
    ja, en = _HTTP_MESSAGES.get(status, (f"ORCA がエラーを返しました（HTTP {status}）", f"ORCA answered HTTP {status}"))
    return RegistryError(f"orca_http_{status}", ja, en)
