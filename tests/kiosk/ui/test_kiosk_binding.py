"""The binding rule (issue 18): a face result is offered to a kiosk session only when it is this patient's, and
nothing of it is shown before. Patient A is at the kiosk; the only result that arrives is patient B's, made at a
reader 10 s later (another reader, the counter's, the next person in line)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QPushButton
from sqlalchemy import select

from kiosk.core.kiosk_flow import Reason, Screen
from kiosk.store.models import KioskClaim
from tests.kiosk.ui.conftest import HANAKO, TARO, Clinic

# Everything of B that must never reach A's screen.
B_DETAILS = ("花子", "ハナコ", "昭和60", "1985", "7月7日")


def shown(clinic: Clinic) -> str:
    return "\n".join(clinic.kiosks[0].window.visible_texts())


def test_a_lone_foreign_result_is_never_shown_or_registered_for_the_patient_at_the_kiosk(clinic: Clinic) -> None:
    kiosk = clinic.kiosk()
    clinic.tap(kiosk, "btn_start")  # A (試験 太郎) starts the マイナ path
    clinic.tap(kiosk, "btn_face")
    clinic.clock.advance(9)
    b_face = clinic.face(HANAKO)  # 10 s later B uses a reader elsewhere; A's own result never comes
    kiosk.flow.tick()
    assert kiosk.flow.screen is Screen.PICK_BIRTHDATE  # one result in the window is not proof of anything
    assert not [d for d in B_DETAILS if d in shown(clinic)]
    # A taps every affirmative button there is and, asked, enters A's own birthdate — twice
    for _attempt in range(2):
        clinic.enter_birthdate(kiosk, TARO.birthdate)
        assert not [d for d in B_DETAILS if d in shown(clinic)]
        assert not visible(clinic, "btn_yes") and not visible(clinic, "btn_confirm")
    assert kiosk.flow.screen is Screen.COUNTER and kiosk.flow.visit.reason is Reason.BIRTHDATE
    assert kiosk.flow.visit.face is None
    assert not [d for d in B_DETAILS if d in shown(clinic)]
    assert clinic.receptions() == []
    with clinic.store.sessions() as session:  # B's result stays free for B
        assert session.get(KioskClaim, b_face) is None


def visible(clinic: Clinic, name: str) -> bool:
    return any(b.isVisible() for b in clinic.kiosks[0].window.findChildren(QPushButton, name))


@pytest.mark.parametrize("wrong", ["19800401", "19850708"])
def test_a_wrong_birthdate_never_names_anyone(clinic: Clinic, wrong: str) -> None:
    kiosk = clinic.kiosk()
    clinic.to_face_reader(kiosk, HANAKO)
    clinic.enter_birthdate(kiosk, wrong)
    assert kiosk.flow.screen is Screen.PICK_BIRTHDATE
    assert "見つかりません" in shown(clinic)
    assert not [d for d in B_DETAILS if d in shown(clinic)]


def test_the_patients_own_result_arriving_after_the_birthdate_is_bound(clinic: Clinic) -> None:
    """A quick patient types the birthdate while a foreign result waits; their own result comes a moment later."""
    kiosk = clinic.kiosk()
    clinic.to_face_reader(kiosk, HANAKO)
    clinic.enter_birthdate(kiosk, TARO.birthdate)  # not B's: "見つかりません" once
    clinic.face(TARO)
    kiosk.flow.tick()
    assert kiosk.flow.screen is Screen.CONFIRM_PERSON
    assert kiosk.flow.visit.face is not None and kiosk.flow.visit.face.name == TARO.name
    assert "試験 ○○ 様" in shown(clinic) and "花子" not in shown(clinic)


def test_a_result_after_the_window_is_foreign(clinic: Clinic) -> None:
    kiosk = clinic.kiosk(face_window_seconds=30)
    clinic.to_face_reader(kiosk, HANAKO)
    assert kiosk.flow.screen is Screen.PICK_BIRTHDATE
    clinic.clock.advance(40)
    clinic.face(TARO)  # long after the kiosk sent the patient to the reader
    clinic.enter_birthdate(kiosk, TARO.birthdate)
    assert kiosk.flow.screen is Screen.PICK_BIRTHDATE and kiosk.flow.visit.face is None


def test_a_paired_kiosk_offers_its_own_lone_result_at_once_but_not_an_earlier_one(clinic: Clinic) -> None:
    """`face_binding = "paired"`: the installer declares the kiosk's built-in reader the only source."""
    kiosk = clinic.kiosk(face_binding="paired", face_lead_seconds=60)
    clinic.face(HANAKO)  # before this patient asked for the reader: someone else's
    clinic.clock.advance(2)
    clinic.tap(kiosk, "btn_start")
    clinic.tap(kiosk, "btn_face")
    kiosk.flow.tick()
    assert kiosk.flow.screen is Screen.PICK_BIRTHDATE
    kiosk.flow.reset()
    with clinic.store.sessions() as session:
        assert session.scalars(select(KioskClaim)).all() == []
    clinic.clock.advance(61)  # 花子's result is now outside the lead
    clinic.to_face_reader(kiosk, TARO)
    assert kiosk.flow.screen is Screen.CONFIRM_PERSON
    assert kiosk.flow.visit.face is not None and kiosk.flow.visit.face.name == TARO.name
