"""受付票 on ESC/POS printers with kanji: Kanji mode (FS &) with Shift_JIS bytes, which python-escpos
alone cannot do. Builds the bytes; any transport (serial port, file, network socket) sends them."""

from __future__ import annotations

from datetime import datetime

ESC, GS, FS = b"\x1b", b"\x1d", b"\x1c"
INIT = ESC + b"@"
KANJI_ON, KANJI_OFF = FS + b"&", FS + b"."
CENTER, LEFT = ESC + b"a\x01", ESC + b"a\x00"
CUT = GS + b"V\x42\x00"


def _text(value: str) -> bytes:
    """Kanji mode around Shift_JIS (cp932) text; characters outside cp932 become 〓."""
    encoded = b"".join(_cp932(ch) for ch in value)
    return KANJI_ON + encoded + KANJI_OFF


def _cp932(ch: str) -> bytes:
    try:
        return ch.encode("cp932")
    except UnicodeEncodeError:
        return "〓".encode("cp932")


def _size(width: int, height: int) -> bytes:
    return GS + b"!" + bytes([((width - 1) << 4) | (height - 1)])


def _qr(data: str) -> bytes:
    payload = data.encode("ascii")
    store = len(payload) + 3
    return (GS + b"(k\x04\x00\x31\x41\x32\x00" + GS + b"(k\x03\x00\x31\x43\x06"
            + GS + b"(k" + bytes([store & 0xFF, store >> 8]) + b"\x31\x50\x30" + payload
            + GS + b"(k\x03\x00\x31\x51\x30")  # fmt: skip


def reception_slip(
    clinic: str,
    number: int,
    when: datetime,
    department: str | None = None,
    name: str | None = None,
    qr: str | None = None,
    note: str | None = None,
) -> bytes:
    """The slip: clinic name, 受付番号 in large print, date/time, department, optional name, note and QR code."""
    out = INIT + CENTER + _text(clinic) + b"\n\n" + _text("受付番号") + b"\n"
    out += _size(4, 4) + str(number).encode("ascii") + _size(1, 1) + b"\n\n"
    out += _text(f"{when:%Y年%m月%d日 %H:%M}") + b"\n"
    if department:
        out += _text(department) + b"\n"
    if name:
        out += _text(f"{name} 様") + b"\n"
    if qr:
        out += _qr(qr) + b"\n"
    if note:
        out += _text(note) + b"\n"
    out += _text("お呼びするまでお待ちください") + b"\n" + LEFT + b"\n\n\n" + CUT
    return out
