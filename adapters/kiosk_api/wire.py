"""The KioskDesk port as JSON: one POST per method, arguments and results as plain objects.

Both ends use the same table, so a method the server does not offer cannot be called by the client, and a
method's argument types are checked before the desk sees them.
"""

from __future__ import annotations

import dataclasses
import types
from datetime import date, datetime
from enum import Enum
from typing import Any, Union, get_args, get_origin, get_type_hints

from kiosk.core.face import Identity
from kiosk.core.kiosk_ports import CheckIn, FaceResult, Link, PatientLabel, Ticket
from kiosk.core.registry import Department

API_PREFIX = "/v1/"
MAX_BODY = 64 * 1024  # a kiosk's calls are a few hundred bytes


class WireError(ValueError):
    """A body that does not have the shape the method needs."""


def to_json(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {key: to_json(v) for key, v in value.items()}
    return value


def from_json(kind: Any, data: Any) -> Any:
    """`data` as `kind` (a dataclass, an enum, a date, a list of them, Optional…), or WireError."""
    origin = get_origin(kind)
    if origin in (Union, types.UnionType):
        options = get_args(kind)
        if data is None and type(None) in options:
            return None
        for option in options:
            if option is not type(None):
                return from_json(option, data)
    if origin is list:
        if not isinstance(data, list):
            raise WireError("list expected")
        return [from_json(get_args(kind)[0], item) for item in data]
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        if not isinstance(data, dict):
            raise WireError(f"{kind.__name__}: object expected")
        hints = get_type_hints(kind)
        known = {f.name for f in dataclasses.fields(kind)}
        if set(data) - known:
            raise WireError(f"{kind.__name__}: unknown fields")
        return kind(**{name: from_json(hints[name], value) for name, value in data.items()})
    if kind is datetime:
        return _parsed(datetime.fromisoformat, data)
    if kind is date:
        return _parsed(date.fromisoformat, data)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return _parsed(kind, data)
    if kind is bool:
        if not isinstance(data, bool):
            raise WireError("boolean expected")
        return data
    if kind in (int, str):
        if not isinstance(data, kind) or isinstance(data, bool):
            raise WireError(f"{kind.__name__} expected")
        if kind is str and len(data) > 512:
            raise WireError("text too long")
        return data
    raise WireError(f"unsupported type {kind!r}")  # pragma: no cover - a table mistake


def _parsed(parse: Any, data: Any) -> Any:
    if not isinstance(data, str):
        raise WireError("text expected")
    try:
        return parse(data)
    except ValueError:
        raise WireError("bad value") from None


@dataclasses.dataclass(frozen=True)
class Method:
    """One port method: its named arguments' types and its result type."""

    args: dict[str, Any]
    result: Any


OptInt, OptStr, OptDate = int | None, str | None, date | None
METHODS: dict[str, Method] = {
    "healthy": Method({}, bool),
    "face_results": Method({"since": datetime, "until": datetime, "birthdate": OptDate}, list[FaceResult]),
    "claim": Method({"face_file_id": int, "session_id": str}, bool),
    "claimed_result": Method({"face_file_id": int, "session_id": str}, FaceResult | None),
    "release": Method({"face_file_id": int, "session_id": str}, None),
    "confirm": Method({"face_file_id": int, "session_id": str}, Link),
    "link_state": Method({"face_file_id": int}, Link),
    "patient_for_card": Method({"card_id": str}, PatientLabel | None),
    "patient_for_identity": Method({"identity": Identity}, PatientLabel | None),
    "label": Method({"patient_id": str}, PatientLabel | None),
    "face_result_of": Method({"patient_id": str, "since": datetime, "until": datetime}, FaceResult | None),
    "link_face_result": Method({"face_file_id": int, "patient_id": str, "session_id": str}, bool),
    "departments": Method({}, list[Department]),
    "already_received": Method({"patient_id": str, "face_file_id": OptInt}, Ticket | None),
    "check_in": Method({"patient_id": str}, CheckIn),
    "register": Method({"patient_id": str, "department": Department | None, "key": str, "face_file_id": OptInt,
                        "appointment_id": OptStr}, Ticket),
    "counter_number": Method({}, int),
    "alert": Method({"code": str, "session_id": str, "face_file_id": OptInt, "patient_id": OptStr}, int),
    "alert_open": Method({"alert_id": int}, bool),
    "session_ended": Method({"session_id": str, "received": bool}, None),
}  # fmt: skip


def decode_args(name: str, body: Any) -> dict[str, Any]:
    method = METHODS[name]
    if not isinstance(body, dict) or set(body) - set(method.args):
        raise WireError("unexpected arguments")
    return {arg: from_json(kind, body.get(arg)) for arg, kind in method.args.items()}


def decode_result(name: str, data: Any) -> Any:
    kind = METHODS[name].result
    return None if kind is None else from_json(kind, data)
