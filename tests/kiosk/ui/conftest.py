"""A small clinic for kiosk tests: the real store and registry, the simulated 資格確認端末, the ingest
service, and kiosks driven through their Qt windows (offscreen) with a clock the test moves."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from kiosk.bootstrap import Store, ingest_service, kiosk_desk
from kiosk.core.clock import SteppingClock as StepClock
from kiosk.core.face import parse_yyyymmdd
from kiosk.core.kiosk_ports import CardInput, KioskDesk, NoCards, NoPrinter, SlipPrinter
from kiosk.core.registry import Department
from kiosk.core.staff_roles import Actor
from kiosk.demo.oqs_terminal import Person, Terminal
from kiosk.demo.people import HANAKO, JIRO_NEW_JOB, TARO, TWIN_FUTAKO, TWIN_ICHIKO
from kiosk.services.ingest import IngestService
from kiosk.services.registry_import import import_csv
from kiosk.services.review import ReviewService
from kiosk.services.staff_console import StaffConsole
from kiosk.settings import KioskSettings, Settings
from kiosk.ui.patient.app import Kiosk, build_kiosk
from kiosk.ui.patient.voice import Sounds
from kiosk.ui.patient.widgets import keypad_taps
from tests.agent_api import AgentApi, start_agent_api
from tests.conftest import FIXTURES
from tests.staff_accounts import staff_actor

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

__all__ = ["HANAKO", "JIRO_NEW_JOB", "TARO", "TWIN_FUTAKO", "TWIN_ICHIKO"]

PERSONAL = ("試験 太郎", "試験 花子", "試験 次郎", "シケン", "1980", "昭和55", "1985", "2001", "2002", "2003")


@dataclass
class Clinic:
    store: Store
    settings: Settings
    clock: StepClock
    terminal: Terminal
    ingest: IngestService
    review: ReviewService
    qtbot: QtBot
    desk_mode: str = "local"  # "agent": the kiosk holds no store and goes through the agent's kiosk API
    kiosks: list[Kiosk] = field(default_factory=list)
    agent: AgentApi | None = None

    def face(self, person: Person) -> int:
        """The patient uses the face-auth card reader; the agent stores the result. Returns the face file id."""
        self.clock.advance(1)
        path = self.terminal.card_reader_use(person, when=self.clock.now())
        self.ingest.scan(final=True)
        entries = [e for e, f in self.store.faces.entries_on(self.clock.now().date()) if f.file_name == path.name]
        assert entries, "the face file was not stored"
        return entries[0].face_file_id

    @property
    def clerk(self) -> Actor:
        """A signed-in reception clerk (a real, active account in this clinic's store)."""
        return staff_actor(self.store.sessions, "clerk-1")

    @property
    def console(self) -> StaffConsole:
        return StaffConsole(self.store.sessions, self.store.registry, self.clock)

    def entry_id(self, face_file_id: int) -> int:
        entries = self.store.faces.entries_on(self.clock.now().date())
        return next(e.id for e, _f in entries if e.face_file_id == face_file_id)

    def kiosk(self, *, cards: CardInput | None = None, printer: SlipPrinter | None = None,
              sounds: Sounds | None = None, **config: Any) -> Kiosk:  # fmt: skip
        settings = KioskSettings(**({"clinic_name": "試験クリニック", "hours": "月〜金 9:00–18:00"} | config))
        desk: KioskDesk
        if self.desk_mode == "agent":
            if self.agent is None:
                self.agent = start_agent_api(self.settings, self.store, self.clock)
            desk = self.agent.desk(settings.kiosk_id)
        else:
            desk = kiosk_desk(self.settings.model_copy(update={"kiosk": settings}), self.store, self.clock)
        built = build_kiosk(settings, desk, cards=cards or NoCards(), printer=printer or NoPrinter(),
                            clock=self.clock, tick_ms=60_000, sounds=sounds)  # fmt: skip
        built.window.allow_close = True
        self.qtbot.addWidget(built.window)
        built.window.resize(1280, 800)
        built.window.show()
        self.kiosks.append(built)
        return built

    def tap(self, kiosk: Kiosk, name: str) -> None:
        """Tap a visible button of the current screen (or of the idle warning above it)."""
        window = kiosk.window
        candidates = [b for b in window.findChildren(QPushButton, name) if b.isVisible()]
        assert candidates, f"no visible button {name} on {kiosk.flow.screen}"
        self.qtbot.mouseClick(candidates[0], Qt.MouseButton.LeftButton)

    def waiting_for_staff(self, person: Person) -> tuple[Kiosk, int]:
        """A patient at the kiosk whose face result needs staff: started, face read, birthdate typed, はい — the
        kiosk now shows 「確認しています」. Returns the kiosk and the face file id."""
        kiosk = self.kiosk()
        [face_id] = self.to_face_reader(kiosk, person)
        self.enter_birthdate(kiosk, person.birthdate)
        self.tap(kiosk, "btn_yes")
        return kiosk, face_id

    def enter_birthdate(self, kiosk: Kiosk, day: date | str) -> None:
        """Type a birthdate on the keypad as a patient would (和暦, the era preselected as 昭和)."""
        for name in keypad_taps(day if isinstance(day, date) else parse_yyyymmdd(day) or date.min):
            self.tap(kiosk, name)

    def to_face_reader(self, kiosk: Kiosk, *people: Person) -> list[int]:
        """The patient starts the マイナ path, `people` use a reader meanwhile, the kiosk looks; their face file ids."""
        self.tap(kiosk, "btn_start")
        self.tap(kiosk, "btn_face")
        ids = [self.face(person) for person in people]
        kiosk.flow.tick()
        return ids

    def visit_with_face(self, kiosk: Kiosk, person: Person, department: str = "01") -> None:
        """The whole マイナ path for one patient, up to the 受付番号 screen."""
        self.tap(kiosk, "btn_start")
        self.tap(kiosk, "btn_face")
        self.face(person)
        kiosk.flow.tick()
        self.enter_birthdate(kiosk, person.birthdate)
        self.tap(kiosk, "btn_yes")
        self.tap(kiosk, f"dept_{department}")
        self.tap(kiosk, "btn_confirm")

    def receptions(self) -> list[Any]:
        return self.store.registry.list_receptions(self.clock.now().date())


@pytest.fixture(params=["local", "agent"])
def desk_mode(request: pytest.FixtureRequest) -> str:
    """Every kiosk test runs with the kiosk on the store (a single-PC clinic) and with the kiosk on its own PC
    behind the agent's kiosk API on loopback (TLS, token); modules about the look override this with "local"."""
    return str(request.param)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The kiosk through the agent runs on SQLite: behind the API the agent uses the same store desk that the
    local-mode tests run on PostgreSQL, and tests/adapters/kiosk_api runs the API itself on both engines. Dropping
    the fourth combination keeps CI inside its time (about 45 s)."""
    dropped = [item for item in items if _params(item).get("desk_mode") == "agent"
               and _params(item).get("store_url") == "postgresql"]  # fmt: skip
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in dropped]


def _params(item: pytest.Item) -> dict[str, object]:
    callspec = getattr(item, "callspec", None)
    return dict(callspec.params) if callspec is not None else {}


@pytest.fixture
def clinic(store: Store, settings: Settings, tmp_path: Path, qtbot: QtBot, desk_mode: str) -> Iterator[Clinic]:
    import_csv(store.sessions, FIXTURES / "registry" / "kiosk_clinic.csv")
    store.registry.set_departments([Department("01", "内科"), Department("02", "小児科")])
    clock = StepClock()
    terminal = Terminal(tmp_path / "OQS")
    ingest = ingest_service(settings, store, face_dir=str(terminal.face), clock=clock)
    clinic = Clinic(store, settings, clock, terminal, ingest, ReviewService(store.sessions, clock), qtbot,
                    desk_mode)  # fmt: skip
    yield clinic
    if clinic.agent is not None:
        clinic.agent.close()
