"""The kiosk's PC/SC readers as a CardInput: IC 診察券 and マイナンバーカード, told apart by the card itself.

A card put on a reader is first asked for the 券面事項入力補助AP (a My Number card answers with its PIN
counter, read without spending a try); any other card gives its IDm/UID. Reads run in the supervisor's
or a worker's thread and arrive as events, so the screen never waits on a card.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from drivers.pcsc.errors import CardError, CardRemoved, NotMyNumberCard, OneTryLeft, PinLocked, WrongPin
from drivers.pcsc.ic_card import read_card_id
from drivers.pcsc.mynumber import pin_tries, read_basic4
from drivers.pcsc.supervisor import CardEvent as ReaderEvent
from drivers.pcsc.supervisor import ReaderSupervisor
from drivers.pcsc.transport import Channel, PyscardChannel
from kiosk.core.face import Identity
from kiosk.core.kiosk_ports import CardEvent, CardFailure, CardIdentity, CardKind, CardRead, QueuedCardInput, Ticket
from kiosk.logsetup import get_logger

log = get_logger("uketsuke.kiosk_cards")

ChannelFactory = Callable[[str], Channel]


class PcscCardInput(QueuedCardInput):
    def __init__(
        self,
        reader_patterns: tuple[str, ...],
        *,
        channel: ChannelFactory | None = None,
        timeout: float = 5.0,
    ) -> None:
        self._channel: ChannelFactory = channel or (lambda reader: PyscardChannel(reader, timeout=timeout))
        super().__init__()
        self._reader: str | None = None  # the reader holding a card right now
        self._lock = threading.Lock()
        self.supervisor = ReaderSupervisor(self._on_reader, reader_patterns=reader_patterns)
        self._thread = threading.Thread(target=self.supervisor.run, name="kiosk-pcsc", daemon=True)

    def start(self) -> PcscCardInput:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.supervisor.stop()
        self._thread.join(timeout=5)

    # -- CardInput -------------------------------------------------------------------------------
    def read_mynumber(self, pin: str) -> None:
        reader = self._reader
        if reader is None:
            self._events.put(CardFailure("removed"))
            return
        # The PIN lives only in this closure and the VERIFY APDU; it is never logged or stored.
        threading.Thread(target=self._read_basic4, args=(reader, pin), name="kiosk-mynumber", daemon=True).start()

    def answer(self, card: CardRead, ticket: Ticket | None) -> None:
        return None  # a PC/SC reader has no display of its own

    # -- reader side -----------------------------------------------------------------------------
    def _on_reader(self, event: ReaderEvent) -> None:
        if event.kind == "card_inserted" and event.reader:
            self._reader = event.reader
            self._identify(event.reader)
        elif event.kind in ("card_removed", "reader_removed") and event.reader == self._reader:
            self._reader = None
            self._events.put(CardFailure("removed"))
        elif event.kind == "service_lost":
            log.warning("kiosk_pcsc_service_lost")

    def _identify(self, reader: str, attempts: int = 3) -> None:
        """A card still sliding into place can fail its first exchange: try again briefly before giving up."""
        for attempt in range(attempts):
            outcome = self._identify_once(reader)
            retry = isinstance(outcome, CardFailure) and outcome.code == "unreadable" and attempt < attempts - 1
            if not retry or self._reader != reader:
                if self._reader == reader:
                    self._events.put(outcome)
                return
            time.sleep(0.2)

    def _identify_once(self, reader: str) -> CardEvent:
        with self._lock:
            try:
                channel = self._channel(reader)
            except CardError as exc:
                return CardFailure(_failure_code(exc))
            try:
                return CardRead(CardKind.MYNUMBER, tries_left=pin_tries(channel))
            except NotMyNumberCard:
                try:
                    return CardRead(CardKind.IC, card_id=read_card_id(channel))
                except CardError as exc:
                    return CardFailure(_failure_code(exc))
            except CardError as exc:
                return CardFailure(_failure_code(exc))
            finally:
                channel.close()

    def _read_basic4(self, reader: str, pin: str) -> None:
        with self._lock:
            try:
                channel = self._channel(reader)
            except CardError as exc:
                self._events.put(CardFailure(_failure_code(exc)))
                return
            try:
                card = read_basic4(channel, lambda _tries: pin)
            except WrongPin as exc:
                self._events.put(CardFailure("wrong_pin", exc.tries_left))
                return
            except CardError as exc:
                self._events.put(CardFailure(_failure_code(exc)))
                return
            finally:
                channel.close()
        if card is None:
            self._events.put(CardFailure("cancelled"))
            return
        identity = Identity(name=card.name, birthdate=card.birthdate, sex=card.sex, address=card.address)
        self._events.put(CardIdentity(identity))


def _failure_code(exc: CardError) -> str:
    log.info("kiosk_card_failure", error=type(exc).__name__)
    if isinstance(exc, CardRemoved):
        return "removed"
    if isinstance(exc, OneTryLeft):
        return "one_try_left"
    if isinstance(exc, PinLocked):
        return "pin_locked"
    return "unreadable"
