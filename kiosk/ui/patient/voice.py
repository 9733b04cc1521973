"""What the kiosk says on each screen, the tones it plays, and the Qt player that plays them.

Every screen speaks its instruction (research kiosk-packaging §1.4: face-auth readers have no voice, and a
visually impaired patient could not find the camera). The lines are the fixed catalogue (SAY), rendered to WAV
files at build time by scripts/render_voice.py — nothing is synthesised or downloaded at run time. A name is
never spoken; the reception number is composed from number clips. A language without a rendered voice speaks
Japanese. Tones stay under 2.5 kHz (JIS S 0013) with distinct patterns for touch, success, error and attention.
"""

from __future__ import annotations

import tempfile
import wave
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from kiosk.core.kiosk_flow import KioskFlow, Screen
from kiosk.core.kiosk_states import Visit
from kiosk.logsetup import get_logger

log = get_logger("uketsuke.kiosk_voice")

SOUNDS = Path(__file__).parent / "sounds"
#: The format every clip is rendered in, so clips can be joined into one utterance without a gap or a click.
RATE, WIDTH, CHANNELS = 16_000, 2, 1


class Tone(StrEnum):
    TOUCH = "touch"  # a short tick on every tap
    SUCCESS = "success"  # rising: received
    ERROR = "error"  # falling: go to the counter
    ATTENTION = "attention"  # three beeps: take your card


#: The SAY line each screen speaks (card_wait depends on the card, see utterance()).
SCREEN_LINES: dict[Screen, str] = {
    Screen.WELCOME: "welcome",
    Screen.METHOD: "method",
    Screen.FACE_WAIT: "face_wait",
    Screen.PICK_BIRTHDATE: "pick_birthdate",
    Screen.CONFIRM_PERSON: "confirm_person",
    Screen.CHECKING: "checking",
    Screen.CARD_WAIT: "card_wait",
    Screen.PIN_ENTRY: "pin_entry",
    Screen.READING: "reading",
    Screen.OFFER_REFERENCE: "offer_reference",
    Screen.APPOINTMENT: "appointment",
    Screen.DEPARTMENT: "department",
    Screen.CONFIRM: "confirm",
    Screen.TAKE_CARD: "take_card",
    Screen.DONE: "done",
    Screen.FIRST_VISIT: "first_visit",
    Screen.COUNTER: "counter",
    Screen.STAFF_CALLED: "staff_called",
    Screen.UNAVAILABLE: "unavailable",
}

SCREEN_TONES: dict[Screen, Tone] = {
    Screen.DONE: Tone.SUCCESS,
    Screen.COUNTER: Tone.ERROR,
    Screen.FIRST_VISIT: Tone.ERROR,
    Screen.UNAVAILABLE: Tone.ERROR,
    Screen.TAKE_CARD: Tone.ATTENTION,
    Screen.STAFF_CALLED: Tone.ATTENTION,
}

#: Languages whose numbers are read as numbers (三百二十一); the others read the digits one by one.
NUMBER_WORDS = {"ja", "easy"}
VOICE_OF = {"easy": "ja"}  # やさしい日本語 has its own lines but the Japanese number clips


def number_clips(number: int, language: str) -> list[str]:
    """321 → ja/n300 ja/n20 ja/n1 (さんびゃく にじゅう いち); in other languages the digits: en/d3 en/d2 en/d1."""
    if language in NUMBER_WORDS and 0 < number < 10_000:
        voice = VOICE_OF.get(language, language)
        parts = []
        for unit in (1000, 100, 10, 1):
            digit = number // unit % 10
            if digit:
                parts.append(f"{voice}/n{digit * unit}")
        return parts
    return [f"{language}/d{d}" for d in str(number)]


def utterance(screen: Screen, visit: Visit) -> list[str]:
    """The clips the screen says now, as "language/name" ids (the notice first, when there is one)."""
    language = visit.language
    if visit.notice:
        return [f"{language}/{visit.notice}"]
    line = SCREEN_LINES[screen]
    if screen is Screen.CARD_WAIT and visit.path == "mynumber":
        line = "card_wait_mynumber"
    if screen is Screen.DONE and visit.ticket is not None:
        ticket = visit.ticket
        start = "done_already" if ticket.already else "done_appointment" if ticket.appointment_at else "done"
        return [f"{language}/{start}", *number_clips(visit.ticket.number, language), f"{language}/done_end"]
    return [f"{language}/{line}"]


def every_clip(languages: Sequence[str], say_keys: Sequence[str]) -> list[str]:
    """All clips a build must render: every line in every language, the number clips, the tones."""
    clips = [f"{language}/{key}" for language in languages for key in say_keys]
    for language in languages:
        if language in NUMBER_WORDS:
            if VOICE_OF.get(language, language) == language:
                clips += [f"{language}/n{d * unit}" for unit in (1000, 100, 10, 1) for d in range(1, 10)]
        else:
            clips += [f"{language}/d{d}" for d in range(10)]
    return clips + [f"tones/{tone.value}" for tone in Tone]


def clip_path(clip: str, root: Path = SOUNDS) -> Path | None:
    """The file of a clip; a language without that clip falls back to the Japanese voice."""
    path = root / f"{clip}.wav"
    if path.is_file():
        return path
    language, _, name = clip.partition("/")
    if language not in ("ja", "tones"):
        if name[:1] in ("d", "n") and name[1:].isdigit():  # digits: the Japanese number clip of the same digit
            fallback = root / "ja" / f"n{name[1:]}.wav" if name[1:] != "0" else None
        else:
            fallback = root / "ja" / f"{name}.wav"
        if fallback is not None and fallback.is_file():
            return fallback
    return None


def join_clips(paths: Sequence[Path], out: Path) -> Path:
    """One WAV of several clips rendered in the same format (QSoundEffect plays one source at a time)."""
    with wave.open(str(out), "wb") as joined:
        joined.setnchannels(CHANNELS)
        joined.setsampwidth(WIDTH)
        joined.setframerate(RATE)
        for path in paths:
            with wave.open(str(path), "rb") as clip:
                if (clip.getframerate(), clip.getsampwidth(), clip.getnchannels()) != (RATE, WIDTH, CHANNELS):
                    log.warning("kiosk_voice_clip_format", clip=path.name)
                    continue
                joined.writeframes(clip.readframes(clip.getnframes()))
    return out


class Sounds(Protocol):
    """Where speech and tones go: Qt's audio on the kiosk, a recorder in tests."""

    def say(self, clips: Sequence[str], tone: Tone | None) -> None: ...

    def tone(self, tone: Tone) -> None: ...


class RecordedSounds:
    """Remembers what would have been played (tests; a kiosk started with sound off)."""

    def __init__(self) -> None:
        self.said: list[tuple[tuple[str, ...], Tone | None]] = []
        self.tones: list[Tone] = []

    def say(self, clips: Sequence[str], tone: Tone | None) -> None:
        self.said.append((tuple(clips), tone))

    def tone(self, tone: Tone) -> None:
        self.tones.append(tone)


class Speaker:
    """Speaks each new screen (and each new notice on it) once; every tap ticks."""

    def __init__(self, flow: KioskFlow, sounds: Sounds) -> None:
        self.flow = flow
        self.sounds = sounds
        self._last: tuple[Screen, str | None, str, int | None, bool] | None = None
        flow.subscribe(self.changed)
        self.changed()

    def changed(self) -> None:
        visit = self.flow.visit
        screen = self.flow.screen
        ticket = visit.ticket.number if visit.ticket else None
        now = (screen, visit.notice, visit.language, ticket, self.flow.idle_warning)
        if now == self._last:
            return  # the idle countdown ticking: nothing new to say
        same_screen = self._last is not None and self._last[0] is screen
        self._last = now
        if self.flow.idle_warning:
            self.sounds.say([f"{visit.language}/idle"], Tone.ATTENTION)  # 続けますか
            return
        tone = None if same_screen else SCREEN_TONES.get(screen)
        self.sounds.say(utterance(screen, visit), tone)

    def again(self) -> None:
        """もう一度きく: the current screen's line once more."""
        self.sounds.say(utterance(self.flow.screen, self.flow.visit), None)

    def touched(self) -> None:
        self.sounds.tone(Tone.TOUCH)


class QtSounds:
    """QSoundEffect (Qt Multimedia, low latency for uncompressed WAV). Clips are joined into one file in a private
    temporary folder (the numbers spoken are reception numbers, never personal data); tones are preloaded."""

    def __init__(self, *, volume: float, root: Path = SOUNDS) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtMultimedia import QSoundEffect

        self._url = QUrl.fromLocalFile
        self.root = root
        self.volume = max(0.0, min(1.0, volume))
        self._work = Path(tempfile.mkdtemp(prefix="uketsuke-voice-"))
        self._turn = 0
        self._speech = [QSoundEffect(), QSoundEffect()]  # alternate, so the one still fading out is never reused
        self._tones: dict[Tone, QSoundEffect] = {}
        for tone in Tone:
            path = clip_path(f"tones/{tone.value}", root)
            if path is not None:
                effect = QSoundEffect()
                effect.setSource(QUrl.fromLocalFile(str(path)))
                effect.setVolume(self.volume)
                self._tones[tone] = effect
        self.missing_reported: set[str] = set()
        self.last_source: Path | None = None

    def say(self, clips: Sequence[str], tone: Tone | None) -> None:
        paths = [p for p in (self._found(c) for c in ([f"tones/{tone.value}"] if tone else []) + list(clips)) if p]
        for effect in self._speech:
            effect.stop()
        if not paths:
            return
        self._turn += 1  # a new name each time: QSoundEffect does not reload a source it already has
        out = join_clips(paths, self._work / f"say{self._turn}.wav")
        (self._work / f"say{self._turn - 2}.wav").unlink(missing_ok=True)
        effect = self._speech[self._turn % 2]
        effect.setSource(self._url(str(out)))
        effect.setVolume(self.volume)
        effect.play()
        self.last_source = out

    def tone(self, tone: Tone) -> None:
        effect = self._tones.get(tone)
        if effect is not None:
            effect.play()

    def _found(self, clip: str) -> Path | None:
        path = clip_path(clip, self.root)
        if path is None and clip not in self.missing_reported:
            self.missing_reported.add(clip)
            log.warning("kiosk_voice_clip_missing", clip=clip,
                        ja="音声ファイルがありません（scripts/render_voice.py で作成します）",
                        en="a voice clip is missing (scripts/render_voice.py renders them)")  # fmt: skip
        return path

    def playing(self) -> bool:
        return any(e.isPlaying() for e in self._speech)
