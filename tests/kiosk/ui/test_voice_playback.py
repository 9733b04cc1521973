"""The kiosk really makes sound: a real PulseAudio server with a null sink, the kiosk's QSoundEffect player, and
parec recording the sink's monitor. The recording must hold the joined utterance (tone, line, number, end)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import need_stack

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def pulse(tmp_path: Path) -> Iterator[dict[str, str]]:
    need_stack(shutil.which("pulseaudio") is not None and shutil.which("parec") is not None,
               "PulseAudio (pulseaudio, pulseaudio-utils)")  # fmt: skip
    runtime = tmp_path / "pulse"
    runtime.mkdir(mode=0o700)
    socket = runtime / "native"
    env = os.environ | {"XDG_RUNTIME_DIR": str(runtime), "HOME": str(tmp_path), "PULSE_SERVER": f"unix:{socket}"}
    server = subprocess.Popen(
        ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--disallow-exit", "--log-target=stderr",
         "--load=module-null-sink sink_name=uketsuke_test rate=16000 channels=1",
         f"--load=module-native-protocol-unix socket={socket} auth-anonymous=1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while not socket.exists():
        assert server.poll() is None, server.stderr.read().decode()[-2000:] if server.stderr else ""
        assert time.monotonic() < deadline, "PulseAudio did not start"
        time.sleep(0.05)
    subprocess.run(["pactl", "set-default-sink", "uketsuke_test"], env=env, check=True, timeout=10)
    yield env
    server.terminate()
    server.wait(timeout=10)


def test_the_done_screen_is_heard_through_a_real_sound_server(pulse: dict[str, str], tmp_path: Path) -> None:
    sounds = ROOT / "kiosk" / "ui" / "patient" / "sounds"
    need_stack((sounds / "ja" / "done.wav").is_file(), "the rendered voice (scripts/render_voice.py)")
    recording = tmp_path / "heard.raw"
    with recording.open("wb") as out:
        recorder = subprocess.Popen(["parec", "--device=uketsuke_test.monitor", "--format=s16le", "--rate=16000",
                                     "--channels=1", "--latency-msec=20"], env=pulse, stdout=out)  # fmt: skip
        time.sleep(0.5)
        done = subprocess.run([sys.executable, "-m", "tests.kiosk.ui.voice_playback"], cwd=ROOT, env=pulse,
                              capture_output=True, text=True, timeout=60)  # fmt: skip
        time.sleep(0.5)
        recorder.terminate()
        recorder.wait(timeout=10)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["missing"] == [] and report["played"], report
    assert report["seconds"] > 3  # 受付しました。受付番号は さんびゃく にじゅう いち 番です…
    heard = np.frombuffer(recording.read_bytes(), dtype="<i2").astype(float)
    window = 1600  # 0.1 s
    loud = [float(np.sqrt(np.mean(heard[i : i + window] ** 2))) for i in range(0, len(heard) - window, window)]
    audible = sum(1 for rms in loud if rms > 300) / 10  # seconds of sound in the recording
    assert audible > report["seconds"] * 0.4, (audible, report["seconds"])  # speech has pauses; silence has none
