"""The card channel: a small port (Channel) and its pyscard implementation.

Every transmit passes the APDU allow-list; a card that does not answer in time raises CardTimeout
(vpcd and some readers have no timeout of their own); PC/SC errors become CardError subclasses.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from drivers.pcsc.apdu import check_allowed, loggable
from drivers.pcsc.errors import CardError, CardRemoved, CardTimeout, NoReader, ServiceGone

# PC/SC return codes (winscard.h)
SCARD_E_NO_SERVICE = 0x8010001D
SCARD_E_SERVICE_STOPPED = 0x8010001E
SCARD_W_REMOVED_CARD = 0x80100069
SCARD_E_NO_SMARTCARD = 0x8010000C
SCARD_E_UNKNOWN_READER = 0x80100009
SCARD_E_READER_UNAVAILABLE = 0x80100017
SCARD_E_NO_READERS_AVAILABLE = 0x8010002E
SCARD_W_RESET_CARD = 0x80100068
SCARD_PRESENT = 0x0004  # SCardStatus state bit (pcsclite.h)


class Channel(Protocol):
    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        """(response data, status word)."""
        ...

    def close(self) -> None: ...


def classify(code: int) -> CardError:
    if code in (SCARD_E_NO_SERVICE, SCARD_E_SERVICE_STOPPED):
        return ServiceGone(hex(code))
    if code in (SCARD_W_REMOVED_CARD, SCARD_E_NO_SMARTCARD, SCARD_W_RESET_CARD):
        return CardRemoved(hex(code))
    if code in (SCARD_E_UNKNOWN_READER, SCARD_E_READER_UNAVAILABLE, SCARD_E_NO_READERS_AVAILABLE):
        return NoReader(hex(code))
    return CardError(hex(code))


class PyscardChannel:
    """An exclusive connection to the card in one reader (held across VERIFY and READ)."""

    def __init__(
        self,
        reader: str,
        *,
        timeout: float = 5.0,
        apdu_log: Callable[[str, str], None] | None = None,
    ) -> None:
        from smartcard.scard import (
            SCARD_PROTOCOL_T0,
            SCARD_PROTOCOL_T1,
            SCARD_S_SUCCESS,
            SCARD_SCOPE_USER,
            SCARD_SHARE_EXCLUSIVE,
            SCardConnect,
            SCardEstablishContext,
        )

        self.timeout = timeout
        self.apdu_log = apdu_log
        self._verified = False
        result, self._context = SCardEstablishContext(SCARD_SCOPE_USER)
        if result != SCARD_S_SUCCESS:
            raise classify(result & 0xFFFFFFFF)
        result, self._card, self._protocol = SCardConnect(
            self._context, reader, SCARD_SHARE_EXCLUSIVE, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1
        )
        if result != SCARD_S_SUCCESS:
            self._release_context()
            raise classify(result & 0xFFFFFFFF)

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        from smartcard.scard import SCARD_S_SUCCESS, SCardTransmit

        check_allowed(apdu)
        outcome: dict[str, Any] = {}

        def send() -> None:
            outcome["answer"] = SCardTransmit(self._card, self._protocol, list(apdu))

        worker = threading.Thread(target=send, daemon=True)
        worker.start()
        worker.join(self.timeout)
        if worker.is_alive():
            raise CardTimeout(loggable(apdu)[:10])
        result, response = outcome["answer"]
        if result != SCARD_S_SUCCESS:
            raise classify(result & 0xFFFFFFFF)
        if len(response) < 2:
            raise CardRemoved("no answer") if not self._card_present() else CardError("short response")
        data, sw = bytes(response[:-2]), (response[-2] << 8) | response[-1]
        if apdu[1] == 0x20 and len(apdu) > 5 and sw == 0x9000:
            self._verified = True  # the card is unlocked: it is reset when we let go of it
        if self.apdu_log is not None:
            self.apdu_log(loggable(apdu), f"{sw:04X}")
        return data, sw

    def _card_present(self, settle: float = 1.0) -> bool:
        """After an empty answer: is the card still there? The service needs a moment to notice a removal."""
        from smartcard.scard import SCARD_S_SUCCESS, SCardStatus

        deadline = time.monotonic() + settle
        while True:
            result, _reader, state, _protocol, _atr = SCardStatus(self._card)
            if result != SCARD_S_SUCCESS or not state & SCARD_PRESENT:
                return False
            if time.monotonic() >= deadline:
                return True
            time.sleep(0.05)

    def close(self) -> None:
        """After a VERIFY the card is reset (SCARD_RESET_CARD), so its unlocked state never outlives our read —
        another program on the PC cannot read the card on the strength of our patient's PIN."""
        from smartcard.scard import SCARD_LEAVE_CARD, SCARD_RESET_CARD, SCardDisconnect

        try:
            SCardDisconnect(self._card, SCARD_RESET_CARD if self._verified else SCARD_LEAVE_CARD)
        finally:
            self._release_context()

    def _release_context(self) -> None:
        from smartcard.scard import SCardReleaseContext

        SCardReleaseContext(self._context)
