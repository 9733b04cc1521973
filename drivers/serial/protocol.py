"""The reference 再来受付機 protocol (drivers/serial/PROTOCOL.md): `|`-separated text fields in cp932
frames. Every device request carries the device's sequence number, the idempotency key of its request."""

from __future__ import annotations

import re
from dataclasses import dataclass

SEPARATOR = "|"


@dataclass(frozen=True)
class Message:
    kind: str  # CARD STAT ERR (device → host); RECV MADO PRINT PING (host → device)
    seq: str
    fields: tuple[str, ...] = ()

    def encode(self, encoding: str = "cp932") -> bytes:
        parts = [self.kind, self.seq, *self.fields]
        if any(SEPARATOR in part for part in parts):
            raise ValueError("a field contains the separator")
        return SEPARATOR.join(parts).encode(encoding)


class ProtocolError(ValueError):
    pass


def decode(text: bytes, encoding: str = "cp932") -> Message:
    try:
        parts = text.decode(encoding).split(SEPARATOR)
    except UnicodeDecodeError:
        raise ProtocolError("not cp932 text") from None
    if len(parts) < 2 or not parts[0].isalpha() or not parts[1]:
        raise ProtocolError("kind and sequence number expected")
    return Message(parts[0].upper(), parts[1], tuple(parts[2:]))


# Reasons sent with MADO (please go to the counter)
MADO_UNKNOWN_CARD = "E01"  # the card is not registered
MADO_REGISTRY = "E02"  # the reception could not be registered
MADO_BAD_CARD = "E03"  # the card data could not be read
MADO_APPOINTMENT_TIME = "E04"  # a 予約 today, but too early or too late for the device to check in against
MADO_SEVERAL = "E05"  # several 予約 today: the device cannot ask which


def card_number(raw: str, pattern: re.Pattern[str], *, strip_leading_zeros: bool = False) -> str | None:
    """The 診察券番号 in the raw card data, by the clinic's rule (the pattern's first group)."""
    found = pattern.search(raw)
    if found is None:
        return None
    number = found.group(1) if found.groups() else found.group(0)
    return (number.lstrip("0") or "0") if strip_leading_zeros else number
