"""A simulated 再来受付機 (for the demo and the tests) speaking the reference protocol on a serial port, with
misbehaviour on demand: noise, a corrupted first transmission, late answers, dropped ACKs, and going silent."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import serial

from drivers.serial.framing import ACK, NAK, Frame, FrameParser, FramingConfig, encode


@dataclass
class Faults:
    noise_before: bytes = b""
    corrupt_first: bool = False
    drop_acks: int = 0  # how many of the host's frames to leave unacknowledged
    silent: bool = False
    answer_delay: float = 0.0


@dataclass
class Device:
    path: str
    config: FramingConfig = field(default_factory=FramingConfig)
    faults: Faults = field(default_factory=Faults)

    def __post_init__(self) -> None:
        self.port = serial.Serial(self.path, 9600, timeout=0.1)
        self.parser = FrameParser(self.config)
        self.received: list[bytes] = []
        self.naks_seen = 0

    def close(self) -> None:
        self.port.close()

    def send(self, text: str, timeout: float = 5.0) -> bool:
        """Send a frame as the device does; True once the host ACKs it."""
        frame = encode(self.config, text.encode("cp932"))
        first = True
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            data = frame
            if first and self.faults.corrupt_first:
                data = frame[:3] + bytes([frame[3] ^ 0x01]) + frame[4:]
            self.port.write(self.faults.noise_before + data if first else data)
            first = False
            control = self._wait_control(1.5)
            if control == ACK:
                return True
            if control == NAK:
                self.naks_seen += 1
        return False

    def _wait_control(self, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for item in self.parser.feed(self.port.read(64)):
                if isinstance(item, int) and item in (ACK, NAK):
                    return item
                if isinstance(item, Frame):
                    self._got(item)
        return None

    def _got(self, frame: Frame) -> None:
        self.received.append(frame.text)
        if self.faults.silent:
            return
        if self.faults.drop_acks > 0:
            self.faults.drop_acks -= 1
            return
        time.sleep(self.faults.answer_delay)
        self.port.write(bytes([ACK]))

    def receive(self, timeout: float = 5.0) -> str | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.received:
                return self.received.pop(0).decode("cp932")
            for item in self.parser.feed(self.port.read(64)):
                if isinstance(item, Frame):
                    self._got(item)
        return self.received.pop(0).decode("cp932") if self.received else None


def display(answer: str) -> str:
    """What the device shows for the host's answer (PROTOCOL.md): the number and, for a 予約, its time — or 窓口へ
    with the reason code."""
    kind, _seq, *fields = answer.split("|")
    if kind == "RECV":
        number, _kana, department, *rest = [*fields, "", "", ""][:4]
        booked = f" ご予約 {rest[0]}" if rest and rest[0] else ""
        return f"受付番号 {number}{' ' + department if department else ''}{booked}"
    if kind == "MADO":
        return f"受付窓口へお越しください（{fields[0] if fields else ''}）"
    return ""
