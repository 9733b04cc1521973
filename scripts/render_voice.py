#!/usr/bin/env python3
"""Render the kiosk's spoken catalogue and tones to WAV files, at build time (setup, the Windows package).

Japanese and やさしい日本語: Open JTalk through pyopenjtalk-plus (its dictionary and HTS voice ship inside the
wheel — nothing is downloaded). English, 中文, 한국어, Tiếng Việt: espeak-ng (Debian) where installed; a language
without a voice falls back to Japanese at run time. Tones are synthesised here (sine, < 2.5 kHz). Every clip is
16 kHz mono 16-bit so the kiosk can join clips without a gap. A manifest of text hashes skips clips that did
not change, so running it again is quick.

    python scripts/render_voice.py [OUTDIR]
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.ui.patient.catalog import LANGUAGES, SAY  # noqa: E402
from kiosk.ui.patient.voice import RATE, SOUNDS, Tone, every_clip  # noqa: E402

ESPEAK_VOICES = {"en": "en-us", "zh": "cmn", "ko": "ko", "vi": "vi"}
JA_NUMBERS = {1: "いち", 2: "に", 3: "さん", 4: "よん", 5: "ご", 6: "ろく", 7: "なな", 8: "はち", 9: "きゅう"}
DIGITS = {
    "en": ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"],
    "zh": ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"],
    "ko": ["공", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구"],
    "vi": ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"],
}


def ja_number(value: int) -> str:
    """The kanji of 1–9, 10–90, 100–900, 1000–9000 (Open JTalk reads 三百 as さんびゃく)."""
    kanji = "〇一二三四五六七八九"
    for unit, mark in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        if value % unit == 0 and value // unit < 10:
            digit = value // unit
            return (kanji[digit] if digit > 1 or unit == 1 else "") + mark
    raise ValueError(value)


def text_of(clip: str) -> str:
    language, name = clip.split("/", 1)
    if name in SAY:
        return SAY[name][language]
    if name.startswith("n"):
        return ja_number(int(name[1:])) if language in ("ja", "easy") else str(int(name[1:]))
    if name.startswith("d"):
        return DIGITS.get(language, [str(d) for d in range(10)])[int(name[1:])]
    raise KeyError(clip)


def resample(samples: np.ndarray, rate: int) -> np.ndarray:
    if rate == RATE:
        return samples
    positions = np.arange(0, len(samples) * RATE / rate) * rate / RATE
    return np.interp(positions, np.arange(len(samples)), samples)


def write(path: Path, samples: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(np.clip(samples, -32768, 32767).astype("<i2").tobytes())


def japanese(text: str) -> np.ndarray:
    import pyopenjtalk  # build-time only (dev dependency)

    samples, rate = pyopenjtalk.tts(text)
    # a 3-tap average before dropping to 16 kHz keeps the 48 kHz voice from aliasing
    smoothed = np.convolve(samples, np.ones(3) / 3, mode="same")
    return resample(smoothed, rate)


def espeak(language: str, text: str) -> np.ndarray | None:
    binary = shutil.which("espeak-ng")
    if binary is None:
        return None
    with tempfile.NamedTemporaryFile(suffix=".wav") as tmp:
        subprocess.run([binary, "-v", ESPEAK_VOICES[language], "-s", "140", "-w", tmp.name, text], check=True,
                       capture_output=True, timeout=60)  # fmt: skip
        with wave.open(tmp.name, "rb") as clip:
            rate = clip.getframerate()
            raw = np.frombuffer(clip.readframes(clip.getnframes()), dtype="<i2").astype(float)
    return resample(raw, rate)


def tone(kind: Tone) -> np.ndarray:
    """Touch: one 60 ms tick; success: rising 660→990 Hz; error: falling 880→587 Hz; attention: three 1 kHz beeps."""
    patterns = {
        Tone.TOUCH: [(1000, 0.06)],
        Tone.SUCCESS: [(660, 0.14), (990, 0.22)],
        Tone.ERROR: [(880, 0.2), (0, 0.06), (587, 0.3)],
        Tone.ATTENTION: [(1000, 0.12), (0, 0.1), (1000, 0.12), (0, 0.1), (1000, 0.12)],
    }
    parts = []
    for frequency, seconds in patterns[kind]:
        t = np.arange(int(RATE * seconds)) / RATE
        envelope = np.minimum(1, np.minimum(t, seconds - t) / 0.01)  # 10 ms ramps: no clicks
        parts.append(0.45 * 32767 * envelope * np.sin(2 * math.pi * frequency * t) if frequency else 0 * t)
    parts.append(np.zeros(int(RATE * 0.08)))
    return np.concatenate(parts)


def render(out: Path) -> dict[str, int]:
    manifest_path = out / "manifest.json"
    manifest: dict[str, str] = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    counts = {"rendered": 0, "kept": 0, "no_voice": 0}
    for clip in every_clip(list(LANGUAGES), list(SAY)):
        path = out / f"{clip}.wav"
        language = clip.split("/", 1)[0]
        text = clip if language == "tones" else text_of(clip)
        digest = hashlib.sha256(f"v1|{text}".encode()).hexdigest()[:16]
        if manifest.get(clip) == digest and path.is_file():
            counts["kept"] += 1
            continue
        if language == "tones":
            samples: np.ndarray | None = tone(Tone(clip.split("/", 1)[1]))
        elif language in ("ja", "easy"):
            samples = japanese(text)
        else:
            samples = espeak(language, text)
        if samples is None:
            counts["no_voice"] += 1
            continue
        lead = np.zeros(int(RATE * 0.05))
        write(path, np.concatenate([lead, samples]))
        manifest[clip] = digest
        counts["rendered"] += 1
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return counts


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else SOUNDS
    result = render(target)
    size = sum(p.stat().st_size for p in target.rglob("*.wav"))
    print(f"render_voice: {result} in {target} ({size / 1e6:.1f} MB)")
