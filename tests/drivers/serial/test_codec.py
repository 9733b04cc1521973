"""Framing, protocol and printer bytes without a port (pure codec tests)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.serial import port as port_module
from drivers.serial.framing import ACK, BadFrame, Frame, FrameParser, FramingConfig, encode
from drivers.serial.port import PortSpec, find_device
from drivers.serial.printer import reception_slip
from drivers.serial.protocol import Message, ProtocolError, decode

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "serial" / "slip_kanji.bin"
VARIANTS = [
    FramingConfig(),
    FramingConfig(bcc="sum"),
    FramingConfig(bcc_span="from_stx", bcc_encoding="hex", terminator=b"\r\n"),
    FramingConfig(bcc="none", terminator=b"\r"),
]


@pytest.mark.parametrize("config", VARIANTS, ids=["xor", "sum", "hex-from-stx-crlf", "none-cr"])
def test_frames_round_trip_through_noise_and_splits(config: FramingConfig) -> None:
    frames = [encode(config, f"CARD|{n:04d}|;10{n:02d}?".encode()) for n in range(3)]
    stream = b"\x00\x99noise" + frames[0] + bytes([ACK]) + b"junk" + frames[1] + frames[2]
    parser = FrameParser(config)
    found = []
    for index in range(0, len(stream), 3):  # arrives in pieces
        found += parser.feed(stream[index : index + 3])
    texts = [item.text for item in found if isinstance(item, Frame)]
    assert texts == [f"CARD|{n:04d}|;10{n:02d}?".encode() for n in range(3)]
    assert ACK in found


def test_a_flipped_bit_is_a_bad_frame() -> None:
    frame = bytearray(encode(FramingConfig(), b"CARD|0001|;1001?"))
    frame[4] ^= 0x04
    assert FrameParser(FramingConfig()).feed(bytes(frame)) == [BadFrame("BCC mismatch")]


@given(st.binary(max_size=200))
def test_the_parser_never_raises_on_garbage(data: bytes) -> None:
    parser = FrameParser(FramingConfig())
    for item in parser.feed(data):
        assert isinstance(item, Frame | BadFrame | int)


def test_protocol_messages_in_cp932() -> None:
    message = Message("RECV", "0001", ("12", "ｼｹﾝ ﾀﾛｳ", "内科"))
    assert decode(message.encode()) == message
    with pytest.raises(ProtocolError):
        decode(b"\x82")
    with pytest.raises(ValueError):
        Message("RECV", "1", ("a|b",)).encode()


def test_kanji_slip_bytes_are_golden() -> None:
    slip = reception_slip("試験クリニック", 12, datetime(2026, 11, 22, 9, 5), department="内科", name="髙橋 試験",
                          qr="UKETSUKE:12")  # fmt: skip
    assert b"\x1c\x26" + "受付番号".encode("cp932") + b"\x1c\x2e" in slip
    assert "髙橋".encode("cp932") in slip  # a CP932 extension kanji, not shift_jis
    # The golden file was checked by hand: ESC @, centring, FS & + cp932 text + FS ., GS ! 0x33 for the number.
    assert slip == GOLDEN.read_bytes()


def test_a_character_outside_cp932_prints_as_geta() -> None:
    slip = reception_slip("試験", 1, datetime(2026, 11, 22, 9, 5), name="𠮷田")
    assert "〓田".encode("cp932") in slip


def test_ports_are_found_by_usb_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    ports = [
        SimpleNamespace(device="/dev/ttyUSB0", vid=0x0403, pid=0x6001, serial_number="A1"),
        SimpleNamespace(device="/dev/ttyUSB1", vid=0x0403, pid=0x6001, serial_number="B2"),
    ]
    monkeypatch.setattr(port_module.list_ports, "comports", lambda: ports)
    assert find_device(PortSpec(vid=0x0403, pid=0x6001, serial_number="B2")) == "/dev/ttyUSB1"
    assert find_device(PortSpec(vid=0x0403, pid=0x6001)) == "/dev/ttyUSB0"
    assert find_device(PortSpec(vid=0x067B)) is None
    assert find_device(PortSpec(name="COM12")) == "COM12"
