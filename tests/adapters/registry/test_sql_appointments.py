"""The embedded registry's appointment book (SQLite and PostgreSQL): import, re-import, a day, a patient, states."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from adapters.registry.sql_appointments import SqlAppointmentBook
from kiosk.bootstrap import Store
from kiosk.core.appointments import AppointmentState
from kiosk.core.errors import UketsukeError
from kiosk.core.registry import Department, RegistryError
from kiosk.services.appointment_import import import_appointments
from kiosk.services.registry_import import import_csv

HEADER = "appointment_id,patient_id,date,time,department_code,physician_code,note\n"
DAY = date(2026, 12, 2)


def csv_file(tmp_path: Path, *rows: str, name: str = "appointments.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def test_import_reimport_and_a_days_book(store: Store, tmp_path: Path) -> None:
    book = SqlAppointmentBook(store.sessions)
    first = import_appointments(book, csv_file(
        tmp_path, "A1,0012,2026-12-02,10:30,01,10001,", "A2,0013,2026-12-02,09:00,02,10002,初診",
        "A3,0012,2026-12-03,10:30,01,10001,", "A4,0014,2026-12-02,9:5,01,10001,", "A1,0099,2026-12-02,11:00,01,,"))
    assert (first.added, first.updated, len(first.rejected)) == (3, 0, 2)
    assert [line for line, _why in first.rejected] == [5, 6]  # a bad time and a repeated appointment_id
    today = book.appointments_on(DAY)
    assert [(a.appointment_id, a.at) for a in today] == [("A2", time(9, 0)), ("A1", time(10, 30))]
    assert [a.appointment_id for a in book.appointments_of("0012", DAY)] == ["A1"]
    charts = tmp_path / "charts.csv"
    charts.write_text("patient_id,name,name_kana,birthdate,sex\n0012,試験 十二,シケン ジュウニ,1970-01-01,1\n",
                      encoding="utf-8")  # fmt: skip
    import_csv(store.sessions, charts)
    (a1,) = book.appointments_of("0012", DAY)  # arrives as in life: with its reception
    received = store.registry.register_reception("0012", DAY, None, "kiosk:1", None, a1).reception.reception_id
    book.set_state("A2", AppointmentState.NO_SHOW)
    # the clinic exports again: A1 moved to 11:00 — its arrival is kept; A2 unchanged; A5 new
    again = import_appointments(book, csv_file(
        tmp_path, "A1,0012,2026-12-02,11:00,01,10001,", "A2,0013,2026-12-02,09:00,02,10002,初診",
        "A5,0015,2026-12-02,14:00,01,10001,", name="again.csv"))
    assert (again.added, again.updated, again.unchanged) == (1, 1, 1)
    by_id = {a.appointment_id: a for a in book.appointments_on(DAY)}
    assert by_id["A1"].at == time(11, 0) and by_id["A1"].state is AppointmentState.ARRIVED
    assert by_id["A1"].reception_id == received and by_id["A2"].state is AppointmentState.NO_SHOW
    assert [a.appointment_id for a in book.appointments_on(DAY)] == ["A2", "A1", "A5"]


def test_unknown_appointments_and_bad_files(store: Store, tmp_path: Path) -> None:
    book = SqlAppointmentBook(store.sessions)
    with pytest.raises(RegistryError):
        book.set_state("nope", AppointmentState.CANCELLED)
    missing = tmp_path / "missing.csv"
    with pytest.raises(UketsukeError):
        import_appointments(book, missing)
    sjis = tmp_path / "sjis.csv"
    sjis.write_bytes((HEADER + "A1,0012,2026-12-02,10:30,01,,初診\n").encode("cp932"))
    with pytest.raises(UketsukeError) as caught:
        import_appointments(book, sjis)
    assert caught.value.code == "not_utf8"
    short = tmp_path / "short.csv"
    short.write_text("appointment_id,patient_id\nA1,0012\n", encoding="utf-8")
    with pytest.raises(UketsukeError) as caught:
        import_appointments(book, short)
    assert caught.value.code == "csv_columns" and "date" in caught.value.ja
    assert book.appointments_on(DAY) == []  # nothing written from a file that could not be read


def test_department_codes_the_registry_does_not_list_are_named(store: Store, tmp_path: Path) -> None:
    book = SqlAppointmentBook(store.sessions)
    unlisted = import_appointments(book, csv_file(tmp_path, "A1,0012,2026-12-02,10:30,07,,"))
    assert unlisted.unknown_departments == []  # a registry without departments: nothing to compare with
    store.registry.set_departments([Department("01", "内科"), Department("02", "小児科")])
    report = import_appointments(book, csv_file(tmp_path, "A1,0012,2026-12-02,10:30,07,,",
                                                "A2,0013,2026-12-02,11:00,01,,", "A3,0014,2026-12-02,11:30,,,"))
    assert report.unknown_departments == ["07"]


def test_an_arrival_is_not_undone_by_a_state_change(store: Store, tmp_path: Path) -> None:
    """An arrived 予約 has its reception: a clerk's cancel / no-show is refused (the reception is cancelled in the
    レセコン), and arrival cannot be set without a reception."""
    book = SqlAppointmentBook(store.sessions)
    charts = tmp_path / "charts.csv"
    charts.write_text("patient_id,name,name_kana,birthdate,sex\n0012,試験 十二,シケン ジュウニ,1970-01-01,1\n",
                      encoding="utf-8")  # fmt: skip
    import_csv(store.sessions, charts)
    import_appointments(book, csv_file(tmp_path, "A1,0012,2026-12-02,10:30,01,,", "A2,0012,2026-12-02,15:00,02,,"))
    a1, a2 = book.appointments_of("0012", DAY)
    reception = store.registry.register_reception("0012", DAY, None, "kiosk:1", None, a1).reception
    for state in (AppointmentState.CANCELLED, AppointmentState.NO_SHOW, AppointmentState.BOOKED):
        with pytest.raises(RegistryError) as refused:
            book.set_state("A1", state)
        assert refused.value.code == "appointment_arrived"
    with pytest.raises(RegistryError):
        book.set_state("A2", AppointmentState.ARRIVED)
    states = [(a.state, a.reception_id) for a in book.appointments_of("0012", DAY)]
    assert states == [(AppointmentState.ARRIVED, reception.reception_id), (AppointmentState.BOOKED, None)]
    assert a2.state is AppointmentState.BOOKED
