"""A simulated ESC/POS 受付票 printer on the device side of a PTY: answers the paper sensor query
(DLE EOT 4) and keeps every other byte it was sent, so tests can look at what was printed."""

from __future__ import annotations

import threading

import serial

STATUS_QUERY = b"\x10\x04\x04"
PAPER_OK, PAPER_OUT = 0x12, 0x72


class SimulatedPrinter:
    def __init__(self, path: str) -> None:
        self.port = serial.Serial(path, 9600, timeout=0.05)
        self.paper_out = False
        self.silent = False
        self.printed = bytearray()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        pending = b""
        while not self._stop.is_set():
            try:
                chunk = self.port.read(256)
            except (serial.SerialException, OSError):
                return
            pending += chunk
            while STATUS_QUERY in pending:
                before, pending = pending.split(STATUS_QUERY, 1)
                self.printed += before
                if not self.silent:
                    self.port.write(bytes([PAPER_OUT if self.paper_out else PAPER_OK]))
            tail = 2 if pending.endswith(b"\x10\x04") else 1 if pending.endswith(b"\x10") else 0  # a query may be split
            self.printed += pending[: len(pending) - tail]
            pending = pending[len(pending) - tail :]

    def slips(self) -> int:
        return bytes(self.printed).count(b"\x1dVB\x00")  # one cut per slip

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.port.close()
