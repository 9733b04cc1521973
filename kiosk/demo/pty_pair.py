"""A socat PTY pair: the host side for the code under test, the device side for a simulator."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path


class PtyPair:
    def __init__(self, folder: Path, name: str = "tty") -> None:
        self.host, self.device = str(folder / f"{name}HOST"), str(folder / f"{name}DEV")
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["socat", f"pty,raw,echo=0,link={self.host}", f"pty,raw,echo=0,link={self.device}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 5
        while not (Path(self.host).exists() and Path(self.device).exists()):
            assert time.monotonic() < deadline, "socat did not create the PTYs"
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=5)
            self.process = None
