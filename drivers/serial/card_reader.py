"""The 再来受付機 as the kiosk's magnetic 診察券 reader: its CARD messages become kiosk card events, and
the kiosk's outcome goes back to the device (RECV with the 受付番号, or MADO) under the device's own
sequence number. One thread owns the line, so sending and receiving never interleave."""

from __future__ import annotations

import queue
import re
import threading

from drivers.serial.link import Link, LinkError
from drivers.serial.protocol import MADO_BAD_CARD, MADO_UNKNOWN_CARD, Message, ProtocolError, card_number, decode
from kiosk.core.kiosk_ports import CardKind, CardRead, QueuedCardInput, Ticket
from kiosk.logsetup import get_logger

log = get_logger("uketsuke.kiosk_serial")


class SerialCardInput(QueuedCardInput):
    def __init__(self, link: Link, card_pattern: str = r"(\d+)", *, strip_leading_zeros: bool = False) -> None:
        self.link = link
        self.pattern = re.compile(card_pattern)
        self.strip = strip_leading_zeros
        super().__init__()
        self._outgoing: queue.Queue[Message] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kiosk-serial", daemon=True)

    def start(self) -> SerialCardInput:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def read_mynumber(self, pin: str) -> None:
        return None

    def answer(self, card: CardRead, ticket: Ticket | None) -> None:
        if card.kind is not CardKind.MAGNETIC or card.token is None:
            return
        if ticket is None:
            self._outgoing.put(Message("MADO", card.token, (MADO_UNKNOWN_CARD,)))
        else:
            self._outgoing.put(Message("RECV", card.token, (str(ticket.number), "", ticket.department or "",
                                                            ticket.appointment_at or "")))  # fmt: skip

    def _run(self) -> None:
        while not self._stop.is_set():
            while not self._outgoing.empty():
                self._send(self._outgoing.get_nowait())
            text = self.link.receive(0.1)
            if text is None:
                continue
            try:
                request = decode(text)
            except ProtocolError:
                log.warning("kiosk_serial_bad_message")
                continue
            if request.kind != "CARD":
                log.info("kiosk_serial_device_message", kind=request.kind, seq=request.seq)
                continue
            number = card_number(request.fields[0], self.pattern, strip_leading_zeros=self.strip) if request.fields \
                else None  # fmt: skip
            if number is None:
                self._send(Message("MADO", request.seq, (MADO_BAD_CARD,)))
                continue
            self._events.put(CardRead(CardKind.MAGNETIC, card_id=number, token=request.seq))

    def _send(self, message: Message) -> None:
        try:
            self.link.send(message.encode())
        except LinkError as exc:
            log.warning("kiosk_serial_answer_not_acknowledged", seq=message.seq, code=exc.code)
