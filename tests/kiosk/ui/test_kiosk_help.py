"""Never alone (issue 18): 係員を呼ぶ on every screen, error screens that call staff and offer a way on,
a spoken-and-written message for an impossible date, and the already-received patient told first."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton
from sqlalchemy import select

from kiosk.core.kiosk_flow import Reason, Screen
from kiosk.services.staff_console import StaffConsole
from kiosk.store.models import StaffAlert
from kiosk.ui.patient.screens import PAGES
from kiosk.ui.patient.widgets import Picture
from kiosk.ui.staff.catalog import alert_reason
from tests.kiosk.ui.conftest import TARO, Clinic


def shown(clinic: Clinic) -> str:
    return "\n".join(clinic.kiosks[0].window.visible_texts())


def alert_rows(clinic: Clinic) -> list[tuple[str, str | None, str]]:
    with clinic.store.sessions() as session:
        rows = session.execute(select(StaffAlert.code, StaffAlert.patient_id, StaffAlert.source)
                               .order_by(StaffAlert.id)).all()  # fmt: skip
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_every_screen_but_the_outage_has_a_call_staff_button(clinic: Clinic) -> None:
    kiosk = clinic.kiosk()
    for page in kiosk.window.pages.values():
        buttons = page.findChildren(QPushButton, "btn_call_staff")
        if page.kiosk_screen in (Screen.UNAVAILABLE, Screen.STAFF_CALLED):
            assert not buttons, page.kiosk_screen  # nothing reaches staff / they are called already
        else:
            assert buttons, f"{page.kiosk_screen} has no 係員を呼ぶ"
    assert len(kiosk.window.pages) == len(PAGES) == len(Screen)


def test_calling_staff_from_the_birthdate_screen_and_going_back(clinic: Clinic) -> None:
    kiosk = clinic.kiosk()
    clinic.to_face_reader(kiosk, TARO)
    assert kiosk.flow.screen is Screen.PICK_BIRTHDATE
    clinic.tap(kiosk, "btn_call_staff")
    assert kiosk.flow.screen is Screen.STAFF_CALLED
    assert "係の 者を 呼びました" in shown(clinic)
    assert alert_rows(clinic) == [(Reason.CALLED.value, None, "kiosk-1")]
    clinic.tap(kiosk, "btn_back")  # the patient carries on while staff walk over
    assert kiosk.flow.screen is Screen.PICK_BIRTHDATE
    clinic.tap(kiosk, "btn_call_staff")  # a second press while the call is open raises no second alert
    assert len(alert_rows(clinic)) == 1
    call_id = kiosk.flow.visit.call_id
    assert call_id is not None
    clinic.console.clear_alert(call_id, by=clinic.clerk)
    kiosk.flow.tick()
    assert kiosk.flow.screen is Screen.WELCOME  # staff dealt with the patient


def test_an_error_screen_calls_staff_with_who_and_offers_call_and_start_over(clinic: Clinic) -> None:
    kiosk = clinic.kiosk()
    clinic.to_face_reader(kiosk, TARO)
    clinic.enter_birthdate(kiosk, TARO.birthdate)
    clinic.tap(kiosk, "btn_no")  # 「この方でよろしいですか」 いいえ
    assert kiosk.flow.screen is Screen.COUNTER
    text = shown(clinic)
    assert "係の 者を 呼びました。" in text and "E-FACE-04" in text
    assert alert_rows(clinic) == [(Reason.NOT_ME.value, None, "kiosk-1")]  # not yet identified: no 患者番号
    # the staff console says who, at which kiosk, and why, in plain Japanese
    (alert,) = StaffConsole(clinic.store.sessions, clinic.store.registry, clinic.clock).alerts()
    assert (alert.who, alert.source) == ("試験 太郎", "kiosk-1")
    assert "ご本人ではない" in alert_reason(alert.code)
    visible = {b.objectName() for b in kiosk.window.current_page().findChildren(QPushButton) if b.isVisible()}
    assert {"btn_call_again", "btn_restart"} <= visible
    clinic.tap(kiosk, "btn_restart")
    assert kiosk.flow.screen is Screen.WELCOME


def test_an_impossible_birthdate_is_said_and_written(clinic: Clinic) -> None:
    kiosk = clinic.kiosk()
    clinic.to_face_reader(kiosk, TARO)
    for key in ("key_9", "key_9", "key_1", "key_3", "key_4", "key_0", "key_ok"):  # 昭和99年13月40日
        clinic.tap(kiosk, key)
    assert kiosk.flow.screen is Screen.PICK_BIRTHDATE
    assert kiosk.flow.visit.notice == "birth.impossible"
    assert "この 日付は ありません。" in shown(clinic)
    assert kiosk.flow.visit.attempts == 0  # a typing slip is not a wrong birthdate
    clinic.enter_birthdate(kiosk, TARO.birthdate)
    assert kiosk.flow.screen is Screen.CONFIRM_PERSON


def test_large_text_is_for_this_patient_only(clinic: Clinic) -> None:
    kiosk = clinic.kiosk()
    clinic.tap(kiosk, "btn_start")
    title = kiosk.window.current_page().title
    normal = title.fonts()[0].pixelSize()
    clinic.tap(kiosk, "btn_large_text")
    assert kiosk.flow.visit.large_text
    assert kiosk.window.current_page().title.fonts()[0].pixelSize() >= normal * 1.25
    assert "文字を 元に" in shown(clinic)
    clinic.tap(kiosk, "btn_cancel")
    assert not kiosk.flow.visit.large_text
    clinic.tap(kiosk, "btn_start")
    assert kiosk.window.current_page().title.fonts()[0].pixelSize() == normal


def test_the_reader_screens_show_their_drawings(clinic: Clinic) -> None:
    kiosk = clinic.kiosk()
    for screen, name in ((Screen.FACE_WAIT, "face_reader"), (Screen.CARD_WAIT, "ic_card")):
        picture = kiosk.window.pages[screen].findChild(Picture, f"picture_{name}")
        assert picture is not None and picture.valid(), name
        assert picture.width() >= 300 and picture.height() >= 200


def test_a_my_number_read_that_never_answers_goes_to_the_counter(clinic: Clinic) -> None:
    from kiosk.core.kiosk_ports import CardKind, CardRead, QueuedCardInput, Ticket

    class SilentReader(QueuedCardInput):
        def read_mynumber(self, pin: str) -> None:
            return None  # the reader hangs: no answer ever comes

        def answer(self, card: CardRead, ticket: Ticket | None) -> None:
            return None

    cards = SilentReader()
    kiosk = clinic.kiosk(cards=cards, mynumber_pin=True)
    cards._events.put(CardRead(CardKind.MYNUMBER, tries_left=3))
    kiosk.flow.tick()
    assert kiosk.flow.screen is Screen.PIN_ENTRY
    for key in ("key_1", "key_2", "key_3", "key_4", "key_ok"):
        clinic.tap(kiosk, key)
    assert kiosk.flow.screen is Screen.READING
    clinic.clock.advance(21)
    kiosk.flow.tick()
    assert kiosk.flow.screen is Screen.COUNTER and kiosk.flow.visit.reason is Reason.CARD_UNREADABLE
