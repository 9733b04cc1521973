"""PC/SC benchmark (run on demand, as root or with user namespaces): basic-4 reads through the real
pcscd + vpcd stack against the virtual card.

    .venv/bin/python -m tests.bench.bench_pcsc [--reads 50]

Reports APDUs per read and the software overhead per read: wall time minus the card's own time
(what remains is our driver, pyscard, libpcsclite, pcscd and vpcd's socket round trips).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from drivers.pcsc.mynumber import read_basic4
from drivers.pcsc.transport import PyscardChannel
from tests.simulators.pcsc_stack import running_stack


def driver_only(reads: int) -> float:
    """Our own code per read (allow-list, flow, BER) with the card object called directly: ms, median."""
    from tests.simulators.virtual_cards import DirectChannel, MyNumberCard

    times = []
    for _ in range(reads):
        card = MyNumberCard()
        started = time.perf_counter()
        read_basic4(DirectChannel(card), lambda tries: "1234")
        times.append((time.perf_counter() - started - card.busy) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reads", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, running_stack(Path(tmp)) as stack:
        stack.insert(0, card="myna")
        walls, apdus = [], 0
        busy_before = 0.0
        overheads = []
        for _ in range(args.reads):
            started = time.perf_counter()
            channel = PyscardChannel(stack.reader(0))
            try:
                read_basic4(channel, lambda tries: "1234")
            finally:
                channel.close()
            wall = time.perf_counter() - started
            state = stack.send(cmd="state", slot=0)
            busy = state["busy"] - busy_before
            busy_before = state["busy"]
            walls.append(wall * 1000)
            overheads.append((wall - busy) * 1000)
            apdus = len(state["apdus"]) // (len(walls))
        stack.remove(0)
    print(f"basic-4 read: {apdus} APDUs; wall p50 {statistics.median(walls):.1f} ms; "
          f"software overhead p50 {statistics.median(overheads):.1f} ms "
          f"({statistics.median(overheads) / apdus:.1f} ms per APDU), n={args.reads}")  # fmt: skip
    print(f"driver code alone (no PC/SC round trips): p50 {driver_only(1000):.3f} ms per read")


if __name__ == "__main__":
    main()
