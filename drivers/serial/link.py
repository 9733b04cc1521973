"""The data link over one serial port: send a frame and wait for ACK (NAK → retry, bounded), receive
frames and answer ACK/NAK. One thread owns the port; no busy loops (reads block up to a timeout)."""

from __future__ import annotations

import time
from collections import deque
from typing import Protocol

from drivers.serial.framing import ACK, NAK, BadFrame, Frame, FrameParser, FramingConfig, encode


class Port(Protocol):
    timeout: float | None

    def read(self, size: int = 1) -> bytes: ...

    def write(self, data: bytes) -> int | None: ...

    def flush(self) -> None: ...


class LinkError(Exception):
    def __init__(self, code: str, ja: str, en: str) -> None:
        super().__init__(f"{ja} / {en}")
        self.code, self.ja, self.en = code, ja, en


class Link:
    def __init__(self, port: Port, config: FramingConfig) -> None:
        self.port = port
        self.config = config
        self.parser = FrameParser(config)
        self.inbox: deque[bytes] = deque()
        self.stats = {"sent": 0, "retries": 0, "naks_sent": 0, "bad_frames": 0}

    def send(self, text: bytes) -> None:
        """Send one frame; with the handshake, wait for ACK and retry on NAK or silence."""
        frame = encode(self.config, text)
        for attempt in range(self.config.retries + 1):
            if attempt:
                self.stats["retries"] += 1
            self.port.write(frame)
            self.port.flush()
            self.stats["sent"] += 1
            if not self.config.handshake:
                return
            answer = self._wait_control(self.config.response_timeout)
            if answer == ACK:
                return
        raise LinkError(
            "link_no_ack",
            "再来受付機が応答しません（再送回数を超えました）",
            f"the device did not acknowledge after {self.config.retries} retries",
        )

    def receive(self, timeout: float) -> bytes | None:
        """The next good frame's text (ACKed), or None after `timeout`."""
        if self.inbox:
            return self.inbox.popleft()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._pump(deadline - time.monotonic())
            if self.inbox:
                return self.inbox.popleft()
        return None

    def _wait_control(self, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            control = self._pump(deadline - time.monotonic(), want_control=True)
            if control is not None:
                return control
        return None

    def _pump(self, remaining: float, *, want_control: bool = False) -> int | None:
        self.port.timeout = max(0.01, min(remaining, self.config.inter_byte_timeout))
        data = self.port.read(256)
        if not data:
            if self.parser.pending():
                self.parser.reset()  # a partial frame followed by silence: drop it, resync on the next STX
            return None
        control: int | None = None
        for item in self.parser.feed(data):
            if isinstance(item, Frame):
                if self.config.handshake:
                    self.port.write(bytes([ACK]))
                self.inbox.append(item.text)
            elif isinstance(item, BadFrame):
                self.stats["bad_frames"] += 1
                if self.config.handshake:
                    self.port.write(bytes([NAK]))
                    self.stats["naks_sent"] += 1
            elif want_control and item in (ACK, NAK) and control is None:
                control = item
        return control
