"""The sound the staff console makes when a patient presses 係員を呼ぶ at a kiosk: the kiosk's own attention
tone (a WAV in the bundle), through Qt Multimedia. A PC without sound output still shows the alert."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QUrl

from kiosk.logsetup import get_logger

log = get_logger("uketsuke.staff")
TONE = Path(__file__).resolve().parents[1] / "patient" / "sounds" / "tones" / "attention.wav"


class Chime(QObject):
    def __init__(self, tone: Path = TONE) -> None:
        super().__init__()
        self.tone = tone
        self.played = 0  # how often it was asked to sound (the console's record, also for tests)
        self._effect: object | None = None

    def play(self) -> None:
        self.played += 1
        try:
            if self._effect is None:
                from PySide6.QtMultimedia import QSoundEffect

                effect = QSoundEffect(self)
                effect.setSource(QUrl.fromLocalFile(str(self.tone)))
                effect.setVolume(0.8)
                self._effect = effect
            self._effect.play()  # type: ignore[attr-defined]
        except Exception as exc:  # no audio stack: the alert line and the tray message still say it
            log.warning("staff_chime_failed", error=type(exc).__name__)
