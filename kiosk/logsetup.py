"""structlog setup: JSON lines to a rotating file, readable lines on the console, no personal data.

Redaction is by key: personal fields are replaced before any renderer sees them, and a patient
number becomes a keyed pseudonym so events about one patient can still be correlated.

Tracebacks are where personal data hides: a frame's local variables hold the identity being matched, and an
exception's text can quote it (SQLAlchemy puts the statement's parameters in its message). So an exception is
logged as its type, its stable code where it has one, and its frames (file, line, function) — never locals,
never the message. Uncaught exceptions in any thread go the same way instead of Python's default printout.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import logging.handlers
import os
import re
import secrets
import sys
import threading
import traceback
from collections.abc import MutableMapping
from pathlib import Path
from types import TracebackType
from typing import Any

import structlog

from kiosk.private_files import tighten

PII_KEYS = frozenset(
    {
        "name",
        "name_kana",
        "kana",
        "birthdate",
        "sex",
        "address",
        "postcode",
        "phone",
        "insurer_number",
        "insured_card_symbol",
        "insured_identification_number",
        "insured_branch_number",
        "reference_number",
        "pin",
        "password",
        "api_key",
        "my_number",
        "raw",
        "xml",
        "text",
        "identity",
        "details",
    }
)
PSEUDONYMISED_KEYS = frozenset({"patient_id"})
REDACTED = "***"

_log_key: bytes = secrets.token_bytes(32)


def _load_log_key(data_dir: Path) -> bytes:
    path = data_dir / "log-pseudonym.key"
    try:
        key = path.read_bytes()
        if len(key) == 32:
            return key
    except OSError:
        pass
    key = secrets.token_bytes(32)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
    except OSError:
        pass
    return key


def pseudonym(value: str) -> str:
    return hmac.new(_log_key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:12]


def redact_personal_data(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event.keys()):
        lowered = key.lower()
        if lowered in PII_KEYS or lowered.endswith(("_name", "_kana", "_birthdate", "_address")):
            event[key] = REDACTED
        elif lowered in PSEUDONYMISED_KEYS and event[key] is not None:
            event[f"{key.removesuffix('_id')}_ref"] = pseudonym(str(event.pop(key)))
    return event


_SAFE_CODE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_ROOT = Path(__file__).resolve().parents[1]
MAX_FRAMES = 30


def _where(filename: str) -> str:
    """A frame's file without the machine's folders (site-packages/… or the project's own path)."""
    path = Path(filename)
    try:
        return path.resolve().relative_to(_ROOT).as_posix()
    except (ValueError, OSError):
        parts = path.parts
        for anchor in ("site-packages", "dist-packages", "lib"):
            if anchor in parts:
                return "/".join(parts[parts.index(anchor) + 1 :])
        return path.name


def describe_exception(exc: BaseException) -> list[dict[str, Any]]:
    """The exception and its causes as type, code and frames: what staff and support need, nothing a patient
    could be recognised by."""
    chain: list[dict[str, Any]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(chain) < 5:
        seen.add(id(current))
        frames = traceback.extract_tb(current.__traceback__)[-MAX_FRAMES:]
        item: dict[str, Any] = {
            "type": f"{type(current).__module__}.{type(current).__qualname__}",
            "frames": [f"{_where(f.filename)}:{f.lineno} in {f.name}" for f in frames],
        }
        code = getattr(current, "code", None)
        if isinstance(code, str) and _SAFE_CODE.match(code):
            item["code"] = code
        chain.append(item)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return chain


def _exception_of(exc_info: Any) -> BaseException | None:
    if isinstance(exc_info, BaseException):
        return exc_info
    if isinstance(exc_info, tuple) and len(exc_info) == 3 and isinstance(exc_info[1], BaseException):
        return exc_info[1]
    if exc_info is True:
        return sys.exc_info()[1]
    return None


def safe_tracebacks(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Replaces exc_info by `failure`: describe_exception(), no locals, no message."""
    exc = _exception_of(event.pop("exc_info", None))
    event.pop("stack", None)
    if exc is not None:
        chain = describe_exception(exc)
        event["failure"] = chain
    return event


def console_failure(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """On the console the failure is one short line: the types and the innermost frame."""
    chain = event.get("failure")
    if isinstance(chain, list):
        event["failure"] = " ← ".join(
            f"{item['type'].rsplit('.', 1)[-1]}{'(' + item['code'] + ')' if 'code' in item else ''}"
            f"{' at ' + item['frames'][-1] if item['frames'] else ''}"
            for item in chain
        )
    return event


def _log_uncaught(kind: str, exc: BaseException | None) -> None:
    if exc is None or isinstance(exc, (KeyboardInterrupt, SystemExit)):
        return
    structlog.get_logger("uketsuke").error("uncaught_exception", where=kind, error=type(exc).__name__,
                                           exc_info=exc)  # fmt: skip


def _sys_hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    if isinstance(value, KeyboardInterrupt):
        sys.__excepthook__(kind, value, tb)
        return
    _log_uncaught("main", value)
    print(f"エラー: 内部エラーが発生しました（ログを確認してください） / Error: internal error ({kind.__name__}); "
          "see the log", file=sys.stderr)  # fmt: skip


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    _log_uncaught(f"thread {args.thread.name if args.thread else '?'}", args.exc_value)


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Every log file, the rotated ones too, readable by the service account only (0600 on Linux)."""

    def _open(self) -> Any:
        stream = super()._open()
        tighten(Path(self.baseFilename), folder=False)
        return stream


_SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    redact_personal_data,
]


def configure_logging(
    *,
    process: str,
    log_dir: Path | None,
    data_dir: Path | None,
    level: str = "INFO",
    console: bool = True,
    max_bytes: int = 10 * 1024 * 1024,
    backups: int = 20,
) -> Path | None:
    """Configure once per process; returns the JSON log file path (None if it could not be opened)."""
    global _log_key
    if data_dir is not None:
        _log_key = _load_log_key(data_dir)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)
    log_path: Path | None = None
    if log_dir is not None:
        try:
            log_dir.mkdir(parents=True, exist_ok=True)
            tighten(log_dir, folder=True)
            for old in log_dir.glob("*.jsonl*"):
                tighten(old, folder=False)
            log_path = log_dir / f"{process}.jsonl"
            file_handler = PrivateRotatingFileHandler(
                log_path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
            )
            file_handler.setFormatter(
                structlog.stdlib.ProcessorFormatter(
                    foreign_pre_chain=_SHARED_PROCESSORS,
                    processors=[
                        structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                        safe_tracebacks,
                        structlog.processors.JSONRenderer(ensure_ascii=False),
                    ],
                )
            )
            root.addHandler(file_handler)
        except OSError:
            log_path = None
    if console:
        console_handler = logging.StreamHandler(sys.stderr)
        console_handler.setLevel(max(logging.getLevelName(level), logging.INFO))
        console_handler.setFormatter(
            structlog.stdlib.ProcessorFormatter(
                foreign_pre_chain=_SHARED_PROCESSORS,
                processors=[
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    safe_tracebacks,
                    console_failure,
                    structlog.dev.ConsoleRenderer(colors=False),
                ],
            )
        )
        root.addHandler(console_handler)
    # Libraries that could echo SQL parameters or file contents stay quiet whatever our level.
    for noisy in ("sqlalchemy", "alembic", "watchdog", "asyncio", "PIL"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # a handler that fails must not print the record (and its exception) to stderr as "--- Logging error ---"
    logging.raiseExceptions = False
    sys.excepthook = _sys_hook
    threading.excepthook = _thread_hook
    structlog.configure(
        processors=[*_SHARED_PROCESSORS, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    return log_path


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
