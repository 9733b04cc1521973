"""The only APDUs this project may send to a card — an allow-list checked on every transmit.

The 券面事項入力補助AP's EF 0001 (個人番号) and EF 0003 (its digest), PIN A (EF 0014) and the
券面事項確認AP (which holds a My Number image) are unreachable: no command to them can be built
here, and the channel refuses anything not listed (research hardware.md §1.2, §1.6).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from drivers.pcsc.errors import ForbiddenApdu

if TYPE_CHECKING:
    from drivers.pcsc.transport import Channel

TEXT_AP_AID = bytes.fromhex("D3921000310001010408")  # 券面事項入力補助AP
SELECT_TEXT_AP = bytes.fromhex("00A4040C0A") + TEXT_AP_AID
SELECT_PIN_EF = bytes.fromhex("00A4020C020011")  # 券面事項入力補助用暗証番号
SELECT_BASIC4_EF = bytes.fromhex("00A4020C020002")  # 基本4情報
VERIFY_STATUS = bytes.fromhex("00200080")  # no data: answers 63Cx without using a try
GET_UID = bytes.fromhex("FFCA000000")  # PC/SC part 3: FeliCa IDm / MIFARE UID

_FIXED = {SELECT_TEXT_AP, SELECT_PIN_EF, SELECT_BASIC4_EF, VERIFY_STATUS, GET_UID}


def verify(pin: str) -> bytes:
    if not (pin.isascii() and pin.isdigit() and len(pin) == 4):
        raise ValueError("the 券面事項入力補助用暗証番号 is 4 digits")
    return bytes.fromhex("0020008004") + pin.encode("ascii")


def read_binary(offset: int, length: int) -> bytes:
    if not (0 <= offset <= 0x7FFF and 1 <= length <= 0xFF):
        raise ValueError("short READ BINARY only")
    return bytes([0x00, 0xB0, offset >> 8, offset & 0xFF, length])


def check_allowed(apdu: bytes) -> None:
    """Raise ForbiddenApdu for anything but the listed commands."""
    if apdu in _FIXED:
        return
    if len(apdu) == 9 and apdu[:5] == bytes.fromhex("0020008004") and apdu[5:].isdigit():
        return
    if len(apdu) == 5 and apdu[:2] == b"\x00\xb0" and not apdu[2] & 0x80:
        return  # READ BINARY of the current EF, by offset (no short-EF-id form)
    raise ForbiddenApdu(apdu[:4].hex())


def loggable(apdu: bytes) -> str:
    """Hex for logs with any VERIFY data masked: the PIN never reaches a log line."""
    if apdu[1:2] in (b"\x20", b"\x24") and len(apdu) > 5:
        return apdu[:5].hex() + "**" * (len(apdu) - 5)
    return apdu.hex()


def send(channel: Channel, command: bytes) -> tuple[bytes, int]:
    """Every protocol step goes through here: the allow-list holds whatever Channel implementation is behind it."""
    check_allowed(command)
    return channel.transmit(command)
