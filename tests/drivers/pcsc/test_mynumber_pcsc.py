"""The PC/SC drivers through a real pcscd with vpcd and our virtual cards."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import pytest

from drivers.pcsc.errors import CardRemoved, CardTimeout, NotMyNumberCard, OneTryLeft, PinLocked, WrongPin
from drivers.pcsc.ic_card import read_card_id
from drivers.pcsc.mynumber import read_basic4
from drivers.pcsc.supervisor import CardEvent, ReaderSupervisor
from drivers.pcsc.transport import PyscardChannel
from kiosk.demo.oqs_terminal import wait_until
from tests.simulators.pcsc_stack import Stack

FORBIDDEN = ("00A4020C020001", "00A4020C020003", "00A4020C020014", "D3921000310001010402")


@pytest.fixture
def channel_log() -> list[tuple[str, str]]:
    return []


@pytest.fixture
def myna(pcsc: Stack) -> Iterator[Stack]:
    pcsc.insert(0, card="myna")
    yield pcsc
    pcsc.remove(0)


def open_channel(pcsc: Stack, log: list[tuple[str, str]] | None = None, timeout: float = 5.0) -> PyscardChannel:
    deadline = time.monotonic() + 5
    while True:
        try:
            return PyscardChannel(pcsc.reader(0), timeout=timeout,
                                  apdu_log=(lambda a, s: log.append((a, s))) if log is not None else None)  # fmt: skip
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_basic4_happy_path_never_touches_the_my_number(myna: Stack, channel_log: list[tuple[str, str]]) -> None:
    channel = open_channel(myna, channel_log)
    asked: list[int] = []
    try:
        result = read_basic4(channel, lambda tries: asked.append(tries) or "1234")
    finally:
        channel.close()
    assert result is not None
    assert (result.name, result.birthdate, result.sex) == ("試験　太郎", "19800401", "1")
    assert result.address.startswith("試験県")
    assert asked == [3]
    sent = myna.send(cmd="state", slot=0)["apdus"]
    assert len(sent) == 7  # SELECT AP, SELECT PIN, status, VERIFY, SELECT EF, READ head, READ rest
    assert not any(forbidden in apdu for apdu in sent for forbidden in FORBIDDEN)
    assert ("0020008004********", "9000") in channel_log  # the PIN never reaches a log
    assert all("31323334" not in apdu for apdu, _sw in channel_log)


def test_a_wrong_pin_decrements_and_says_how_many_are_left(myna: Stack) -> None:
    channel = open_channel(myna)
    try:
        with pytest.raises(WrongPin) as caught:
            read_basic4(channel, lambda tries: "0000")
    finally:
        channel.close()
    assert caught.value.tries_left == 2 and "あと2回" in caught.value.ja
    assert myna.send(cmd="state", slot=0)["tries"] == 2


def test_one_try_left_is_refused_without_sending_verify(pcsc: Stack) -> None:
    pcsc.insert(0, card="myna", tries=1)
    channel = open_channel(pcsc)
    try:
        with pytest.raises(OneTryLeft):
            read_basic4(channel, lambda tries: pytest.fail("must not ask for the PIN"))
    finally:
        channel.close()
        state = pcsc.send(cmd="state", slot=0)
        pcsc.remove(0)
    assert state["tries"] == 1
    assert not any(apdu.startswith("0020008004") for apdu in state["apdus"])


def test_a_locked_card(pcsc: Stack) -> None:
    pcsc.insert(0, card="myna", tries=0)
    channel = open_channel(pcsc)
    try:
        with pytest.raises(PinLocked):
            read_basic4(channel, lambda tries: "1234")
    finally:
        channel.close()
        pcsc.remove(0)


def test_the_card_pulled_mid_read(pcsc: Stack) -> None:
    pcsc.insert(0, card="myna", pull_after=6)  # lifted during READ BINARY
    channel = open_channel(pcsc)
    try:
        with pytest.raises(CardRemoved):
            read_basic4(channel, lambda tries: "1234")
    finally:
        with contextlib.suppress(Exception):
            channel.close()


def test_a_card_that_does_not_answer_times_out(pcsc: Stack) -> None:
    pcsc.insert(0, card="myna", delay=1.5)
    channel = open_channel(pcsc, timeout=0.5)
    try:
        with pytest.raises(CardTimeout):
            read_basic4(channel, lambda tries: "1234")
    finally:
        time.sleep(1.6)  # let the slow answer arrive before disconnecting
        channel.close()
        pcsc.remove(0)


def test_felica_tap_and_not_a_my_number_card(pcsc: Stack) -> None:
    pcsc.insert(0, card="felica", idm="012E4CD3A1B2C3D4")
    channel = open_channel(pcsc)
    try:
        assert read_card_id(channel) == "012E4CD3A1B2C3D4"
        with pytest.raises(NotMyNumberCard):
            read_basic4(channel, lambda tries: "1234")
    finally:
        channel.close()
        pcsc.remove(0)


def test_the_supervisor_recovers_when_the_service_comes_back(pcsc: Stack) -> None:
    events: list[CardEvent] = []
    supervisor = ReaderSupervisor(events.append, reader_patterns=("^Uketsuke Test PCD",), wait_ms=100)
    thread = threading.Thread(target=supervisor.run, daemon=True)
    thread.start()

    def seen(kind: str) -> bool:
        return any(e.kind == kind for e in events)

    try:
        assert wait_until(lambda: sum(e.kind == "reader_added" for e in events) == 2, timeout=10)
        pcsc.send(cmd="insert", slot=1, card="felica")
        assert wait_until(lambda: seen("card_inserted"), timeout=10)
        pcsc.send(cmd="remove", slot=1)
        assert wait_until(lambda: seen("card_removed"), timeout=10)
        pcsc.send(cmd="pcscd", action="stop")
        assert wait_until(lambda: seen("service_lost"), timeout=15)
        events.clear()
        pcsc.send(cmd="pcscd", action="start")
        assert wait_until(lambda: seen("service_back") and sum(e.kind == "reader_added" for e in events) == 2, 20)
        pcsc.send(cmd="insert", slot=1, card="felica")
        assert wait_until(lambda: seen("card_inserted"), timeout=10)
        inserted = next(e for e in events if e.kind == "card_inserted")
        assert inserted.reader == pcsc.reader(1) and inserted.atr
    finally:
        supervisor.stop()
        thread.join(timeout=5)
        pcsc.send(cmd="remove", slot=1)
