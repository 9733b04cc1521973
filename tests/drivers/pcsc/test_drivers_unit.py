"""Driver logic against the virtual card object directly (no PC/SC): allow-list, BER forms, flows."""

from __future__ import annotations

import pytest

from drivers.pcsc import apdu
from drivers.pcsc.ber import BerError, header_size, read_tlv
from drivers.pcsc.errors import ForbiddenApdu, NotMyNumberCard, OneTryLeft, PinLocked, WrongPin
from drivers.pcsc.mynumber import parse_basic4, read_basic4
from tests.simulators.virtual_cards import DirectChannel, FelicaCard, MyNumberCard, basic4


@pytest.mark.parametrize(
    "forbidden",
    [
        "00A4020C020001",  # EF 0001 個人番号
        "00A4020C020003",  # EF 0003 (holds a digest of the 個人番号)
        "00A4020C020014",  # PIN A (the 個人番号 as a PIN)
        "00A4040C0AD3921000310001010402",  # 券面事項確認AP
        "00A4040C0AD392F000260100000001",  # JPKI AP
        "00B0810000",  # READ BINARY by short EF id 01
        "002000910431323334",  # VERIFY by short EF id
        "00200080083132333435363738",  # VERIFY with anything but 4 digits
    ],
)
def test_forbidden_apdus_cannot_be_sent(forbidden: str) -> None:
    with pytest.raises(ForbiddenApdu):
        apdu.check_allowed(bytes.fromhex(forbidden))


def test_the_pin_is_masked_in_logs() -> None:
    assert apdu.loggable(apdu.verify("1234")) == "0020008004********"
    with pytest.raises(ValueError):
        apdu.verify("12345")


@pytest.mark.parametrize("address_length", [10, 100, 200, 400])
def test_ber_lengths_of_every_form(address_length: int) -> None:
    raw = basic4("試験　花子", "試" * address_length, "20200310", "2")
    _header, total = header_size(raw[:7])
    assert total == len(raw)
    parsed = parse_basic4(raw)
    assert len(parsed.address) == address_length and parsed.sex == "2"


def test_truncated_tlv_is_an_error_not_a_crash() -> None:
    with pytest.raises(BerError):
        read_tlv(bytes.fromhex("FF2082"))


def test_a_long_address_is_read_in_several_chunks() -> None:
    card = MyNumberCard(address="試験県" + "試" * 300)
    result = read_basic4(DirectChannel(card), lambda tries: "1234")
    assert result is not None and result.address.endswith("試")
    reads = [a for a in card.apdus if a.startswith("00B0")]
    assert len(reads) >= 5  # 7-byte head, then chunks of at most 255 bytes
    assert all(not a.startswith("00A4020C020001") for a in card.apdus)


def test_status_query_does_not_use_a_try_and_success_resets() -> None:
    card = MyNumberCard(tries=2)
    with pytest.raises(WrongPin):
        read_basic4(DirectChannel(card), lambda tries: "9999")
    assert card.tries == 1
    with pytest.raises(OneTryLeft):
        read_basic4(DirectChannel(card), lambda tries: "1234")
    assert card.tries == 1
    card.tries = 2
    assert read_basic4(DirectChannel(card), lambda tries: "1234") is not None
    assert card.tries == 3


def test_the_last_wrong_try_reports_locked() -> None:
    card = MyNumberCard(tries=2)
    with pytest.raises(WrongPin) as caught:
        read_basic4(DirectChannel(card), lambda tries: "9999")
    assert caught.value.tries_left == 1
    card.tries = 0
    with pytest.raises(PinLocked):
        read_basic4(DirectChannel(card), lambda tries: "1234")


def test_cancelled_pin_entry_reads_nothing() -> None:
    card = MyNumberCard()
    assert read_basic4(DirectChannel(card), lambda tries: None) is None
    assert not any(a.startswith("00B0") for a in card.apdus)


def test_a_felica_card_is_not_a_my_number_card() -> None:
    with pytest.raises(NotMyNumberCard):
        read_basic4(DirectChannel(FelicaCard()), lambda tries: "1234")
