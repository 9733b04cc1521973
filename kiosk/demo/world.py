"""The demo's world: a temporary store with a sample registry, the simulated 資格確認端末, the agent's services,
a kiosk flow and the staff's review service, all on one stepping clock. The headless story and the window
demo both drive it."""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from adapters.kiosk_api.client import RemoteKioskDesk
from kiosk.bootstrap import Store, ingest_service, open_store, reference_service
from kiosk.core.appointments import rows_from_csv
from kiosk.core.clock import SteppingClock
from kiosk.core.kiosk_flow import KioskFlow, KioskTimings
from kiosk.core.kiosk_ports import NoCards, PrintStatus, Slip
from kiosk.core.registry import Department
from kiosk.demo.oqs_terminal import Person, Terminal
from kiosk.demo.sample_registry import WITH_REFERENCE, write_registry
from kiosk.kiosk_remote import agent_fingerprint, kiosk_api_server
from kiosk.services.accounts import AccountService
from kiosk.services.ingest import IngestService
from kiosk.services.kiosk_pairing import KioskPairing
from kiosk.services.reference_registration import ReferenceService
from kiosk.services.registry_import import import_csv
from kiosk.services.review import ReviewService
from kiosk.services.staff_console import StaffConsole
from kiosk.settings import Settings, settings_from_mapping
from kiosk.store.models import CrEntry

DEMO_ADMIN = ("demo", "uketsuke-2026")  # printed by the demo; a throwaway store

MIC = "9919999999"


class DemoClock(Protocol):
    def now(self) -> datetime: ...

    def advance(self, seconds: float) -> None: ...


class FollowingClock:
    """Real time plus an offset the demo can move (the window demo's "翌日にする")."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return (datetime.now() + self.offset).replace(microsecond=0)

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@dataclass
class SlipPrinter:
    """Keeps the slips it was asked to print (the ESC/POS bytes go to a file per slip)."""

    folder: Path
    slips: list[Slip] = field(default_factory=list)

    def print_slip(self, slip: Slip) -> PrintStatus:
        from drivers.serial.printer import reception_slip

        self.slips.append(slip)
        data = reception_slip(slip.clinic, slip.number, slip.when, slip.department, slip.name, note=slip.note)
        (self.folder / f"slip-{len(self.slips):03d}.bin").write_bytes(data)
        return PrintStatus.PRINTED


DEMO_APPOINTMENT = "Y-DEMO-1"


class DemoWorld:
    def __init__(self, *, patients: int = 3000, root: Path | None = None, clock: DemoClock | None = None) -> None:
        self.root = root or Path(tempfile.mkdtemp(prefix="uketsuke-demo-"))
        self._owns_root = root is None
        self.clock: DemoClock = clock or SteppingClock()
        oqs = self.root / "OQS"
        self.settings: Settings = settings_from_mapping({
            "store": {"url": f"sqlite:///{self.root / 'data' / 'uketsuke.db'}"},
            "paths": {"data_dir": str(self.root / "data")},
            "face": {"folder": str(oqs / "face"), "write_grace_seconds": 0.2, "settle_seconds": 0.0},
            "oqs": {"medical_institution_code": MIC, "req_folder": str(oqs / "req"), "res_folder": str(oqs / "res"),
                    "request_encoding": "utf-8", "answer_timeout_seconds": 60},
            "kiosk": {"clinic_name": "試験クリニック（デモ）", "hours": "月〜金 9:00–12:00 / 15:00–18:00"},
        })  # fmt: skip
        self.terminal = Terminal(oqs)
        # 見本 花子 registered her 患者番号 as 照会番号 at an earlier visit
        self.terminal.register_reference(WITH_REFERENCE, "1002")
        self.store: Store = open_store(self.settings)
        registry_csv = self.root / "registry.csv"
        self.patients = write_registry(registry_csv, patients)
        self.import_report = import_csv(self.store.sessions, registry_csv)
        self.store.registry.set_departments([Department("01", "内科"), Department("02", "小児科")])
        self.book_appointment()
        self.ingest: IngestService = ingest_service(self.settings, self.store, clock=self.clock)
        reference = reference_service(self.settings, self.store, clock=self.clock)
        assert reference is not None
        self.reference: ReferenceService = reference
        self.printer = SlipPrinter(self.root / "slips")
        self.printer.folder.mkdir(exist_ok=True)
        # the demo's kiosk is a kiosk PC: it holds no store and goes through the agent's kiosk API on loopback
        # (TLS with the agent's own certificate pinned, a paired token), as at a clinic with a separate kiosk
        api_settings = self.settings.model_copy(update={"kiosk_api": self.settings.kiosk_api.model_copy(
            update={"enabled": True, "host": "127.0.0.1"})})  # fmt: skip
        fingerprint = agent_fingerprint(api_settings)
        self.api = kiosk_api_server(api_settings, self.store, self.clock, port=0)
        self.api.start()
        token = KioskPairing(self.store.sessions, self.clock).pair("demo-kiosk", by="os:demo")
        self.desk = RemoteKioskDesk(f"https://127.0.0.1:{self.api.port}", token, fingerprint)
        self.flow = KioskFlow(self.desk, self.clock, cards=NoCards(), printer=self.printer,
                              clinic=self.settings.kiosk.clinic_name, kiosk_id="demo-kiosk",
                              timings=KioskTimings(review_wait=timedelta(seconds=300)))  # fmt: skip
        self.review = ReviewService(self.store.sessions, self.clock, registry=self.store.registry,
                                    reference=self.reference)  # fmt: skip
        self.console = StaffConsole(self.store.sessions, self.store.registry, self.clock)
        # the demo's member of staff: a real account, so every decision passes the same checks as at a clinic
        self.accounts = AccountService(self.store.sessions, self.clock)
        self.staff = self.accounts.create(DEMO_ADMIN[0], "デモ 管理者", "admin", DEMO_ADMIN[1], by=None)
        self.terminal.start()

    # -- the world moving ------------------------------------------------------------------------
    def use_face_reader(self, person: Person) -> Path:
        """A patient uses the face-auth card reader: the terminal writes its result into the face folder."""
        self.clock.advance(1)
        return self.terminal.card_reader_use(person, when=self.clock.now())

    def agent_pass(self) -> None:
        """One round of the agent: ingest and link, then the 照会番号 work."""
        self.ingest.drain(timeout=2.0)
        self.reference.tick()

    def wait_for_registrations(self, timeout: float = 15.0) -> bool:
        """Run the agent until no 照会番号 registration is waiting for the terminal."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.reference.tick()
            states = [r.state for r in self.reference.registrations()]
            if states and all(state in ("done", "failed", "uncertain") for state in states):
                return all(state == "done" for state in states)
            time.sleep(0.05)
        return False

    def entries_of(self, face_path: Path) -> list[CrEntry]:
        day = self.clock.now().date()
        return [entry for entry, face_file in self.store.faces.entries_on(day) if face_file.file_name == face_path.name]

    def book_appointment(self) -> None:
        """見本 花子 has a 予約 in 小児科 twenty minutes from now (today; the demo's day starts at the real time)."""
        at = self.clock.now() + timedelta(minutes=20)
        if at.date() != self.clock.now().date():  # the demo run just before midnight: book at the last minute
            at = at.replace(hour=23, minute=59)
        self.store.registry.book.import_rows(rows_from_csv("\n".join([
            "appointment_id,patient_id,date,time,department_code,physician_code,note",
            f"{DEMO_APPOINTMENT},1002,{at:%Y-%m-%d},{at:%H:%M},02,D1,"])))  # fmt: skip

    def close(self) -> None:
        self.terminal.stop()
        self.desk.close()
        self.api.stop()
        self.store.engine.dispose()
        if self._owns_root:
            shutil.rmtree(self.root, ignore_errors=True)
