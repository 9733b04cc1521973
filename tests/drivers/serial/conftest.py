"""Real PTY pairs (socat) for the serial tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.demo.pty_pair import PtyPair
from tests.conftest import need_stack


@pytest.fixture
def pty(tmp_path: Path) -> Iterator[PtyPair]:
    need_stack(shutil.which("socat") is not None, "socat")
    pair = PtyPair(tmp_path)
    pair.start()
    yield pair
    pair.stop()
