"""IC 診察券 (FeliCa / MIFARE): the card's id is an identifier to look up, never a credential."""

from __future__ import annotations

from drivers.pcsc import apdu
from drivers.pcsc.errors import CardError
from drivers.pcsc.transport import Channel


def read_card_id(channel: Channel) -> str:
    """FeliCa IDm or MIFARE UID as upper-case hex (GET DATA pseudo-APDU, PC/SC part 3)."""
    data, sw = apdu.send(channel, apdu.GET_UID)
    if sw != 0x9000 or not 4 <= len(data) <= 10:  # a MIFARE UID is 4, 7 or 10 bytes, a FeliCa IDm 8
        raise CardError(f"GET DATA {sw:04X} ({len(data)} bytes)")
    return data.hex().upper()
