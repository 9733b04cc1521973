"""Reading the マイナンバーカード's 基本4情報 (券面事項入力補助AP) — never the 個人番号.

Flow: SELECT the AP → SELECT the PIN EF → VERIFY without data (tries left, no try used) → refuse at
one try left → ask for the PIN → VERIFY → SELECT EF 0002 → READ BINARY until the TLV is complete.
One exclusive connection covers the whole flow; the PIN is dropped as soon as it is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from drivers.pcsc import apdu
from drivers.pcsc.ber import BerError, children, header_size, read_tlv
from drivers.pcsc.errors import CardError, NotMyNumberCard, OneTryLeft, PinLocked, UnknownTries, WrongPin
from drivers.pcsc.transport import Channel

SW_OK = 0x9000
NOT_FOUND = {0x6A82, 0x6A81, 0x6A86, 0x6D00, 0x6E00}


@dataclass(frozen=True)
class Basic4:
    name: str
    address: str
    birthdate: str  # YYYYMMDD as on the card
    sex: str  # ISO 5218: 1 男, 2 女, 9 適用不能


def pin_tries(channel: Channel) -> int:
    """Select the AP and the PIN EF, then ask for the counter without spending a try."""
    _expect(channel, apdu.SELECT_TEXT_AP, not_found=NotMyNumberCard)
    _expect(channel, apdu.SELECT_PIN_EF, not_found=NotMyNumberCard)
    _data, sw = apdu.send(channel, apdu.VERIFY_STATUS)
    if sw & 0xFFF0 == 0x63C0:
        return sw & 0x0F
    if sw == 0x6983:
        return 0
    if sw == SW_OK:
        # "already verified" gives no counter: with the tries unknown we never present a PIN
        raise UnknownTries("VERIFY status 9000")
    raise NotMyNumberCard(f"{sw:04X}")


def read_basic4(channel: Channel, ask_pin: Callable[[int], str | None]) -> Basic4 | None:
    """Basic-4 of the card on `channel`; None when the patient cancels the PIN entry."""
    tries = pin_tries(channel)
    if tries == 0:
        raise PinLocked()
    if tries == 1:
        raise OneTryLeft()
    pin = ask_pin(tries)
    if pin is None:
        return None
    command = apdu.verify(pin)
    del pin
    _data, sw = apdu.send(channel, command)
    del command
    if sw & 0xFFF0 == 0x63C0:
        left = sw & 0x0F
        raise PinLocked() if left == 0 else WrongPin(left)
    if sw == 0x6983:
        raise PinLocked()
    if sw != SW_OK:
        raise CardError(f"VERIFY {sw:04X}")
    _expect(channel, apdu.SELECT_BASIC4_EF, not_found=NotMyNumberCard)
    return parse_basic4(_read_tlv_file(channel))


def _expect(channel: Channel, command: bytes, *, not_found: type[CardError]) -> None:
    _data, sw = apdu.send(channel, command)
    if sw in NOT_FOUND:
        raise not_found(f"{sw:04X}")
    if sw != SW_OK:
        raise CardError(f"{command[:2].hex()} {sw:04X}")


def _read_tlv_file(channel: Channel) -> bytes:
    head = _read(channel, 0, 7)
    try:
        _header, total = header_size(head)
    except BerError:
        raise CardError("unreadable basic-4 header") from None
    content = bytearray(head[:total])
    while len(content) < total:
        chunk = _read(channel, len(content), min(0xFF, total - len(content)))
        if not chunk:
            raise CardError("basic-4 shorter than announced")
        content += chunk
    return bytes(content)


def _read(channel: Channel, offset: int, length: int) -> bytes:
    data, sw = apdu.send(channel, apdu.read_binary(offset, length))
    if sw == 0x6982:
        raise CardError("READ BINARY before VERIFY")
    if sw & 0xFF00 == 0x6C00:  # wrong Le: the card says how much it has
        length = sw & 0xFF or 0x100
        if length > 0xFF:
            raise CardError("READ BINARY asks for a long read")
        data, sw = apdu.send(channel, apdu.read_binary(offset, length))
    if sw not in (SW_OK, 0x6282):
        raise CardError(f"READ BINARY {sw:04X}")
    if len(data) > length:
        raise CardError(f"READ BINARY returned {len(data)} bytes for {length}")  # a card that overflows is broken
    return data


def parse_basic4(raw: bytes) -> Basic4:
    try:
        tag, value, _end = read_tlv(raw)
        if tag != 0xFF20:
            raise CardError(f"unexpected basic-4 tag {tag:X}")
        fields = children(value)
        return Basic4(
            name=fields[0xDF22].decode("utf-8"),
            address=fields[0xDF23].decode("utf-8"),
            birthdate=fields[0xDF24].decode("ascii"),
            sex=fields[0xDF25].decode("ascii"),
        )
    except (BerError, KeyError, UnicodeDecodeError) as exc:
        raise CardError(f"basic-4 not readable ({type(exc).__name__})") from None
