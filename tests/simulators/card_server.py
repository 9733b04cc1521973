"""Runs inside a private user/mount/network namespace next to its own pcscd: vpcd's card ports are then
reachable from this namespace's loopback only. Commands arrive as JSON lines on stdin, answers leave
as JSON lines on stdout.

    python -m tests.simulators.card_server CONF_DIR PORT
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from typing import Any

from tests.simulators.virtual_cards import FelicaCard, MyNumberCard, VirtualCard


class Server:
    def __init__(self, conf_dir: str, port: int) -> None:
        self.conf_dir, self.port = conf_dir, port
        self.cards: dict[int, MyNumberCard | FelicaCard] = {}
        self.inserted: dict[int, VirtualCard] = {}
        self.pcscd: subprocess.Popen[bytes] | None = None

    def start_pcscd(self) -> None:
        self.pcscd = subprocess.Popen(["/usr/sbin/pcscd", "-f", "-c", self.conf_dir],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip

    def stop_pcscd(self) -> None:
        for slot in list(self.inserted):
            self.inserted.pop(slot).remove()
        if self.pcscd is not None:
            self.pcscd.terminate()
            self.pcscd.wait(timeout=10)
            self.pcscd = None

    def insert(self, slot: int, card: MyNumberCard | FelicaCard) -> None:
        if slot in self.inserted:
            self.inserted.pop(slot).remove()
        deadline = time.monotonic() + 10
        while True:
            try:
                self.inserted[slot] = VirtualCard(card, self.port + slot)
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        cmd, slot = request["cmd"], int(request.get("slot", 0))
        if cmd == "insert":
            fields = {k: v for k, v in request.items() if k not in ("cmd", "slot", "card")}
            card = MyNumberCard(**fields) if request["card"] == "myna" else FelicaCard(**fields)
            self.cards[slot] = card
            self.insert(slot, card)
        elif cmd == "reinsert":
            self.cards[slot].pull_after = None
            self.insert(slot, self.cards[slot])
        elif cmd == "remove":
            if slot in self.inserted:
                self.inserted.pop(slot).remove()
        elif cmd == "state":
            card = self.cards[slot]
            return {"ok": True, "apdus": card.apdus, "tries": getattr(card, "tries", None),
                    "resets": getattr(card, "resets", 0),
                    "busy": getattr(card, "busy", 0.0)}  # fmt: skip
        elif cmd == "pcscd":
            self.stop_pcscd() if request["action"] == "stop" else self.start_pcscd()
        elif cmd == "quit":
            self.stop_pcscd()
        return {"ok": True}


def main() -> None:
    server = Server(sys.argv[1], int(sys.argv[2]))
    server.start_pcscd()
    for line in sys.stdin:
        request = json.loads(line)
        try:
            answer = server.handle(request)
        except Exception as exc:  # reported to the test, which fails with the reason
            answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(answer), flush=True)
        if request["cmd"] == "quit":
            return
    server.stop_pcscd()


if __name__ == "__main__":
    socket.setdefaulttimeout(None)
    main()
