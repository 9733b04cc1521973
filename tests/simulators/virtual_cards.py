"""Virtual cards speaking vpcd's socket protocol (2-byte big-endian length + payload; 1-byte payloads are
power on/off/reset/ATR requests). The card is the TCP client: connected = inserted, closed = removed.

`MyNumberCard` models the 券面事項入力補助AP as the research describes it: SELECT by AID/EF, a PIN
counter that persists across resets (3 tries, reset on success), VERIFY without data answering 63Cx,
69 83 when blocked, 69 82 before VERIFY, READ BINARY with offset, EF 0001 present (so a test can prove it is
never selected). Every APDU received is recorded.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

TEXT_AP = bytes.fromhex("D3921000310001010408")
VISUAL_AP = bytes.fromhex("D3921000310001010402")


def tlv(tag: bytes, value: bytes) -> bytes:
    length = len(value)
    if length < 0x80:
        encoded = bytes([length])
    elif length < 0x100:
        encoded = bytes([0x81, length])
    else:
        encoded = bytes([0x82]) + length.to_bytes(2, "big")
    return tag + encoded + value


def basic4(name: str, address: str, birthdate: str, sex: str) -> bytes:
    inner = (tlv(b"\xdf\x21", bytes(8)) + tlv(b"\xdf\x22", name.encode()) + tlv(b"\xdf\x23", address.encode())
             + tlv(b"\xdf\x24", birthdate.encode()) + tlv(b"\xdf\x25", sex.encode()))  # fmt: skip
    return tlv(b"\xff\x20", inner)


@dataclass
class MyNumberCard:
    pin: str = "1234"
    tries: int = 3
    name: str = "試験　太郎"
    address: str = "試験県試験市試験町１丁目２番３号"
    birthdate: str = "19800401"
    sex: str = "1"
    delay: float = 0.0
    pull_after: int | None = None  # the patient lifts the card after this many APDUs
    apdus: list[str] = field(default_factory=list)
    busy: float = 0.0  # seconds spent inside the card, so benchmarks can subtract it
    ATR = bytes.fromhex("3B8880018000000000000000")

    def __post_init__(self) -> None:
        self.files = {
            b"\x00\x01": bytes.fromhex("FF100C") + b"123456789012" + b"\xff\xff",  # never to be read
            b"\x00\x02": basic4(self.name, self.address, self.birthdate, self.sex),
            b"\x00\x03": bytes.fromhex("30030102FF"),
        }
        self.power_up()

    def power_up(self) -> None:
        self.df: bytes | None = None
        self.ef: bytes | None = None
        self.verified = False
        self.resets = getattr(self, "resets", -1) + 1  # the first power-up is the insertion

    def execute(self, command: bytes) -> bytes:
        self.apdus.append(command.hex().upper())
        if self.delay:
            time.sleep(self.delay)
        _cla, ins, p1, p2 = command[:4]
        if ins == 0xA4 and p1 == 0x04:
            aid = command[5 : 5 + command[4]]
            if aid in (TEXT_AP, VISUAL_AP):
                self.df, self.ef, self.verified = aid, None, False
                return b"\x90\x00"
            return b"\x6a\x82"
        if ins == 0xA4 and p1 == 0x02:
            ef = command[5:7]
            if self.df == TEXT_AP and (ef in self.files or ef in (b"\x00\x11", b"\x00\x14", b"\x00\x15")):
                self.ef = ef
                return b"\x90\x00"
            return b"\x6a\x82"
        if ins == 0x20:
            if self.ef != b"\x00\x11":
                return b"\x69\x86"
            if self.tries == 0:
                return b"\x69\x83"
            if len(command) == 4:
                return bytes([0x63, 0xC0 | self.tries])
            if command[5:] == self.pin.encode():
                self.tries, self.verified = 3, True
                return b"\x90\x00"
            self.tries -= 1
            return bytes([0x63, 0xC0 | self.tries])
        if ins == 0xB0:
            if self.ef not in self.files:
                return b"\x69\x86"
            if not self.verified:
                return b"\x69\x82"
            data = self.files[self.ef]
            offset = (p1 << 8) | p2
            length = command[4] or 256
            if offset >= len(data):
                return b"\x6b\x00"
            return data[offset : offset + length] + b"\x90\x00"
        return b"\x6d\x00"


@dataclass
class FelicaCard:
    idm: str = "012E4CD3A1B2C3D4"
    apdus: list[str] = field(default_factory=list)
    ATR = bytes.fromhex("3B8F8001804F0CA0000003060300030000000068")
    pull_after: int | None = None

    def power_up(self) -> None:
        return

    def execute(self, command: bytes) -> bytes:
        self.apdus.append(command.hex().upper())
        if command == bytes.fromhex("FFCA000000"):
            return bytes.fromhex(self.idm) + b"\x90\x00"
        return b"\x6a\x81"


class VirtualCard:
    """Insert (connect to vpcd) and remove (close) one card."""

    def __init__(self, card: MyNumberCard | FelicaCard, port: int, host: str = "127.0.0.1") -> None:
        self.card = card
        self.sock = socket.create_connection((host, port), timeout=5)
        self.sock.settimeout(None)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def remove(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()

    def _recv_exact(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                raise ConnectionError
            data += chunk
        return data

    def _send(self, payload: bytes) -> None:
        self.sock.sendall(struct.pack("!H", len(payload)) + payload)

    def _run(self) -> None:
        try:
            while True:
                (size,) = struct.unpack("!H", self._recv_exact(2))
                message = self._recv_exact(size) if size else b""
                if size == 1:
                    if message[0] in (1, 2):
                        self.card.power_up()
                    elif message[0] == 4:
                        self._send(self.card.ATR)
                    continue
                answer = self.card.execute(message)
                pull = self.card.pull_after
                if pull is not None and len(self.card.apdus) >= pull:
                    self.remove()  # lifted before answering
                    return
                self._send(answer)
        except (ConnectionError, OSError, struct.error):
            return


class DirectChannel:
    """The driver's Channel port straight onto a virtual card (no PC/SC), still through the allow-list."""

    def __init__(self, card: MyNumberCard | FelicaCard) -> None:
        self.card = card

    def transmit(self, command: bytes) -> tuple[bytes, int]:
        from drivers.pcsc import apdu

        apdu.check_allowed(command)
        answer = self.card.execute(command)
        return answer[:-2], int.from_bytes(answer[-2:], "big")

    def close(self) -> None:
        return
