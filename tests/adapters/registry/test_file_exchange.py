"""File exchange: a fixed-width cp932 patient master with 和暦, change detection, and reception files."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

from adapters.registry.file_exchange import FileExchangeRegistry
from kiosk.bootstrap import Store
from kiosk.core.normalize import kana_seion
from kiosk.core.registry import CandidateQuery
from kiosk.settings import FileExchangeConfig

WIDTHS = {"patient_id": (1, 8), "name_kana": (9, 20), "name": (29, 16), "birthdate": (45, 10), "sex": (55, 1),
          "insurer_number": (56, 8), "insured_identification_number": (64, 10)}  # fmt: skip


def fixed_line(**values: str) -> bytes:
    out = b""
    for key, (_start, length) in WIDTHS.items():
        encoded = values.get(key, "").encode("cp932")
        out += encoded + b" " * (length - len(encoded))
    return out + b"\r\n"


def registry(store: Store, tmp_path: Path) -> tuple[FileExchangeRegistry, Path]:
    master = tmp_path / "KANJA.DAT"
    (tmp_path / "out").mkdir()
    config = FileExchangeConfig(
        patient_file=str(master), format="fixed", encoding="cp932", header=False,
        columns={key: f"{start}:{length}" for key, (start, length) in WIDTHS.items()},
        reception_folder=str(tmp_path / "out"), reception_name="UK{date}{number:04d}.txt", reception_format="fixed",
    )  # fmt: skip
    backend = FileExchangeRegistry(store.registry, config)
    backend.write_grace = 0.0  # these tests write the master and read it at once (the settling has its own test)
    return backend, master


def test_fixed_width_master_with_wareki_and_kanji(store: Store, tmp_path: Path) -> None:
    backend, master = registry(store, tmp_path)
    master.write_bytes(
        fixed_line(patient_id="00012", name_kana="ｼｹﾝ ﾀﾛｳ", name="髙橋 試験", birthdate="S55.4.1", sex="1",
                   insurer_number="06999991", insured_identification_number="0045678")
        + fixed_line(patient_id="00013", name_kana="ｼｹﾝ ｼﾞﾛｳ", name="試験 次郎", birthdate="H1.1.8", sex="1")
        + fixed_line(patient_id="00014", name_kana="ｼｹﾝ ﾀﾞﾒ", name="試験 駄目", birthdate="S64.1.8", sex="1")
    )  # fmt: skip
    report = backend.refresh()
    assert report is not None and report.added == 2
    assert [line for line, _ in report.rejected] == [3]  # 昭和64年1月8日 does not exist
    record = backend.get_patient("00012")
    assert record is not None and record.birthdate == date(1980, 4, 1) and record.names[0].name == "髙橋 試験"
    assert record.insurances[0].insured_identification_number == "0045678"


def test_a_changed_master_is_reloaded(store: Store, tmp_path: Path) -> None:
    backend, master = registry(store, tmp_path)
    master.write_bytes(fixed_line(patient_id="00012", name_kana="ｼｹﾝ ﾀﾛｳ", birthdate="19800401", sex="1"))
    backend.refresh()
    assert backend.refresh() is None  # unchanged: not read again
    master.write_bytes(fixed_line(patient_id="00012", name_kana="ｼﾞｯｹﾝ ﾀﾛｳ", birthdate="19800401", sex="1"))
    later = time.time() - 1
    os.utime(master, (later, later))
    report = backend.refresh()
    assert report is not None and report.updated == 1
    found = backend.find_candidates(CandidateQuery(birthdate=date(1980, 4, 1), kana_seion=kana_seion("ｼﾞｯｹﾝ ﾀﾛｳ")))
    assert [c.record.patient_id for c in found] == ["00012"]
    record = backend.get_patient("00012")
    assert record is not None and [n.name_kana for n in record.names] == ["ｼﾞｯｹﾝ ﾀﾛｳ", "ｼｹﾝ ﾀﾛｳ"]


def test_each_reception_becomes_one_file_written_atomically(store: Store, tmp_path: Path) -> None:
    backend, master = registry(store, tmp_path)
    master.write_bytes(fixed_line(patient_id="00012", name_kana="ｼｹﾝ ﾀﾛｳ", birthdate="19800401", sex="1"))
    day = date(2026, 11, 22)
    first = backend.register_reception("00012", day, "01", "entry-1")
    assert backend.register_reception("00012", day, "01", "entry-1").status == "duplicate"
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["UK202611220001.txt"]  # one file, no temporary left behind
    content = (tmp_path / "out" / files[0]).read_bytes()
    assert content.startswith(b"0100012") and content.endswith(b"\r\n")
    backend.cancel_reception(first.reception.reception_id)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["UK202611220001.txt", "UK202611220001_cancel.txt"]


def export(path: Path, *rows: str, age: float = 60) -> None:
    """The レセコン writes its appointments export (cp932); `age` seconds ago by its clock (negative: ahead of ours)."""
    header = "appointment_id,patient_id,date,time,department_code,physician_code,note\r\n"
    path.write_bytes((header + "".join(f"{row}\r\n" for row in rows)).encode("cp932"))
    when = time.time() - age
    os.utime(path, (when, when))


def test_the_appointments_export_is_followed_and_receptions_name_it(store: Store, tmp_path: Path) -> None:
    """予約 come from the レセコン's export: a booking gone from a newer export was cancelled there and is removed
    (never checked in against) and comes back if listed again; a reception file carries the appointment id and
    physician; an export still being written is not read until it settles."""
    day = date.today()
    path = tmp_path / "YOYAKU.CSV"
    export(path, f"Y1,00012,{day},10:30,02,D9,再診", f"Y2,00013,{day},11:00,01,D9,")
    master = tmp_path / "KANJA.DAT"
    master.write_bytes(fixed_line(patient_id="00012", name_kana="ｼｹﾝ ﾀﾛｳ", birthdate="19800401", sex="1")
                       + fixed_line(patient_id="00013", name_kana="ｼｹﾝ ﾊﾅｺ", birthdate="19850707", sex="2"))
    os.utime(master, (time.time() - 60, time.time() - 60))
    (tmp_path / "out").mkdir()
    config = FileExchangeConfig(
        patient_file=str(master), format="fixed", encoding="cp932", header=False, appointment_file=str(path),
        columns={key: f"{start}:{length}" for key, (start, length) in WIDTHS.items()},
        reception_folder=str(tmp_path / "out"), reception_name="UK{date}{number:04d}.txt",
    )  # fmt: skip
    backend = FileExchangeRegistry(store.registry, config)
    backend.write_grace = 0.3
    assert [(a.appointment_id, a.note) for a in backend.appointments_on(day)] == [("Y1", "再診"), ("Y2", None)]
    # Y2 was cancelled in the レセコン; the new export is caught mid-write (just now): not read until it settles
    export(path, f"Y1,00012,{day},10:30,02,D9,再診", age=0)
    assert backend.refresh_appointments() is None
    assert len(backend.mirror.appointments_on(day)) == 2  # nothing removed yet
    export(path, f"Y1,00012,{day},10:30,02,D9,再診", age=30)
    report = backend.refresh_appointments()
    assert report is not None and report.withdrawn == 1
    assert [a.appointment_id for a in backend.appointments_on(day)] == ["Y1"]
    (y1,) = backend.appointments_of("00012", day)
    reception = backend.register_reception("00012", day, "01", "kiosk:1", None, y1).reception
    (written,) = (tmp_path / "out").iterdir()
    fields = written.read_bytes().decode("cp932").strip().split(",")
    assert fields[0] == "01" and fields[4] == "02" and fields[-2:] == ["Y1", "D9"]
    # Y2 is booked again there; a file server whose clock runs ahead: read at the second look, not never
    export(path, f"Y1,00012,{day},10:30,02,D9,再診", f"Y2,00013,{day},11:30,01,D9,", age=-300)
    assert backend.refresh_appointments() is None and backend.refresh_appointments() is None
    time.sleep(0.35)  # unchanged for the grace by our clock
    assert backend.refresh_appointments() is not None
    states = {a.appointment_id: (a.state.value, a.reception_id) for a in backend.appointments_on(day)}
    assert states == {"Y1": ("arrived", reception.reception_id), "Y2": ("booked", None)}
    # an export that cannot be read changes nothing
    path.write_bytes(b"\xff\xfe not a csv")
    os.utime(path, (time.time() - 20, time.time() - 20))
    assert backend.refresh_appointments() is None
    assert len(backend.mirror.appointments_on(day)) == 2


def test_a_master_caught_mid_write_is_read_once_it_settles(store: Store, tmp_path: Path) -> None:
    """A cut read would load names cut short: the master is read when untouched for the grace by the wall clock,
    or — on a file server whose clock runs ahead — when it stayed the same for the grace by ours."""
    backend, master = registry(store, tmp_path)
    backend.write_grace = 0.3
    master.write_bytes(fixed_line(patient_id="00012", name_kana="ｼｹﾝ ﾀﾛｳ", birthdate="19800401", sex="1"))
    assert backend.refresh() is None and backend.get_patient("00012") is None  # just written: not yet
    old = time.time() - 5
    os.utime(master, (old, old))
    assert backend.refresh() is not None and backend.get_patient("00012") is not None
    master.write_bytes(fixed_line(patient_id="00012", name_kana="ｼﾞｯｹﾝ ﾀﾛｳ", birthdate="19800401", sex="1"))
    ahead = time.time() + 600
    os.utime(master, (ahead, ahead))
    assert backend.refresh() is None  # first seen now
    assert backend.refresh() is None  # the same, but not for the grace yet
    time.sleep(0.35)
    report = backend.refresh()
    assert report is not None and report.updated == 1
