"""The serial bridge and framing on real PTYs (socat) with faults injected by the simulated 再来受付機."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import serial

from drivers.serial.framing import FramingConfig
from drivers.serial.link import Link, LinkError
from drivers.serial.port import PortSpec, ReconnectingPort
from kiosk.bootstrap import Store
from kiosk.core.clock import FixedClock
from kiosk.demo.pty_pair import PtyPair
from kiosk.demo.reception_device import Device, Faults
from kiosk.services.registry_import import import_csv
from kiosk.services.serial_bridge import BridgeConfig, SerialBridge
from tests.conftest import FIXTURES

DAY = datetime(2026, 11, 22, 9, 0)


@pytest.fixture
def bridge_parts(store: Store, pty: PtyPair) -> Iterator[tuple[SerialBridge, Store]]:
    import_csv(store.sessions, FIXTURES / "registry" / "edge_cases.csv")
    port = ReconnectingPort(PortSpec(name=pty.host))
    port.timeout = 0.05
    port.read(1)  # open the host side now: pyserial flushes input on open, which would eat the device's first frame
    config = FramingConfig(response_timeout=0.5, retries=3)
    bridge = SerialBridge(Link(port, config), store.registry, BridgeConfig(card_pattern=r";(\d{4})\?"),
                          FixedClock(DAY))  # fmt: skip
    yield bridge, store
    port.close()


def serve(bridge: SerialBridge, count: int) -> threading.Thread:
    def run() -> None:
        handled = 0
        deadline = time.monotonic() + 15
        while handled < count and time.monotonic() < deadline:
            if bridge.handle_one(0.5) is not None:
                handled += 1

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def receptions(store: Store) -> int:
    return len(store.registry.list_receptions(DAY.date()))


def test_clean_exchange_registers_and_answers_the_number(
    bridge_parts: tuple[SerialBridge, Store], pty: PtyPair
) -> None:
    bridge, store = bridge_parts
    device = Device(pty.device)
    try:
        worker = serve(bridge, 1)
        assert device.send("CARD|0001|;1001?")  # magnetic track data; the 診察券番号 is 1001
        assert device.receive() == "RECV|0001|1|ｼｹﾝ ﾕｳﾀ||"
        worker.join(5)
    finally:
        device.close()
    assert receptions(store) == 1


def test_noise_and_a_bad_bcc_are_survived(bridge_parts: tuple[SerialBridge, Store], pty: PtyPair) -> None:
    bridge, _store = bridge_parts
    device = Device(pty.device, faults=Faults(noise_before=b"\x00\xffgarbage\x03\x99", corrupt_first=True))
    try:
        worker = serve(bridge, 1)
        assert device.send("CARD|0002|;1002?")
        assert device.naks_seen == 1  # the corrupted frame was refused, the retry accepted
        assert device.receive() == "RECV|0002|1|ｼｹﾝ ﾕｳｷ||"
        worker.join(5)
    finally:
        device.close()
    assert bridge.link.stats["naks_sent"] == 1


def test_a_lost_ack_never_makes_a_second_reception(bridge_parts: tuple[SerialBridge, Store], pty: PtyPair) -> None:
    bridge, store = bridge_parts
    device = Device(pty.device, faults=Faults(drop_acks=1))
    try:
        worker = serve(bridge, 2)
        assert device.send("CARD|0003|;1001?")
        first = device.receive()  # our first answer was not acknowledged: the host resent it
        second = device.receive()
        assert first == second == "RECV|0003|1|ｼｹﾝ ﾕｳﾀ||"
        assert device.send("CARD|0003|;1001?")  # the device asks again with the same sequence number
        assert device.receive() == "RECV|0003|1|ｼｹﾝ ﾕｳﾀ||"
        worker.join(8)
    finally:
        device.close()
    assert receptions(store) == 1


def test_a_reused_sequence_number_with_another_card_is_another_patient(
    bridge_parts: tuple[SerialBridge, Store], pty: PtyPair
) -> None:
    """After a power cycle the device counts from 0001 again: the second patient gets their own reception and
    their own number, never the first patient's (issue 18)."""
    bridge, store = bridge_parts
    device = Device(pty.device)
    try:
        worker = serve(bridge, 3)
        assert device.send("CARD|0001|;1001?")
        assert device.receive() == "RECV|0001|1|ｼｹﾝ ﾕｳﾀ||"
        assert device.send("CARD|0001|;1002?")  # same sequence number, another card
        assert device.receive() == "RECV|0001|2|ｼｹﾝ ﾕｳｷ||"
        assert device.send("CARD|0001|;1001?")  # the first patient again: already received today
        assert device.receive() == "RECV|0001|1|ｼｹﾝ ﾕｳﾀ||"
        worker.join(8)
    finally:
        device.close()
    assert sorted(r.patient_id for r in store.registry.list_receptions(DAY.date())) == ["1001", "1002"]


def test_unknown_card_goes_to_the_counter(bridge_parts: tuple[SerialBridge, Store], pty: PtyPair) -> None:
    bridge, store = bridge_parts
    device = Device(pty.device)
    try:
        worker = serve(bridge, 1)
        assert device.send("CARD|0004|;9999?")
        assert device.receive() == "MADO|0004|E01"
        worker.join(5)
    finally:
        device.close()
    assert receptions(store) == 0


def test_retries_exhausted_is_a_clear_error(pty: PtyPair) -> None:
    device = Device(pty.device, faults=Faults(silent=True))
    port = ReconnectingPort(PortSpec(name=pty.host))
    link = Link(port, FramingConfig(response_timeout=0.2, retries=2))
    try:
        with pytest.raises(LinkError) as caught:
            link.send(b"PING|0001")
        assert "再来受付機" in caught.value.ja and link.stats["sent"] == 3
    finally:
        port.close()
        device.close()


def test_a_partial_frame_then_silence_is_dropped_and_the_next_frame_read(pty: PtyPair) -> None:
    port = ReconnectingPort(PortSpec(name=pty.host))
    link = Link(port, FramingConfig(handshake=False, inter_byte_timeout=0.2))
    raw = serial.Serial(pty.device, 9600, timeout=0.1)
    try:
        assert link.receive(0.2) is None  # opens the host side first
        raw.write(b"\x02CARD|00")  # cut off
        assert link.receive(0.6) is None
        from drivers.serial.framing import encode

        raw.write(encode(FramingConfig(), b"CARD|0005|;1001?"))
        assert link.receive(2) == b"CARD|0005|;1001?"
    finally:
        raw.close()
        port.close()


def test_the_port_vanishes_and_returns(pty: PtyPair) -> None:
    from drivers.serial.framing import encode

    port = ReconnectingPort(PortSpec(name=pty.host), max_backoff=0.2)
    link = Link(port, FramingConfig(handshake=False))
    raw = serial.Serial(pty.device, 9600, timeout=0.1)
    assert link.receive(0.2) is None  # opens the host side (pyserial flushes input on open)
    raw.write(encode(FramingConfig(), b"STAT|0001|OK"))
    assert link.receive(2) == b"STAT|0001|OK"
    raw.close()
    pty.stop()  # the USB-serial adapter is unplugged
    assert link.receive(0.5) is None  # no exception, no busy loop
    pty.start()  # … and plugged back
    raw = serial.Serial(pty.device, 9600, timeout=0.1)
    try:
        deadline = time.monotonic() + 5
        got = None
        while got is None and time.monotonic() < deadline:
            raw.write(encode(FramingConfig(), b"STAT|0002|OK"))
            got = link.receive(0.5)
        assert got == b"STAT|0002|OK"
        assert port.reconnects >= 2
    finally:
        raw.close()
        port.close()


def test_a_slip_for_a_reception_made_through_myna_is_printed_on_the_device(
    bridge_parts: tuple[SerialBridge, Store], pty: PtyPair
) -> None:
    bridge, _store = bridge_parts
    device = Device(pty.device)
    try:
        result: list[bool] = []
        sender = threading.Thread(target=lambda: result.append(bridge.print_slip(7, "内科", DAY)))
        sender.start()
        assert device.receive() == "PRINT|H0001|7|内科|09:00"
        sender.join(5)
        assert result == [True]
    finally:
        device.close()


def test_the_agent_builds_the_bridge_from_configuration(store: Store, pty: PtyPair, data_dir: Path) -> None:
    from kiosk.bootstrap import serial_bridge
    from kiosk.settings import settings_from_mapping

    settings = settings_from_mapping({"paths": {"data_dir": str(data_dir)},
                                      "serial_bridge": {"enabled": True, "port": pty.host,
                                                        "card_pattern": r";(\d{4})\?"}})  # fmt: skip
    import_csv(store.sessions, FIXTURES / "registry" / "edge_cases.csv")
    bridge = serial_bridge(settings, store, FixedClock(DAY))
    assert bridge is not None
    device = Device(pty.device)
    try:
        worker = serve(bridge, 1)
        assert device.send("CARD|0009|;1003?")
        assert device.receive() == "RECV|0009|1|ｼｹﾝ ﾖｳﾀ||"
        worker.join(5)
    finally:
        device.close()
    assert serial_bridge(settings_from_mapping({"paths": {"data_dir": str(data_dir)}}), store) is None
