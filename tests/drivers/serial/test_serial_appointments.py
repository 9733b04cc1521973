"""予約受付 at the 再来受付機 on real PTYs: the RECV answer carries the appointment's time, and what the device
cannot ask about (several 予約, or outside the window) is sent to the counter with its own code."""

from __future__ import annotations

from pathlib import Path

from drivers.serial.protocol import MADO_APPOINTMENT_TIME, MADO_SEVERAL
from kiosk.bootstrap import Store, serial_bridge
from kiosk.core.appointments import AppointmentState, rows_from_csv
from kiosk.core.clock import FixedClock
from kiosk.demo.pty_pair import PtyPair
from kiosk.demo.reception_device import Device, display
from kiosk.services.registry_import import import_csv
from kiosk.services.serial_bridge import SerialBridge
from kiosk.settings import settings_from_mapping
from tests.conftest import FIXTURES
from tests.drivers.serial.test_serial_pty import DAY, serve


def book(store: Store, *rows: tuple[str, str, str, str]) -> None:
    lines = ["appointment_id,patient_id,date,time,department_code,physician_code,note"]
    lines += [f"{aid},{pid},{DAY.date().isoformat()},{at},{dept},D1," for aid, pid, at, dept in rows]
    store.registry.book.import_rows(rows_from_csv("\n".join(lines)))


def bridge_for(store: Store, pty: PtyPair, data_dir: Path, **appointments: int | bool) -> SerialBridge:
    settings = settings_from_mapping({"paths": {"data_dir": str(data_dir)}, "appointments": appointments,
                                      "serial_bridge": {"enabled": True, "port": pty.host,
                                                        "card_pattern": r";(\d{4})\?"}})  # fmt: skip
    bridge = serial_bridge(settings, store, FixedClock(DAY))
    assert bridge is not None
    return bridge


def ask(bridge: SerialBridge, pty: PtyPair, *cards: str) -> list[str]:
    device = Device(pty.device)
    try:
        worker = serve(bridge, len(cards))
        answers = []
        for n, card in enumerate(cards, start=1):
            assert device.send(f"CARD|{n:04d}|;{card}?")
            answer = device.receive()
            assert answer is not None
            answers.append(answer)
        worker.join(10)
        return answers
    finally:
        device.close()


def test_the_answer_carries_the_appointment_time(store: Store, pty: PtyPair, data_dir: Path) -> None:
    import_csv(store.sessions, FIXTURES / "registry" / "edge_cases.csv")
    book(store, ("Y-1", "1001", "09:30", "02"),  # due: checked in against it
         ("Y-2", "1002", "07:30", "01"),  # 90 minutes late
         ("Y-3", "1003", "09:15", "01"), ("Y-4", "1003", "10:00", "02"))  # two today  # fmt: skip
    bridge = bridge_for(store, pty, data_dir)
    on_time, late, several, walk_in = ask(bridge, pty, "1001", "1002", "1003", "1004")
    assert on_time.startswith("RECV|0001|1|") and on_time.endswith("|02|09:30")
    assert display(on_time) == "受付番号 1 02 ご予約 09:30"
    assert late == f"MADO|0002|{MADO_APPOINTMENT_TIME}"
    assert several == f"MADO|0003|{MADO_SEVERAL}"
    assert walk_in.startswith("RECV|0004|2|") and walk_in.endswith("||")  # 予約外: no time
    receptions = store.registry.list_receptions(DAY.date())
    assert [(r.patient_id, r.appointment_id) for r in receptions] == [("1001", "Y-1"), ("1004", None)]
    states = {a.appointment_id: a.state for a in store.registry.appointments_on(DAY.date())}
    assert states["Y-1"] is AppointmentState.ARRIVED
    assert {states[k] for k in ("Y-2", "Y-3", "Y-4")} == {AppointmentState.BOOKED}


def test_the_window_comes_from_the_configuration_and_a_repeat_keeps_the_time(
    store: Store, pty: PtyPair, data_dir: Path
) -> None:
    import_csv(store.sessions, FIXTURES / "registry" / "edge_cases.csv")
    book(store, ("Y-2", "1002", "07:30", "01"))
    bridge = bridge_for(store, pty, data_dir, late_minutes=120)  # this clinic waits two hours
    first, again = ask(bridge, pty, "1002", "1002")
    assert first.endswith("|01|07:30") and again.endswith("|01|07:30")
    assert first.split("|")[2] == again.split("|")[2]  # the same number: one reception
    assert len(store.registry.list_receptions(DAY.date())) == 1


def test_a_clinic_without_appointments_never_asks(store: Store, pty: PtyPair, data_dir: Path) -> None:
    """`[appointments] enabled = false`: the registry is not asked, a booking (if any) is ignored, 予約外 for all."""
    import_csv(store.sessions, FIXTURES / "registry" / "edge_cases.csv")
    book(store, ("Y-1", "1001", "09:30", "02"))
    bridge = bridge_for(store, pty, data_dir, enabled=False)
    (answer,) = ask(bridge, pty, "1001")
    assert answer.startswith("RECV|0001|1|") and answer.endswith("||")
    (reception,) = store.registry.list_receptions(DAY.date())
    assert reception.appointment_id is None


def test_a_due_appointment_in_another_department_is_a_new_visit(store: Store, pty: PtyPair, data_dir: Path) -> None:
    """内科 at the counter this morning; the 小児科 予約 due now gets its own reception; the device says so."""
    import_csv(store.sessions, FIXTURES / "registry" / "edge_cases.csv")
    morning = store.registry.register_reception("1001", DAY.date(), "01", "counter:1").reception
    book(store, ("Y-1", "1001", "09:30", "02"), ("Y-2", "1001", "09:20", "01"))  # Y-2 is the morning's 内科
    bridge = bridge_for(store, pty, data_dir)
    first, again = ask(bridge, pty, "1001", "1001")
    assert first.endswith("|02|09:30") and first.split("|")[2] == "2"
    assert again == first.replace("|0001|", "|0002|")  # asked again: the same afternoon reception
    receptions = store.registry.list_receptions(DAY.date())
    assert [(r.reception_id, r.appointment_id) for r in receptions] == [(morning.reception_id, None),
                                                                        (receptions[1].reception_id, "Y-1")]
