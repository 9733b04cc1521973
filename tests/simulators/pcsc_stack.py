"""A real PC/SC stack per test module: pyscard → libpcsclite → pcscd → vpcd → virtual cards.

pcscd and the cards run in their own user, mount and network namespace (unprivileged where the
kernel allows it): pcscd's socket is a private directory and vpcd's card ports exist only on that
namespace's loopback. With CI=true a missing stack fails the tests instead of skipping them.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

VPCD = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
PCSCD = Path("/usr/sbin/pcscd")
ROOT = Path(__file__).resolve().parents[2]
READER = "Uketsuke Test PCD"


class Stack:
    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process

    def send(self, **request: Any) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer: dict[str, Any] = json.loads(self.process.stdout.readline())
        assert answer.get("ok"), answer.get("error")
        return answer

    def reader(self, slot: int = 0) -> str:
        return f"{READER} 00 {slot:02d}"

    def insert(self, slot: int = 0, **card: Any) -> None:
        """Insert a virtual card and wait until pcscd has powered it up."""
        self.send(cmd="insert", slot=slot, **card)
        wait_for_state(self.reader(slot), present=True)

    def remove(self, slot: int = 0) -> None:
        self.send(cmd="remove", slot=slot)
        wait_for_state(self.reader(slot), present=False)


def wait_for_state(reader: str, *, present: bool, timeout: float = 10.0) -> None:
    from smartcard.scard import (
        SCARD_S_SUCCESS,
        SCARD_SCOPE_USER,
        SCARD_STATE_PRESENT,
        SCARD_STATE_UNAWARE,
        SCardEstablishContext,
        SCardGetStatusChange,
        SCardReleaseContext,
    )

    result, context = SCardEstablishContext(SCARD_SCOPE_USER)
    assert result == SCARD_S_SUCCESS
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result, states = SCardGetStatusChange(context, 100, [(reader, SCARD_STATE_UNAWARE)])
            if result == SCARD_S_SUCCESS and bool(states[0][1] & SCARD_STATE_PRESENT) == present:
                time.sleep(0.05)
                return
            time.sleep(0.05)
        raise AssertionError(f"{reader}: card {'present' if present else 'absent'} expected")
    finally:
        SCardReleaseContext(context)


def readers() -> list[str]:
    from smartcard.scard import SCARD_S_SUCCESS, SCARD_SCOPE_USER, SCardEstablishContext, SCardListReaders

    result, context = SCardEstablishContext(SCARD_SCOPE_USER)
    if result != SCARD_S_SUCCESS:
        return []
    _result, names = SCardListReaders(context, [])
    return list(names or [])


@contextmanager
def running_stack(base: Path) -> Iterator[Stack]:
    """Start pcscd + vpcd + the card server in a private namespace; the client socket goes in the environment."""
    sockets, conf = base / "run", base / "conf"
    sockets.mkdir()
    conf.mkdir()
    port = random.randrange(40000, 60000, 2)
    (conf / "vpcd").write_text(
        f'FRIENDLYNAME "{READER}"\nDEVICENAME /dev/null:0x{port:X}\nLIBPATH {VPCD}\nCHANNELID 0x{port:X}\n'
    )
    script = (
        f"ip link set lo up && mount -t tmpfs tmpfs /run && mkdir -p /run/pcscd && "
        f"mount --bind {sockets} /run/pcscd && exec {sys.executable} -m tests.simulators.card_server {conf} {port}"
    )
    process = subprocess.Popen(
        ["unshare", "--user", "--map-root-user", "--mount", "--net", "sh", "-c", script],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    previous = os.environ.get("PCSCLITE_CSOCK_NAME")
    os.environ["PCSCLITE_CSOCK_NAME"] = str(sockets / "pcscd.comm")
    deadline = time.monotonic() + 20
    while len([r for r in readers() if r.startswith(READER)]) < 2:
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise RuntimeError("pcscd with vpcd did not come up")
        time.sleep(0.1)
    stack = Stack(process)
    try:
        yield stack
    finally:
        with suppress(AssertionError, BrokenPipeError, ValueError):
            stack.send(cmd="quit")
        process.wait(timeout=10)
        if previous is None:
            os.environ.pop("PCSCLITE_CSOCK_NAME", None)
        else:
            os.environ["PCSCLITE_CSOCK_NAME"] = previous


def stack_available() -> bool:
    return all((PCSCD.exists(), VPCD.exists(), shutil.which("unshare"), shutil.which("ip")))
