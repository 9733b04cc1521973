"""A 受付票 printer on a serial line (or `socket://host:9100`): asks the paper sensor first, then prints.

ESC/POS real-time status `DLE EOT 4` (roll paper sensor) answers one byte: bits 5–6 set mean the paper
has run out, bits 2–3 that it is nearly out. No answer within the timeout means the printer is off or
unplugged; the kiosk then shows the number on screen and alerts staff instead of pretending it printed.
"""

from __future__ import annotations

import contextlib
from typing import Any

import serial

from drivers.serial.printer import reception_slip
from kiosk.core.kiosk_ports import PrintStatus, Slip
from kiosk.logsetup import get_logger

log = get_logger("uketsuke.printer")

PAPER_STATUS = b"\x10\x04\x04"  # DLE EOT 4
PAPER_END = 0x60
PAPER_NEAR_END = 0x0C
FIXED_BITS = 0x12  # bits 1 and 4 are always 1 in a status byte: anything else is not an answer


class EscposPrinter:
    def __init__(self, url: str, *, baudrate: int = 9600, timeout: float = 1.0) -> None:
        self.url = url
        self.baudrate = baudrate
        self.timeout = timeout
        self._port: Any = None

    def _open(self) -> Any:
        if self._port is None:
            self._port = serial.serial_for_url(self.url, baudrate=self.baudrate, timeout=self.timeout)
        return self._port

    def _drop(self) -> None:
        if self._port is not None:
            with contextlib.suppress(serial.SerialException, OSError):
                self._port.close()
        self._port = None

    def paper(self) -> PrintStatus | None:
        """PRINTED when paper is there, PAPER_OUT, or OFFLINE; None would mean 'not asked'."""
        try:
            port = self._open()
            port.reset_input_buffer()
            port.write(PAPER_STATUS)
            port.flush()
            answer = port.read(1)
        except (serial.SerialException, OSError, ValueError):
            self._drop()
            return PrintStatus.OFFLINE
        if len(answer) != 1 or answer[0] & FIXED_BITS != FIXED_BITS or answer[0] & 0x81:
            return PrintStatus.OFFLINE
        if answer[0] & PAPER_END:
            return PrintStatus.PAPER_OUT
        if answer[0] & PAPER_NEAR_END:
            log.info("printer_paper_near_end")
        return PrintStatus.PRINTED

    def print_slip(self, slip: Slip) -> PrintStatus:
        status = self.paper()
        if status is not PrintStatus.PRINTED:
            log.warning("printer_not_ready", status=str(status))
            return status or PrintStatus.OFFLINE
        data = reception_slip(slip.clinic, slip.number, slip.when, slip.department, slip.name, note=slip.note)
        try:
            port = self._open()
            port.write(data)
            port.flush()
        except (serial.SerialException, OSError):
            self._drop()
            return PrintStatus.OFFLINE
        return PrintStatus.PRINTED

    def close(self) -> None:
        self._drop()
