"""Opening a serial port by name or by USB identity (COM numbers move on Windows), and reopening it
with backoff when a USB-serial adapter is unplugged and plugged back."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import serial
from serial.tools import list_ports


@dataclass(frozen=True)
class PortSpec:
    name: str = ""  # COM3, /dev/ttyUSB0, or a symlink
    vid: int | None = None
    pid: int | None = None
    serial_number: str = ""
    baudrate: int = 9600
    bytesize: int = 8
    parity: str = "N"
    stopbits: float = 1


def find_device(spec: PortSpec) -> str | None:
    """The device path: the configured name, else the USB adapter with this VID/PID (and serial number)."""
    if spec.name:
        return spec.name
    for port in list_ports.comports():
        if spec.vid is not None and port.vid != spec.vid:
            continue
        if spec.pid is not None and port.pid != spec.pid:
            continue
        if spec.serial_number and port.serial_number != spec.serial_number:
            continue
        if spec.vid is not None or spec.pid is not None or spec.serial_number:
            return str(port.device)
    return None


class ReconnectingPort:
    """A pyserial port that reopens itself (bounded backoff) after the device went away."""

    def __init__(self, spec: PortSpec, *, max_backoff: float = 5.0) -> None:
        self.spec = spec
        self.max_backoff = max_backoff
        self.timeout: float | None = 0.5
        self._port: Any = None
        self._backoff = 0.1
        self.reconnects = 0

    def _ensure(self) -> Any:
        if self._port is not None:
            return self._port
        device = find_device(self.spec)
        if device is None:
            self._wait()
            raise serial.SerialException("device not present")
        try:
            self._port = serial.Serial(device, self.spec.baudrate, bytesize=self.spec.bytesize, parity=self.spec.parity,
                                       stopbits=self.spec.stopbits, timeout=self.timeout)  # fmt: skip
        except (serial.SerialException, OSError) as exc:
            self._wait()
            raise serial.SerialException(str(exc)) from None
        self._backoff = 0.1
        self.reconnects += 1
        return self._port

    def _wait(self) -> None:
        time.sleep(self._backoff)
        self._backoff = min(self.max_backoff, self._backoff * 2)

    def _drop(self) -> None:
        try:
            if self._port is not None:
                self._port.close()
        finally:
            self._port = None

    def read(self, size: int = 1) -> bytes:
        try:
            port = self._ensure()
            port.timeout = self.timeout
            return bytes(port.read(size))
        except (serial.SerialException, OSError):
            self._drop()
            return b""

    def write(self, data: bytes) -> int | None:
        try:
            written: int | None = self._ensure().write(data)
            return written
        except (serial.SerialException, OSError):
            self._drop()
            return None

    def flush(self) -> None:
        try:
            if self._port is not None:
                self._port.flush()
        except (serial.SerialException, OSError):
            self._drop()

    def close(self) -> None:
        self._drop()
