"""The review screen as a busy clerk uses it (issue 21): find anyone, see the difference at a glance, act on
alerts, transcribe the insurance — offscreen Qt at 1600×900 on the real store (SQLite and PostgreSQL)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QToolButton
from sqlalchemy import select

from kiosk.core.kiosk_flow import Screen
from kiosk.core.normalize import kana_strict
from kiosk.demo.oqs_terminal import Person
from kiosk.store.models import AuditRecord, CrEntry
from tests.conftest import face_fixture, place
from tests.kiosk.ui.conftest import HANAKO, JIRO_NEW_JOB, TARO, Clinic
from tests.kiosk.ui.staff.conftest import CLERK, Console

# 一子 and 二子 are twins on one insurance (2004 枝番 01, 2005 枝番 02); this result is 一子's name on 二子's 枝番
ICHIKO_ON_TWINS_BRANCH = Person("試験 一子", "シケン イチコ", "20000202", "2", "06999994", "試験", "5001", "02")


def results(console: Console, text: str) -> list[str]:
    box = console.window.main.panel.search
    box.text.setText(text)
    box.run()
    return [r.patient_id for r in box.records]


def test_search_reads_every_input_form_and_is_audited(clinic: Clinic, console: Console) -> None:
    face_id = clinic.face(JIRO_NEW_JOB)
    console.log_in(*CLERK)
    console.open(clinic.entry_id(face_id))
    for text in ("しけん たろう", "ｼｹﾝ ﾀﾛｳ", "シケン　タロウ", "試験　太郎", "S55.4.1", "昭和55年4月1日", "1980/4/1",
                 "3550401", "2001", "3001", "しけん 19800401"):  # fmt: skip
        assert results(console, text)[:1] == ["2001"], text
    assert results(console, "06999994") == ["2004", "2005"]  # a 保険者番号: the household, 患者番号 order
    assert results(console, "しけん H12.2.2") == ["2004", "2005"]
    assert results(console, "たなか") == [] and "いません" in console.window.main.panel.search.note.text()
    assert results(console, "・") == [] and "入力してください" in console.window.main.panel.search.note.text()
    with clinic.store.sessions() as session:
        searches = session.scalars(select(AuditRecord).where(AuditRecord.action == "registry_search")).all()
    assert len(searches) == 14 and {s.actor for s in searches} == {CLERK[0]}  # the empty one is not a search
    assert searches[0].after == {"shown": ["2001"]} and searches[0].subject == "kana"


def test_a_search_result_joins_the_comparison_and_enter_links(clinic: Clinic, console: Console) -> None:
    face_id = clinic.face(JIRO_NEW_JOB)
    entry_id = clinic.entry_id(face_id)
    console.log_in(*CLERK)
    console.open(entry_id)
    panel = console.window.main.panel
    before = panel.candidates.count()
    console.find("H12.2.2", pick=1)  # the twins: ↓ to the second
    assert panel.candidates.count() == before + 1 and panel.candidates.currentRow() == before
    assert "職員が台帳検索で追加" in panel.candidates.item(before).text()
    chosen = panel.selected_patient()
    console.window.main.refresh()  # a live update keeps the patient found and chosen
    assert panel.selected_patient() == chosen and panel.candidates.count() == before + 1


def test_candidates_say_who_they_are_and_the_difference_is_marked(clinic: Clinic, console: Console) -> None:
    console.window.resize(1600, 900)
    face_id = clinic.face(ICHIKO_ON_TWINS_BRANCH)
    console.log_in(*CLERK)
    console.open(clinic.entry_id(face_id))
    panel = console.window.main.panel
    lines = [panel.candidates.item(i).text() for i in range(panel.candidates.count())]
    assert any(line.startswith("1. 2004  試験 一子（シケン イチコ）") for line in lines), lines
    assert all("平成12年2月2日" in line and "【" in line for line in lines)  # birthdate and score band on each
    assert not any("点数" in line for line in lines)
    twin = next(i for i, line in enumerate(lines) if "2005" in line)
    panel.select_candidate(twin + 1)
    assert "候補を選んでください" not in console.message() and "2005" in console.message()
    rows = {panel.comparison.item(r, 0).text(): r for r in range(panel.comparison.rowCount())}
    name_cell = panel.comparison.cellWidget(rows["氏名"], 2)
    assert isinstance(name_cell, QLabel) and "text-decoration:underline" in name_cell.text()
    assert ">二</span>" in name_cell.text() and "試験 " in name_cell.text()  # only 二 is marked, not the 姓
    face_cell = panel.comparison.cellWidget(rows["氏名"], 1)
    assert isinstance(face_cell, QLabel) and ">一</span>" in face_cell.text()
    same = panel.comparison.cellWidget(rows["生年月日"], 2)
    assert isinstance(same, QLabel) and "<span" not in same.text()
    assert "双子" in panel.reasons.text() and "＋" in panel.reasons.text() and "(+" not in panel.reasons.text()
    # the whole comparison on screen at 1600×900: no scrolling inside the table, its last row above the fold
    table = panel.comparison
    assert table.verticalScrollBar().maximum() == 0
    bottom = table.mapTo(console.window, QPoint(0, table.height())).y()
    assert bottom <= console.window.height(), (bottom, console.window.height())
    assert rows["住所"] == table.rowCount() - 2 and table.rowHeight(rows["照会番号"]) > 0


def test_buttons_only_where_they_apply(clinic: Clinic, console: Console) -> None:
    linked = clinic.face(TARO)  # auto-linked by the matcher
    waiting = clinic.face(JIRO_NEW_JOB)
    console.log_in(*CLERK)
    panel = console.window.main.panel
    console.open(clinic.entry_id(linked))
    enabled = {name for name, button in panel.buttons.items() if button.isEnabled()}
    assert enabled == {"unlink"}  # nothing to link, reject, create or undo on an automatic link
    console.open(clinic.entry_id(waiting))
    enabled = {name for name, button in panel.buttons.items() if button.isEnabled()}
    assert enabled == {"new_patient", "reject"}  # no candidate chosen yet
    console.key(Qt.Key.Key_1)
    enabled = {name for name, button in panel.buttons.items() if button.isEnabled()}
    assert {"link", "link_register", "new_patient", "reject"} <= enabled and "unlink" not in enabled


def test_an_alert_opens_its_row_and_clears_itself_when_the_kiosk_session_ends(clinic: Clinic, console: Console) -> None:
    kiosk, face_id = clinic.waiting_for_staff(JIRO_NEW_JOB)
    assert kiosk.flow.screen is Screen.CHECKING  # waiting for staff: an I-WAIT-01 alert
    console.log_in(*CLERK)
    main = console.window.main
    assert main.alerts.count() == 1
    line = main.alerts.item(0).text()
    assert "試験 次郎 様" in line and "確認待ち" in line and "kiosk" in line
    console.window.main.search.setText("試験 太郎")  # a filter that hides the patient's row
    console.clinic.qtbot.mouseClick(main.alerts.viewport(), Qt.MouseButton.LeftButton,
                                    pos=main.alerts.visualItemRect(main.alerts.item(0)).center())  # fmt: skip
    assert main.panel.detail is not None and main.panel.detail.row.face_file_id == face_id
    assert main.chime.played == 0  # a 確認待ち is not a call
    clinic.tap(kiosk, "btn_call_staff")
    main.refresh()
    assert main.chime.played == 1 and main.alerts.count() == 2  # 係員を呼ぶ: a line and a sound
    main.refresh()
    assert main.chime.played == 1  # once per call, not per refresh
    clinic.tap(kiosk, "btn_cancel")  # the patient gives up at the kiosk and goes to the counter
    main.refresh()
    codes = [main.alerts.item(i).text() for i in range(main.alerts.count())]
    assert len(codes) == 1 and "係員を呼ぶ" in codes[0]  # 確認待ち is over; the call still needs someone
    with clinic.store.sessions() as session:
        assert session.scalar(select(AuditRecord.action).where(AuditRecord.action == "alert_auto_clear"))


def newest_entry(clinic: Clinic, case: str) -> int:
    place(face_fixture(case), clinic.terminal.face)
    clinic.ingest.scan(final=True)
    with clinic.store.sessions() as session:
        entry_id = session.scalar(select(CrEntry.id).where(CrEntry.history_of.is_(None))
                                  .order_by(CrEntry.id.desc()).limit(1))  # fmt: skip
    assert entry_id is not None
    return entry_id


def test_the_insurance_panel_has_every_field_to_transcribe(clinic: Clinic, console: Console) -> None:
    entry_id = newest_entry(clinic, "shaho_reference_number")
    console.log_in(*CLERK)
    panel = console.window.main.panel
    panel.show_entry(entry_id)  # (the fixture's day is not today's list)
    console.key(Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert panel.pages.currentWidget() is panel.insurance
    shown = {key: label.text() for key, label in panel.insurance.values.items()}
    assert shown["insurer_number"] == "06999991" and shown["symbol"] == "１２３"
    assert shown["number"] == "0045678" and shown["branch"] == "00" and shown["person_family"] == "本人（1）"
    assert shown["ratio"] == "3割" and shown["qualified_on"] == "令和2年4月1日（2020/04/01）"
    assert shown["limit_class"] == "ウ（A03）" and shown["qualification"].startswith("資格: 有効")
    assert "B00020" not in panel.insurance.values["qualification"].styleSheet()
    copy = panel.insurance.findChild(QToolButton, "copy_number")
    assert copy is not None
    clinic.qtbot.mouseClick(copy, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "0045678"
    panel.insurance.copy(next(r for r in panel.insurance.rows if r.key == "qualified_on"))
    assert QGuiApplication.clipboard().text() == "2020/04/01"  # a date is copied as a date, not as words


def test_a_qualification_that_is_not_valid_is_red_in_the_panel(clinic: Clinic, console: Console) -> None:
    entry_id = newest_entry(clinic, "qualification_invalid")
    console.log_in(*CLERK)
    panel = console.window.main.panel
    panel.show_entry(entry_id)
    assert "B00020" in panel.insurance.values["qualification"].styleSheet()
    assert "自動で受付しません" in panel.insurance.values["qualification"].text()


def test_the_list_fits_and_keeps_its_order_across_live_updates(clinic: Clinic, console: Console) -> None:
    for person in (TARO, JIRO_NEW_JOB, ICHIKO_ON_TWINS_BRANCH):
        clinic.face(person)
    console.log_in(*CLERK)
    main = console.window.main
    main.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)  # by name (kana), ジロウ after イチコ after タロウ
    names = [main.proxy.index(r, 1).data() for r in range(main.proxy.rowCount())]
    assert names[0].startswith("試験 太郎") and names[-1].startswith("試験 一子"), names
    console.open(main.model.rows[0].entry_id)
    chosen = main.panel.detail.row.entry_id if main.panel.detail else None
    clinic.face(HANAKO)  # a live update arrives
    main.refresh()
    names = [main.proxy.index(r, 1).data() for r in range(main.proxy.rowCount())]
    assert len(names) == 4 and names == sorted(names, key=lambda n: kana_strict(n.split("（")[1]), reverse=True)
    assert main.panel.detail is not None and main.panel.detail.row.entry_id == chosen
    assert main.proxy.index(0, 1).data(Qt.ItemDataRole.ToolTipRole) == names[0]  # the full name on hover
    widths = [main.table.columnWidth(c) for c in range(main.model.columnCount())]
    assert main.table.horizontalScrollBar().maximum() == 0, f"{widths} in {main.table.viewport().width()}"
