"""A kiosk that crashed mid-visit leaves its claim behind; the agent gives the face result back after 15 minutes
unchanged (never a claim whose visit ended in a reception), so register_on_link and staff are not blocked all day."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from kiosk.bootstrap import Store
from kiosk.core.clock import SteppingClock
from kiosk.services.kiosk_claims import ClaimJanitor
from kiosk.services.reception import ReceptionService
from kiosk.settings import Settings
from kiosk.store.models import KioskClaim
from tests.kiosk.services.test_qualification import DAY, linked_entry


def hold(store: Store, face_file_id: int, state: str, minutes_ago: float) -> None:
    when = DAY - timedelta(minutes=minutes_ago)
    with store.sessions.begin() as session:
        session.merge(KioskClaim(face_file_id=face_file_id, session_id="kiosk-9-crashed", kiosk_id="kiosk-9",
                                 state=state, claimed_at=when, updated_at=when))  # fmt: skip


def claims(store: Store) -> list[str]:
    with store.sessions() as session:
        return list(session.scalars(select(KioskClaim.state)))


def test_an_abandoned_claim_is_given_back_and_the_visit_is_received(settings: Settings, store: Store,
                                                                     face_dir: Path) -> None:  # fmt: skip
    entry = linked_entry(settings, store, face_dir)
    clock = SteppingClock(DAY)
    receptions = ReceptionService(store.sessions, store.registry, clock, department="01")
    janitor = ClaimJanitor(store.sessions, clock)
    hold(store, entry.face_file_id, "waiting", minutes_ago=5)  # a patient may still stand there
    assert janitor.tick() == 0 and receptions.register_linked() == 0 and claims(store) == ["waiting"]
    clock.advance(11 * 60)  # sixteen minutes unchanged: nobody is at that kiosk any more
    assert janitor.tick() == 1 and claims(store) == []
    assert receptions.register_linked() == 1
    assert len(store.registry.list_receptions(DAY.date())) == 1


def test_a_finished_visit_keeps_its_claim_and_the_janitor_runs_once_a_minute(settings: Settings, store: Store,
                                                                             face_dir: Path) -> None:  # fmt: skip
    entry = linked_entry(settings, store, face_dir)
    clock = SteppingClock(DAY)
    janitor = ClaimJanitor(store.sessions, clock)
    hold(store, entry.face_file_id, "done", minutes_ago=120)
    assert janitor.tick() == 0 and claims(store) == ["done"]
    hold(store, entry.face_file_id, "claimed", minutes_ago=120)
    clock.advance(30)
    assert janitor.tick() == 0 and claims(store) == ["claimed"]  # not yet: at most once a minute
    clock.advance(31)
    assert janitor.tick() == 1 and claims(store) == []
