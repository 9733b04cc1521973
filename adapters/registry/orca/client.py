"""A small ORCA API client: paths with or without `/api`, Basic auth, optional client certificate,
both wire formats, and Api_Result read the way ORCA means it.

- `00` success; `K1`–`K3` (acceptmodv2) are warnings *with* success; `K0` (patientmodv2) too.
- `16` (acceptmodv2) is "already received": the caller treats it as a duplicate, not an error.
- `20`/`21` mean "no data" for the list APIs: an empty answer, not a failure.
- `90` is "他端末使用中" (record locked): retried a few times with backoff, then a clear error for staff.
- HTTP 401 (wrong password) and 404 (an API user that is not an ORCA 職員) are explained in Japanese.
- A redirect is never followed: urllib would resend the Basic-auth header to wherever it points. The answer is
  read up to `max_response_bytes`; anything longer is refused rather than held in memory.
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
    max_response_bytes: int = 32 * 1024 * 1024  # a day's acceptlstv2 of 500 receptions is well under 1 MB


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse every redirect: the caller gets the 3xx as an error instead of a request carrying our password."""

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> urllib.request.Request | None:  # fmt: skip
        return None


def is_plain_http_off_host(base_url: str) -> bool:
    """http:// to another machine: the password and patient data cross the LAN unencrypted."""
    parsed = urllib.parse.urlsplit(base_url)
    return parsed.scheme == "http" and (parsed.hostname or "") not in ("localhost", "127.0.0.1", "::1")


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
        handlers: list[urllib.request.BaseHandler] = [_NoRedirect()]
        if self._context is not None:
            handlers.append(urllib.request.HTTPSHandler(context=self._context))
        self._opener = urllib.request.build_opener(*handlers)

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
            with self._opener.open(request, timeout=self.settings.timeout) as response:
                raw = response.read(self.settings.max_response_bytes + 1)
        except urllib.error.HTTPError as exc:
            raise _http_error(exc.code) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            raise RegistryError(
                "orca_unreachable",
                "レセコン（ORCA）に接続できません",
                f"cannot reach ORCA ({type(getattr(exc, 'reason', exc)).__name__})",
            ) from None
        if len(raw) > self.settings.max_response_bytes:
            raise RegistryError(
                "orca_too_large",
                "レセコンの応答が大きすぎるため読みませんでした（設定の URL が ORCA を指しているか確認してください）",
                f"the ORCA answer exceeded {self.settings.max_response_bytes} bytes and was not read",
            )
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
    if 300 <= status < 400:
        return RegistryError(
            f"orca_http_{status}",
            "ORCA の URL が別の場所へ転送されました。転送には従いません（パスワードを送らないため）。"
            "設定の base_url を正しい URL（https:// など）に直してください",
            f"ORCA redirected (HTTP {status}); redirects are not followed so the password is never resent — "
            "set base_url to the final URL",
        )
    ja, en = _HTTP_MESSAGES.get(status, (f"ORCA がエラーを返しました（HTTP {status}）", f"ORCA answered HTTP {status}"))
    return RegistryError(f"orca_http_{status}", ja, en)
