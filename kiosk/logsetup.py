"""structlog setup: JSON lines to a rotating file, readable lines on the console, no personal data.

Redaction is by key: personal fields are replaced before any renderer sees them, and a patient
number becomes a keyed pseudonym so events about one patient can still be correlated.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import logging.handlers
import os
import secrets
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import structlog

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
            log_path = log_dir / f"{process}.jsonl"
            file_handler = logging.handlers.RotatingFileHandler(
                log_path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
            )
            file_handler.setFormatter(
                structlog.stdlib.ProcessorFormatter(
                    foreign_pre_chain=_SHARED_PROCESSORS,
                    processors=[
                        structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                        structlog.processors.dict_tracebacks,
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
                    structlog.dev.ConsoleRenderer(colors=False, exception_formatter=structlog.dev.plain_traceback),
                ],
            )
        )
        root.addHandler(console_handler)
    # Libraries that could echo SQL parameters or file contents stay quiet whatever our level.
    for noisy in ("sqlalchemy", "alembic", "watchdog", "asyncio", "PIL"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    structlog.configure(
        processors=[*_SHARED_PROCESSORS, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    return log_path


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
