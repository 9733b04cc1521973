"""Play what the done screen says through the kiosk's real QSoundEffect player, in its own process (so PulseAudio
is chosen from this process's environment). Prints one JSON object: {"played": bool, "seconds": float, "source"}.

    PULSE_SERVER=unix:/…/native python -m tests.kiosk.ui.voice_playback
"""

from __future__ import annotations

import json
import os
import sys
import time
import wave
from datetime import datetime

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from kiosk.core.kiosk_flow import Screen
from kiosk.core.kiosk_ports import Ticket
from kiosk.core.kiosk_states import Visit
from kiosk.ui.patient.voice import QtSounds, Tone, utterance


def main() -> dict[str, object]:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    sounds = QtSounds(volume=1.0)
    visit = Visit("voice-test", datetime.now(), ticket=Ticket(321, "内科", "r1"))
    sounds.say(utterance(Screen.DONE, visit), Tone.SUCCESS)
    source = sounds.last_source
    seconds = 0.0
    if source is not None:
        with wave.open(str(source), "rb") as joined:
            seconds = joined.getnframes() / joined.getframerate()
    started = time.monotonic()
    began = False
    while time.monotonic() - started < seconds + 5:
        app.processEvents()
        began = began or sounds.playing()
        if began and not sounds.playing():
            break
        time.sleep(0.01)
    return {"played": began, "seconds": seconds, "source": str(source), "missing": sorted(sounds.missing_reported)}


if __name__ == "__main__":
    print(json.dumps(main()))
