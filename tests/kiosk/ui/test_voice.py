"""Every screen speaks (issue 18): a line for every screen in every language, playback requested on every screen
change and notice, a tone for success, error and attention, and no name ever spoken."""

from __future__ import annotations

import wave
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.core.kiosk_flow import Screen
from kiosk.core.kiosk_ports import Ticket
from kiosk.core.kiosk_states import Visit
from kiosk.ui.patient.catalog import LANGUAGES, SAY
from kiosk.ui.patient.voice import (
    RATE,
    SCREEN_LINES,
    RecordedSounds,
    Tone,
    clip_path,
    every_clip,
    join_clips,
    number_clips,
    utterance,
)
from tests.kiosk.ui.conftest import TARO, Clinic


@pytest.fixture
def desk_mode() -> str:
    """What the kiosk says does not depend on where its desk is."""
    return "local"


def test_every_screen_has_a_spoken_line_in_every_language() -> None:
    assert set(SCREEN_LINES) == set(Screen)
    for screen, line in SCREEN_LINES.items():
        for language in LANGUAGES:
            assert SAY[line][language].strip(), (screen, language)
    for key, entry in SAY.items():
        assert set(entry) == set(LANGUAGES), key
        assert not any("{" in value or "様" in value for value in entry.values()), key  # no names, no markup


def test_numbers_are_read_as_numbers_in_japanese_and_digit_by_digit_elsewhere() -> None:
    assert number_clips(321, "ja") == ["ja/n300", "ja/n20", "ja/n1"]
    assert number_clips(1005, "easy") == ["ja/n1000", "ja/n5"]
    assert number_clips(40, "ko") == ["ko/d4", "ko/d0"]
    visit = Visit("s", datetime(2026, 12, 1, 9), language="en", ticket=Ticket(12, "内科", "r", already=True))
    assert utterance(Screen.DONE, visit) == ["en/done_already", "en/d1", "en/d2", "en/done_end"]
    booked = Visit("s", datetime(2026, 12, 1, 9), ticket=Ticket(7, "内科", "r", appointment_at="10:30"))
    assert utterance(Screen.DONE, booked) == ["ja/done_appointment", "ja/n7", "ja/done_end"]  # 予約受付 is said


def test_a_missing_language_clip_falls_back_to_japanese(tmp_path: Path) -> None:
    (tmp_path / "ja").mkdir()
    for name in ("welcome", "n3"):
        (tmp_path / "ja" / f"{name}.wav").write_bytes(b"RIFF")
    assert clip_path("vi/welcome", tmp_path) == tmp_path / "ja" / "welcome.wav"
    assert clip_path("vi/d3", tmp_path) == tmp_path / "ja" / "n3.wav"
    assert clip_path("vi/d0", tmp_path) is None  # there is no Japanese clip for a lone zero
    assert clip_path("tones/touch", tmp_path) is None


def test_clips_join_into_one_gapless_utterance(tmp_path: Path) -> None:
    paths = []
    for index, frames in enumerate((1600, 3200)):
        path = tmp_path / f"{index}.wav"
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(RATE)
            out.writeframes(b"\x01\x00" * frames)
        paths.append(path)
    joined = join_clips(paths, tmp_path / "joined.wav")
    with wave.open(str(joined), "rb") as result:
        assert result.getnframes() == 4800


def test_the_rendered_catalogue_is_complete() -> None:
    """scripts/render_voice.py (run by setup) rendered every clip, tones included."""
    from tests.conftest import need_stack

    root = Path(__file__).resolve().parents[3] / "kiosk" / "ui" / "patient" / "sounds"
    need_stack((root / "manifest.json").is_file(), "the rendered voice (scripts/render_voice.py)")
    missing = [c for c in every_clip(list(LANGUAGES), list(SAY)) if not (root / f"{c}.wav").is_file()]
    assert missing == []


def test_playback_is_requested_on_every_screen_change(clinic: Clinic) -> None:
    sounds = RecordedSounds()
    kiosk = clinic.kiosk(sounds=sounds)
    assert sounds.said[-1] == (("ja/welcome",), None)
    clinic.to_face_reader(kiosk, TARO)
    for key in ("key_9", "key_9", "key_1", "key_3", "key_4", "key_0", "key_ok"):  # an impossible date
        clinic.tap(kiosk, key)
    clinic.enter_birthdate(kiosk, TARO.birthdate)
    clinic.tap(kiosk, "btn_yes")
    clinic.tap(kiosk, "dept_01")
    clinic.tap(kiosk, "btn_confirm")
    said = [clips[0] for clips, _tone in sounds.said]
    assert said == ["ja/welcome", "ja/method", "ja/face_wait", "ja/pick_birthdate", "ja/birth.impossible",
                    "ja/confirm_person", "ja/department", "ja/confirm", "ja/done"]  # fmt: skip
    number = kiosk.flow.visit.ticket.number if kiosk.flow.visit.ticket else 0
    assert sounds.said[-1] == (("ja/done", *number_clips(number, "ja"), "ja/done_end"), Tone.SUCCESS)
    assert sounds.tones.count(Tone.TOUCH) >= 10  # every tap ticks
    spoken = " ".join(SAY[c.split("/", 1)[1]]["ja"] for clips, _ in sounds.said for c in clips
                      if c.split("/", 1)[1] in SAY)  # fmt: skip
    assert "太郎" not in spoken and "試験" not in spoken


def test_the_chosen_language_is_spoken_and_errors_have_their_tone(clinic: Clinic) -> None:
    sounds = RecordedSounds()
    kiosk = clinic.kiosk(sounds=sounds)
    clinic.tap(kiosk, "lang_ko")
    clinic.tap(kiosk, "btn_start")
    assert sounds.said[-1] == (("ko/method",), None)
    clinic.tap(kiosk, "btn_first")
    assert sounds.said[-1] == (("ko/first_visit",), Tone.ERROR)


def test_the_idle_warning_is_spoken_once_while_it_counts_down(clinic: Clinic) -> None:
    sounds = RecordedSounds()
    kiosk = clinic.kiosk(sounds=sounds, idle_seconds=30, idle_warning_seconds=20)
    clinic.tap(kiosk, "btn_start")
    clinic.clock.advance(31)
    kiosk.flow.tick()
    for _ in range(5):  # the countdown moves every tick
        clinic.clock.advance(1)
        kiosk.flow.tick()
    assert [s for s in sounds.said if s[0] == ("ja/idle",)] == [(("ja/idle",), Tone.ATTENTION)]
