"""PC/SC hardening (issue 19): the card is reset after a VERIFY, an unknown retry counter means no VERIFY, odd
answers are card errors, and the APDU allow-list holds for any Channel, not only pyscard's."""

from __future__ import annotations

import time

import pytest

from drivers.pcsc import apdu
from drivers.pcsc.errors import CardError, ForbiddenApdu, UnknownTries
from drivers.pcsc.ic_card import read_card_id
from drivers.pcsc.mynumber import read_basic4
from tests.drivers.pcsc.test_mynumber_pcsc import open_channel
from tests.simulators.pcsc_stack import Stack


def test_the_card_is_reset_after_a_verify_and_left_alone_otherwise(pcsc: Stack) -> None:
    pcsc.insert(0, card="myna")
    try:
        channel = open_channel(pcsc)
        try:
            assert read_basic4(channel, lambda _tries: "1234") is not None
        finally:
            channel.close()
        deadline = time.monotonic() + 5
        while pcsc.send(cmd="state", slot=0)["resets"] < 1:  # the unlocked state did not outlive our read
            assert time.monotonic() < deadline, "the card was not reset after VERIFY"
            time.sleep(0.05)
        before = pcsc.send(cmd="state", slot=0)["resets"]
        channel = open_channel(pcsc)
        try:
            from drivers.pcsc.mynumber import pin_tries

            assert pin_tries(channel) == 3  # no PIN presented on this connection
        finally:
            channel.close()
        time.sleep(0.3)
        assert pcsc.send(cmd="state", slot=0)["resets"] == before
    finally:
        pcsc.remove(0)


class Scripted:
    """A Channel that answers from a script (another implementation than pyscard's)."""

    def __init__(self, answers: dict[bytes, tuple[bytes, int]]) -> None:
        self.answers = answers
        self.sent: list[bytes] = []

    def transmit(self, command: bytes) -> tuple[bytes, int]:
        self.sent.append(command)
        return self.answers.get(command, (b"", 0x9000))

    def close(self) -> None:
        return None


def test_an_unknown_retry_counter_means_no_verify() -> None:
    channel = Scripted({apdu.VERIFY_STATUS: (b"", 0x9000)})  # "already verified": no counter to trust
    asked: list[int] = []
    with pytest.raises(UnknownTries):
        read_basic4(channel, lambda tries: asked.append(tries) or "1234")
    assert asked == [] and not any(c[:5] == bytes.fromhex("0020008004") for c in channel.sent)


def test_odd_answers_are_card_errors() -> None:
    too_long = Scripted({apdu.GET_UID: (bytes(40), 0x9000)})
    with pytest.raises(CardError):
        read_card_id(too_long)
    empty = Scripted({apdu.GET_UID: (b"", 0x9000)})
    with pytest.raises(CardError):
        read_card_id(empty)
    assert read_card_id(Scripted({apdu.GET_UID: (bytes.fromhex("012E4CD3A1B2C3D4"), 0x9000)})) == "012E4CD3A1B2C3D4"


def test_the_allow_list_holds_for_any_channel() -> None:
    channel = Scripted({})
    with pytest.raises(ForbiddenApdu):
        apdu.send(channel, bytes.fromhex("00A4020C020001"))  # EF 0001: the 個人番号
    assert channel.sent == []  # refused before it reached the channel
