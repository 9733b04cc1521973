"""The kiosk with real device stacks: IC 診察券 and マイナンバーカード through pcscd + vpcd, the 再来受付機
and the 受付票 printer on socat PTY pairs."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from drivers.pcsc.kiosk_cards import PcscCardInput
from drivers.serial.card_reader import SerialCardInput
from drivers.serial.escpos_printer import EscposPrinter
from drivers.serial.framing import FramingConfig
from drivers.serial.link import Link
from drivers.serial.port import PortSpec, ReconnectingPort
from kiosk.core.kiosk_flow import Reason, Screen
from kiosk.core.kiosk_ports import PrintStatus
from kiosk.demo.pty_pair import PtyPair
from kiosk.demo.reception_device import Device
from kiosk.store.models import CrEntry, StaffAlert
from kiosk.ui.patient.app import Kiosk
from tests.conftest import need_stack
from tests.kiosk.ui.conftest import TARO, Clinic
from tests.simulators.escpos_printer import SimulatedPrinter
from tests.simulators.pcsc_stack import READER, Stack

pytestmark = pytest.mark.sqlite  # device behaviour does not depend on the store engine


@pytest.fixture
def store_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'uketsuke.db'}"


def wait_for(kiosk: Kiosk, screens: set[Screen], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while kiosk.flow.screen not in screens:
        assert time.monotonic() < deadline, f"still on {kiosk.flow.screen}"
        kiosk.flow.tick()
        time.sleep(0.02)


@pytest.fixture
def readers(pcsc: Stack) -> Iterator[PcscCardInput]:
    pcsc.remove(0)  # an empty reader to start with
    cards = PcscCardInput((f"^{READER}",)).start()
    yield cards
    cards.stop()
    pcsc.remove(0)


def test_ic_card_of_a_registered_patient(clinic: Clinic, pcsc: Stack, readers: PcscCardInput) -> None:
    clinic.store.registry.issue_card("012E4CD3A1B2C3D4", "2002", staff="clerk-1")
    kiosk = clinic.kiosk(cards=readers)
    clinic.tap(kiosk, "btn_start")
    clinic.tap(kiosk, "btn_card")
    pcsc.insert(0, card="felica", idm="012E4CD3A1B2C3D4")
    wait_for(kiosk, {Screen.DEPARTMENT})
    clinic.tap(kiosk, "dept_01")
    assert "試験 ○○ 様" in kiosk.window.visible_texts()
    clinic.tap(kiosk, "btn_back")  # a wrong department: one step back, not starting over
    assert kiosk.flow.screen is Screen.DEPARTMENT
    clinic.tap(kiosk, "dept_02")
    clinic.tap(kiosk, "btn_confirm")
    assert [(r.patient_id, r.department) for r in clinic.receptions()] == [("2002", "02")]
    # the card still lies on the reader: カードをお取りください comes before the number screen
    assert kiosk.flow.screen is Screen.TAKE_CARD
    assert "カードを お取りください" in kiosk.window.visible_texts()
    pcsc.remove(0)
    wait_for(kiosk, {Screen.DONE})


def test_an_unknown_ic_card_goes_to_the_counter(clinic: Clinic, pcsc: Stack, readers: PcscCardInput) -> None:
    kiosk = clinic.kiosk(cards=readers)
    pcsc.insert(0, card="felica", idm="0000000000000001")  # put on the reader straight from the start screen
    wait_for(kiosk, {Screen.COUNTER})
    assert kiosk.flow.visit.reason is Reason.CARD_UNKNOWN
    assert clinic.receptions() == []


def test_card_patient_with_a_face_result_is_offered_the_mynumber_link(
    clinic: Clinic, pcsc: Stack, readers: PcscCardInput
) -> None:
    clinic.store.registry.issue_card("012E4CD3A1B2C3D5", "2001", staff="clerk-1")
    kiosk = clinic.kiosk(cards=readers)
    clinic.tap(kiosk, "btn_start")
    face_id = clinic.face(TARO)  # used the face-auth reader too, in this session's window
    clinic.tap(kiosk, "btn_card")
    pcsc.insert(0, card="felica", idm="012E4CD3A1B2C3D5")
    wait_for(kiosk, {Screen.OFFER_REFERENCE})
    clinic.tap(kiosk, "btn_yes")
    clinic.tap(kiosk, "dept_01")
    clinic.tap(kiosk, "btn_confirm")
    with clinic.store.sessions() as session:
        entries = session.scalars(select(CrEntry).where(CrEntry.face_file_id == face_id)).all()
        assert {(e.status, e.patient_id) for e in entries} == {("linked", "2001")}
        assert all(e.reception_id for e in entries)


def test_mynumber_card_with_pin_on_the_kiosk_reader(clinic: Clinic, pcsc: Stack, readers: PcscCardInput) -> None:
    kiosk = clinic.kiosk(cards=readers, mynumber_pin=True)
    clinic.tap(kiosk, "btn_start")
    clinic.tap(kiosk, "btn_mynumber")
    pcsc.insert(0, card="myna", tries=2)
    wait_for(kiosk, {Screen.PIN_ENTRY})
    assert any("のこり 2 回" in t for t in kiosk.window.visible_texts())
    for key in ("key_1", "key_2", "key_3", "key_9", "key_ok"):  # wrong
        clinic.tap(kiosk, key)
    wait_for(kiosk, {Screen.COUNTER, Screen.PIN_ENTRY})
    # one try left now: the kiosk never spends it
    assert kiosk.flow.screen is Screen.COUNTER and kiosk.flow.visit.reason is Reason.PIN_LAST_TRY
    assert pcsc.send(cmd="state", slot=0)["tries"] == 1
    kiosk.flow.reset()
    pcsc.remove(0)  # the patient takes their card; the next one puts theirs straight on the reader
    pcsc.insert(0, card="myna", tries=3)
    wait_for(kiosk, {Screen.PIN_ENTRY})
    for key in ("key_1", "key_2", "key_3", "key_4", "key_ok"):
        clinic.tap(kiosk, key)
    wait_for(kiosk, {Screen.DEPARTMENT})
    clinic.tap(kiosk, "dept_01")
    assert "試験 ○○ 様" in kiosk.window.visible_texts()
    apdus = pcsc.send(cmd="state", slot=0)["apdus"]
    assert not any(a.startswith("00A4020C020001") or a.startswith("00A4020C020003") for a in apdus)


def test_mynumber_card_at_one_try_left_is_refused_without_a_verify(
    clinic: Clinic, pcsc: Stack, readers: PcscCardInput
) -> None:
    kiosk = clinic.kiosk(cards=readers, mynumber_pin=True)
    clinic.tap(kiosk, "btn_start")
    clinic.tap(kiosk, "btn_mynumber")
    pcsc.insert(0, card="myna", tries=1)
    wait_for(kiosk, {Screen.COUNTER})
    assert kiosk.flow.visit.reason is Reason.PIN_LAST_TRY
    apdus = pcsc.send(cmd="state", slot=0)["apdus"]
    assert not any(a.startswith("00200080") and len(a) > 8 for a in apdus)  # no VERIFY with a PIN
    assert pcsc.send(cmd="state", slot=0)["tries"] == 1


# -- serial --------------------------------------------------------------------------------------------
@pytest.fixture
def ptys(tmp_path: Path) -> Iterator[tuple[PtyPair, PtyPair]]:
    need_stack(shutil.which("socat") is not None, "socat")
    device, printer = PtyPair(tmp_path, "dev"), PtyPair(tmp_path, "prn")
    device.start()
    printer.start()
    yield device, printer
    device.stop()
    printer.stop()


def serial_cards(path: str) -> SerialCardInput:
    port = ReconnectingPort(PortSpec(name=path))
    port.timeout = 0.05
    port.read(1)  # open now: pyserial flushes input on open
    return SerialCardInput(Link(port, FramingConfig(response_timeout=0.5)), r";(\d+)\?").start()


def test_magnetic_card_via_the_reception_device(clinic: Clinic, ptys: tuple[PtyPair, PtyPair]) -> None:
    device_pty, printer_pty = ptys
    cards = serial_cards(device_pty.host)
    device = Device(device_pty.device)
    printer = SimulatedPrinter(printer_pty.device)
    try:
        kiosk = clinic.kiosk(cards=cards, printer=EscposPrinter(printer_pty.host, timeout=0.5))
        assert device.send("CARD|0007|;2003?")
        wait_for(kiosk, {Screen.DEPARTMENT})
        clinic.tap(kiosk, "dept_01")
        clinic.tap(kiosk, "btn_confirm")
        assert kiosk.flow.visit.printed is PrintStatus.PRINTED
        answer = device.receive(5.0)
        number = clinic.receptions()[0].number
        assert answer is not None and answer.startswith(f"RECV|0007|{number}|")
        deadline = time.monotonic() + 5
        while printer.slips() < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert printer.slips() == 1
        assert "受付番号".encode("cp932") in bytes(printer.printed)
        # an unknown card: the device is told to send the patient to the counter
        kiosk.flow.reset()
        assert device.send("CARD|0008|;9999?")
        wait_for(kiosk, {Screen.COUNTER})
        assert device.receive(5.0) == "MADO|0008|E01"
    finally:
        cards.stop()
        device.close()
        printer.close()


def test_printer_out_of_paper_shows_the_number_and_alerts_staff(clinic: Clinic, ptys: tuple[PtyPair, PtyPair]) -> None:
    _device_pty, printer_pty = ptys
    printer = SimulatedPrinter(printer_pty.device)
    printer.paper_out = True
    try:
        kiosk = clinic.kiosk(printer=EscposPrinter(printer_pty.host, timeout=0.5))
        clinic.visit_with_face(kiosk, TARO)
        assert kiosk.flow.screen is Screen.DONE
        assert kiosk.flow.visit.printed is PrintStatus.PAPER_OUT
        shown = "\n".join(kiosk.window.visible_texts())
        assert "印刷できませんでした" in shown and str(clinic.receptions()[0].number) in shown
        assert printer.slips() == 0
        with clinic.store.sessions() as session:
            assert "W-PRN-01" in session.scalars(select(StaffAlert.code)).all()
        # a printer that does not answer at all is offline, not "printed"
        printer.silent = True
        assert EscposPrinter(printer_pty.host, timeout=0.3).paper() is PrintStatus.OFFLINE
    finally:
        printer.close()
