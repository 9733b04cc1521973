"""Configurable framing for 再来受付機 links (JIS X 5002 basic mode style and "無手順 + BCC").

A frame is `[SOH header] STX text ETX BCC [terminator]`; the BCC is XOR or an 8-bit sum over a configurable
span, sent raw or as two ASCII hex digits. The parser takes a byte stream with noise, split frames and
garbage and yields good frames and bad ones (for NAK), resynchronising on the next STX.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

STX, ETX, EOT, ENQ, ACK, NAK, SOH = 0x02, 0x03, 0x04, 0x05, 0x06, 0x15, 0x01


@dataclass(frozen=True)
class FramingConfig:
    bcc: Literal["xor", "sum", "none"] = "xor"
    bcc_span: Literal["after_stx", "from_stx"] = "after_stx"  # both include ETX
    bcc_encoding: Literal["raw", "hex"] = "raw"
    terminator: bytes = b""
    encoding: str = "cp932"
    handshake: bool = True  # ACK/NAK per frame
    retries: int = 3
    response_timeout: float = 1.0
    inter_byte_timeout: float = 0.5
    max_frame: int = 1024


@dataclass(frozen=True)
class Frame:
    text: bytes


@dataclass(frozen=True)
class BadFrame:
    reason: str


def bcc(config: FramingConfig, covered: bytes) -> bytes:
    if config.bcc == "none":
        return b""
    value = 0
    for byte in covered:
        value = value ^ byte if config.bcc == "xor" else (value + byte) & 0xFF
    return f"{value:02X}".encode("ascii") if config.bcc_encoding == "hex" else bytes([value])


def encode(config: FramingConfig, text: bytes) -> bytes:
    body = text + bytes([ETX])
    covered = (bytes([STX]) + body) if config.bcc_span == "from_stx" else body
    return bytes([STX]) + body + bcc(config, covered) + config.terminator


class FrameParser:
    def __init__(self, config: FramingConfig) -> None:
        self.config = config
        self.buffer = bytearray()

    @property
    def bcc_length(self) -> int:
        if self.config.bcc == "none":
            return 0
        return 2 if self.config.bcc_encoding == "hex" else 1

    def feed(self, data: bytes) -> list[Frame | BadFrame | int]:
        """Frames, bad frames and single control bytes (ACK/NAK/ENQ/EOT) found so far."""
        self.buffer += data
        out: list[Frame | BadFrame | int] = []
        while self.buffer:
            first = self.buffer[0]
            if first in (ACK, NAK, ENQ, EOT):
                out.append(first)
                del self.buffer[0]
                continue
            if first != STX:
                start = next((i for i, b in enumerate(self.buffer) if b in (STX, ACK, NAK, ENQ, EOT)), None)
                if start is None:
                    self.buffer.clear()  # noise
                    break
                del self.buffer[:start]
                continue
            end = self.buffer.find(bytes([ETX]), 1)
            restart = self.buffer.find(bytes([STX]), 1)
            if restart != -1 and (end == -1 or restart < end):
                out.append(BadFrame("frame interrupted by a new STX"))
                del self.buffer[:restart]
                continue
            if end == -1:
                if len(self.buffer) > self.config.max_frame:
                    out.append(BadFrame("frame too long"))
                    self.buffer.clear()
                break  # wait for more bytes
            need = end + 1 + self.bcc_length + len(self.config.terminator)
            if len(self.buffer) < need:
                break
            frame = bytes(self.buffer[:need])
            del self.buffer[:need]
            text, received = frame[1:end], frame[end + 1 : end + 1 + self.bcc_length]
            covered = frame[: end + 1] if self.config.bcc_span == "from_stx" else frame[1 : end + 1]
            if bcc(self.config, covered) != received:
                out.append(BadFrame("BCC mismatch"))
            else:
                out.append(Frame(text))
        return out

    def pending(self) -> bool:
        return bool(self.buffer)

    def reset(self) -> None:
        self.buffer.clear()
