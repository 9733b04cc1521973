"""The patient kiosk end to end: Qt window (offscreen) → flow → desk → real store and registry, with the
simulated 資格確認端末 writing face files that the real ingest service stores and links."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel
from sqlalchemy import select

from kiosk.core.kiosk_flow import Reason, Screen
from kiosk.store.models import CrEntry, KioskClaim, StaffAlert
from tests.kiosk.ui.conftest import HANAKO, JIRO_NEW_JOB, PERSONAL, TARO, TWIN_FUTAKO, TWIN_ICHIKO, Clinic


def texts(clinic: Clinic, kiosk_index: int = 0) -> str:
    return "\n".join(clinic.kiosks[kiosk_index].window.visible_texts())


def alerts(clinic: Clinic) -> list[str]:
    with clinic.store.sessions() as session:
        return list(session.scalars(select(StaffAlert.code).order_by(StaffAlert.id)))


def test_mynumber_happy_path_registers_one_reception(clinic: Clinic) -> None:
    kiosk = clinic.kiosk()
    assert kiosk.flow.screen is Screen.WELCOME
    clinic.tap(kiosk, "btn_start")
    clinic.tap(kiosk, "btn_face")
    assert kiosk.flow.screen is Screen.FACE_WAIT
    face_id = clinic.face(TARO)
    kiosk.flow.tick()
    clinic.enter_birthdate(kiosk, TARO.birthdate)
    assert kiosk.flow.screen is Screen.CONFIRM_PERSON
    shown = texts(clinic)
    assert "試験 ○○ 様" in shown  # the family name only: the queue behind does not read the whole record
    assert "試験 太郎" not in shown and "昭和55年4月1日" not in shown and "タロウ" not in shown
    clinic.tap(kiosk, "btn_yes")
    assert kiosk.flow.screen is Screen.DEPARTMENT  # two departments: the patient chooses
    clinic.tap(kiosk, "dept_02")
    assert kiosk.flow.screen is Screen.CONFIRM
    assert "小児科" in texts(clinic)
    clinic.tap(kiosk, "btn_confirm")
    assert kiosk.flow.screen is Screen.DONE
    receptions = clinic.receptions()
    assert [(r.patient_id, r.department) for r in receptions] == [("2001", "02")]
    number = kiosk.window.current_page().findChild(QLabel, "ticketNumber")
    assert number is not None and number.text() == str(receptions[0].number)
    with clinic.store.sessions() as session:
        entries = session.scalars(select(CrEntry).where(CrEntry.face_file_id == face_id)).all()
        assert {e.reception_id for e in entries} == {receptions[0].reception_id}
        assert session.get(KioskClaim, face_id).state == "done"  # type: ignore[union-attr]
    # the 受付番号 screen returns to the start by itself, and the same face result cannot be used again
    clinic.clock.advance(16)
    kiosk.flow.tick()
    assert kiosk.flow.screen is Screen.WELCOME
    clinic.tap(kiosk, "btn_start")
    clinic.tap(kiosk, "btn_face")
    kiosk.flow.tick()
    assert kiosk.flow.screen is Screen.FACE_WAIT
    assert len(clinic.receptions()) == 1


def test_a_second_visit_the_same_day_is_told_first_and_shows_the_same_number(clinic: Clinic) -> None:
    kiosk = clinic.kiosk()
    clinic.visit_with_face(kiosk, TARO)
    assert kiosk.flow.visit.ticket is not None
    first = kiosk.flow.visit.ticket.number
    kiosk.flow.reset()
    clinic.to_face_reader(kiosk, TARO)
    clinic.enter_birthdate(kiosk, TARO.birthdate)
    clinic.tap(kiosk, "btn_yes")
    # 本日はすでに受付しています at once: the department screen is not shown again
    assert kiosk.flow.screen is Screen.DONE
    assert "本日は すでに 受付しています" in texts(clinic)
    assert kiosk.flow.visit.ticket is not None and kiosk.flow.visit.ticket.already
    assert kiosk.flow.visit.ticket.number == first
    assert len(clinic.receptions()) == 1


def test_two_patients_at_two_readers_each_get_their_own_result(clinic: Clinic) -> None:
    first, second = clinic.kiosk(kiosk_id="kiosk-1"), clinic.kiosk(kiosk_id="kiosk-2")
    for kiosk in (first, second):
        clinic.tap(kiosk, "btn_start")
        clinic.tap(kiosk, "btn_face")
    clinic.face(TARO)
    clinic.face(HANAKO)
    first.flow.tick()
    assert first.flow.screen is Screen.PICK_BIRTHDATE  # two unclaimed results: which one is yours?
    for key in ("era_S", "key_6", "key_0", "key_0", "key_7", "key_0", "key_7", "key_ok"):  # 昭和60年7月7日
        clinic.tap(first, key)
    assert first.flow.screen is Screen.CONFIRM_PERSON
    assert first.flow.visit.face is not None and first.flow.visit.face.name == "試験 花子"
    second.flow.tick()
    assert second.flow.screen is Screen.PICK_BIRTHDATE  # a lone result is still asked for: it may be anyone's
    clinic.enter_birthdate(second, TARO.birthdate)
    assert second.flow.screen is Screen.CONFIRM_PERSON  # only 太郎's result is left for the other kiosk
    assert second.flow.visit.face is not None and second.flow.visit.face.name == "試験 太郎"
    assert "花子" not in texts(clinic, 1) and "ハナコ" not in texts(clinic, 1)


def test_a_wrong_birthdate_twice_sends_the_patient_to_the_counter(clinic: Clinic) -> None:
    kiosk = clinic.kiosk()
    clinic.to_face_reader(kiosk, TARO, HANAKO)
    for _attempt in range(2):
        for key in ("era_H", "key_1", "key_0", "key_1", "key_0", "key_1", "key_0", "key_ok"):
            clinic.tap(kiosk, key)
    assert kiosk.flow.screen is Screen.COUNTER
    assert kiosk.flow.visit.reason is Reason.BIRTHDATE
    assert Reason.BIRTHDATE.value in texts(clinic)


def test_twins_with_the_same_birthdate_go_to_the_counter(clinic: Clinic) -> None:
    kiosk = clinic.kiosk()
    clinic.to_face_reader(kiosk, TWIN_ICHIKO, TWIN_FUTAKO)
    for key in ("era_H", "key_1", "key_2", "key_0", "key_2", "key_0", "key_2", "key_ok"):  # 平成12年2月2日
        clinic.tap(kiosk, key)
    assert kiosk.flow.screen is Screen.COUNTER
    assert kiosk.flow.visit.reason is Reason.FACE_AMBIGUOUS
    assert clinic.receptions() == []


def test_an_invalid_qualification_sends_the_patient_to_the_counter(clinic: Clinic) -> None:
    """QualificationValidity 3 (無効・新しい資格あり): the patient is known, but the kiosk does not receive them;
    the counter checks the insurance, told so in plain words (issue 17)."""
    clinic.terminal.behaviour.validity = "3"
    kiosk = clinic.kiosk()
    clinic.to_face_reader(kiosk, TARO)
    clinic.enter_birthdate(kiosk, TARO.birthdate)
    clinic.tap(kiosk, "btn_yes")
    assert kiosk.flow.screen is Screen.COUNTER and kiosk.flow.visit.reason is Reason.QUALIFICATION
    assert "保険" in texts(clinic) and "E-QUAL-01" in texts(clinic)
    assert alerts(clinic) == [Reason.QUALIFICATION.value]
    assert clinic.receptions() == []


def test_saying_no_releases_the_result_and_alerts_staff(clinic: Clinic) -> None:
    kiosk = clinic.kiosk()
    clinic.tap(kiosk, "btn_start")
    clinic.tap(kiosk, "btn_face")
    face_id = clinic.face(TARO)
    kiosk.flow.tick()
    clinic.enter_birthdate(kiosk, TARO.birthdate)
    clinic.tap(kiosk, "btn_no")
    assert kiosk.flow.screen is Screen.COUNTER
    assert alerts(clinic) == [Reason.NOT_ME.value]
    with clinic.store.sessions() as session:
        assert session.get(KioskClaim, face_id) is None
    assert clinic.receptions() == []


def test_staff_review_then_approval_lets_the_waiting_patient_continue(clinic: Clinic) -> None:
    kiosk = clinic.kiosk()
    clinic.tap(kiosk, "btn_start")
    clinic.tap(kiosk, "btn_face")
    face_id = clinic.face(JIRO_NEW_JOB)
    kiosk.flow.tick()
    clinic.enter_birthdate(kiosk, JIRO_NEW_JOB.birthdate)
    clinic.tap(kiosk, "btn_yes")
    assert kiosk.flow.screen is Screen.CHECKING
    assert "I-WAIT-01" in alerts(clinic)  # the staff console sees that a patient is waiting
    with clinic.store.sessions() as session:
        assert session.get(KioskClaim, face_id).state == "waiting"  # type: ignore[union-attr]
    clinic.clock.advance(20)
    kiosk.flow.tick()
    assert kiosk.flow.screen is Screen.CHECKING
    clinic.review.link(clinic.entry_id(face_id), "2003", by=clinic.clerk)
    kiosk.flow.tick()
    assert kiosk.flow.screen is Screen.DEPARTMENT
    clinic.tap(kiosk, "dept_01")
    clinic.tap(kiosk, "btn_confirm")
    assert [r.patient_id for r in clinic.receptions()] == ["2003"]


def test_review_timeout_and_rejection_end_at_the_counter(clinic: Clinic) -> None:
    kiosk = clinic.kiosk(review_wait_seconds=30)
    clinic.to_face_reader(kiosk, JIRO_NEW_JOB)
    clinic.enter_birthdate(kiosk, JIRO_NEW_JOB.birthdate)
    clinic.tap(kiosk, "btn_yes")
    clinic.clock.advance(31)
    kiosk.flow.tick()
    assert kiosk.flow.screen is Screen.COUNTER and kiosk.flow.visit.reason is Reason.REVIEW_TIMEOUT
    assert "E-LINK-01" in texts(clinic)
    kiosk.flow.reset()
    # a rejected result
    clinic.tap(kiosk, "btn_start")
    clinic.tap(kiosk, "btn_face")
    face_id = clinic.face(JIRO_NEW_JOB)
    kiosk.flow.tick()
    clinic.enter_birthdate(kiosk, JIRO_NEW_JOB.birthdate)
    clinic.tap(kiosk, "btn_yes")
    clinic.review.reject(clinic.entry_id(face_id), "テストカード", by=clinic.clerk)
    kiosk.flow.tick()
    assert kiosk.flow.screen is Screen.COUNTER and kiosk.flow.visit.reason is Reason.REJECTED
    assert clinic.receptions() == []


def test_no_face_result_within_the_window(clinic: Clinic) -> None:
    kiosk = clinic.kiosk(face_window_seconds=30)
    clinic.tap(kiosk, "btn_start")
    clinic.tap(kiosk, "btn_face")
    clinic.clock.advance(31)
    kiosk.flow.tick()
    assert kiosk.flow.screen is Screen.COUNTER and kiosk.flow.visit.reason is Reason.FACE_TIMEOUT


def test_a_result_from_before_the_session_is_not_this_patient(clinic: Clinic) -> None:
    kiosk = clinic.kiosk()
    clinic.face(TARO)  # someone used the reader before this patient touched the kiosk
    clinic.clock.advance(5)
    clinic.tap(kiosk, "btn_start")
    clinic.tap(kiosk, "btn_face")
    kiosk.flow.tick()
    assert kiosk.flow.screen is Screen.FACE_WAIT


def test_first_visit_gets_a_counter_number_and_alerts_staff(clinic: Clinic) -> None:
    kiosk = clinic.kiosk()
    clinic.tap(kiosk, "btn_start")
    clinic.tap(kiosk, "btn_first")
    assert kiosk.flow.screen is Screen.FIRST_VISIT
    assert kiosk.flow.visit.counter_number == 1
    assert alerts(clinic) == [Reason.FIRST_VISIT.value]
    kiosk.flow.reset()
    clinic.tap(kiosk, "btn_start")
    clinic.tap(kiosk, "btn_first")
    assert kiosk.flow.visit.counter_number == 2


def test_staff_clearing_the_alert_returns_the_kiosk_to_the_start(clinic: Clinic) -> None:
    kiosk = clinic.kiosk()
    clinic.tap(kiosk, "btn_start")
    clinic.tap(kiosk, "btn_first")
    alert_id = kiosk.flow.visit.alert_id
    assert alert_id is not None
    kiosk.flow.tick()
    assert kiosk.flow.screen is Screen.FIRST_VISIT
    clinic.console.clear_alert(alert_id, by=clinic.clerk)
    kiosk.flow.tick()
    assert kiosk.flow.screen is Screen.WELCOME


def test_idle_warning_then_wipe_leaves_no_personal_data(clinic: Clinic) -> None:
    kiosk = clinic.kiosk(idle_seconds=60, idle_warning_seconds=20)
    clinic.to_face_reader(kiosk, TARO)
    clinic.enter_birthdate(kiosk, TARO.birthdate)
    assert "試験 ○○ 様" in texts(clinic)
    clinic.clock.advance(61)
    kiosk.flow.tick()
    assert kiosk.flow.idle_warning and kiosk.window.overlay.isVisible()
    assert "20" in kiosk.window.overlay.countdown.text()
    clinic.tap(kiosk, "btn_continue")  # the patient is still there
    assert not kiosk.flow.idle_warning and kiosk.flow.screen is Screen.CONFIRM_PERSON
    clinic.clock.advance(61)
    kiosk.flow.tick()
    clinic.clock.advance(21)
    kiosk.flow.tick()
    assert kiosk.flow.screen is Screen.WELCOME
    leftover = texts(clinic)
    assert not [value for value in PERSONAL if value in leftover], leftover
    visit = kiosk.flow.visit
    assert (visit.face, visit.patient, visit.choices, visit.ticket) == (None, None, [], None)
    with clinic.store.sessions() as session:  # the claim was given back for the patient's next try
        assert session.scalars(select(KioskClaim)).all() == []


def test_language_switch_and_reset_to_japanese(clinic: Clinic) -> None:
    kiosk = clinic.kiosk()
    clinic.tap(kiosk, "lang_en")
    clinic.tap(kiosk, "btn_start")
    assert "How would you like to check in?" in texts(clinic)
    clinic.tap(kiosk, "btn_cancel")
    assert kiosk.flow.visit.language == "ja"
    clinic.tap(kiosk, "btn_start")
    assert "どれで 受付しますか" in texts(clinic)
