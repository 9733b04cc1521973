"""The agent's kiosk API over real TLS on loopback (uvicorn, httpx), SQLite and PostgreSQL behind it: pinning,
tokens, need-to-know, rate limits, and an agent restart in the middle of a visit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from adapters.kiosk_api.certificate import ensure_certificate
from kiosk.bootstrap import Store
from kiosk.core.clock import SteppingClock
from kiosk.core.kiosk_ports import DeskRefused, DeskUnavailable, LinkState
from kiosk.core.registry import Department
from kiosk.services.kiosk_pairing import KioskPairing
from kiosk.settings import Settings
from kiosk.store.models import AuditRecord
from tests.agent_api import AgentApi, start_agent_api
from tests.kiosk.services.test_qualification import DAY, linked_entry


@pytest.fixture
def agent(settings: Settings, store: Store) -> Iterator[AgentApi]:
    api = start_agent_api(settings, store, SteppingClock(DAY))
    yield api
    api.close()


@pytest.fixture
def face_file_id(settings: Settings, store: Store, face_dir: Path) -> int:
    """A face result of 試験 髙子 (patient 3001), linked automatically."""
    return linked_entry(settings, store, face_dir).face_file_id


WINDOW = (DAY - timedelta(hours=4), DAY + timedelta(hours=1))


def test_a_paired_kiosk_is_served(agent: AgentApi, store: Store) -> None:
    store.registry.set_departments([Department("01", "内科")])
    desk = agent.desk()
    assert desk.healthy()
    assert desk.departments() == [Department("01", "内科")]


def test_an_unknown_or_revoked_token_gets_nothing(agent: AgentApi, store: Store) -> None:
    stranger = agent.desk(token="not-a-token")
    assert not stranger.healthy() and stranger.problem == "token_refused"
    desk = agent.desk("kiosk-2")
    assert desk.healthy()
    assert KioskPairing(store.sessions, agent.clock).unpair("kiosk-2", by="os:test")
    with pytest.raises(DeskUnavailable):
        desk.departments()  # revoked: at once, not at the next restart
    assert desk.problem == "token_refused"


def test_another_certificate_is_refused_before_the_token_is_sent(agent: AgentApi, tmp_path: Path) -> None:
    other = ensure_certificate(tmp_path / "other.pem", tmp_path / "other.key")
    seen: list[str] = []
    check = agent.server.api.authenticate

    def counting(token: str) -> str | None:
        seen.append(token)
        return check(token)

    agent.server.api.authenticate = counting
    desk = agent.desk(fingerprint=other)
    assert not desk.healthy() and desk.problem == "pin_mismatch"
    assert seen == []  # nothing reached the API: the token never left the kiosk
    good = agent.desk()
    assert good.healthy() and len(seen) == 1


def test_face_results_carry_nothing_personal_until_claimed(agent: AgentApi, face_file_id: int) -> None:
    desk = agent.desk("kiosk-1")
    [result] = desk.face_results(*WINDOW)
    assert (result.face_file_id, result.name, result.name_kana, result.birthdate) == (face_file_id, None, None, None)
    assert desk.face_results(*WINDOW, birthdate=DAY.date()) == []  # a birthdate that is not hers
    other = agent.desk("kiosk-2")
    assert desk.claim(face_file_id, "s1")
    assert not other.claim(face_file_id, "s1")  # the same session id from another kiosk is not that session
    assert other.claimed_result(face_file_id, "s1") is None
    shown = desk.claimed_result(face_file_id, "s1")
    assert shown is not None and shown.name == "試験\u3000髙子"


def test_a_kiosk_learns_only_about_patients_it_identified(agent: AgentApi, face_file_id: int,
                                                          store: Store) -> None:  # fmt: skip
    desk = agent.desk("kiosk-1")
    with pytest.raises(DeskRefused) as refused:
        desk.label("3001")  # no card, no claimed result: a probe
    assert refused.value.code == "not_identified_here"
    with pytest.raises(DeskRefused):
        desk.register("3001", None, "kiosk:probe", None)
    assert desk.claim(face_file_id, "s1")
    link = desk.confirm(face_file_id, "s1")
    assert link.state is LinkState.LINKED and link.patient_id == "3001"
    label = desk.label("3001")
    assert label is not None and label.name == "試験 髙子"
    with store.sessions() as session:
        records = session.execute(select(AuditRecord.actor, AuditRecord.action)
                                  .where(AuditRecord.action.in_(["kiosk_show", "kiosk_confirm"]))).all()  # fmt: skip
    assert sorted(records) == [("kiosk:kiosk-1", "kiosk_confirm")]  # the trail names the token's kiosk


def test_lookups_that_find_nobody_are_limited(agent: AgentApi) -> None:
    desk = agent.desk()
    for number in range(20):
        assert desk.patient_for_card(f"99{number:014d}") is None
    with pytest.raises(DeskRefused) as refused:
        desk.patient_for_card("0000000000000001")
    assert refused.value.code == "too_many_lookups"


def test_repeated_bad_tokens_are_answered_429(agent: AgentApi) -> None:
    with httpx.Client(verify=False) as client:  # the pin is not what this checks
        codes = [client.post(f"{agent.url}/v1/healthy", headers={"Authorization": "Bearer x"}, json={}).status_code
                 for _ in range(12)]  # fmt: skip
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]


def test_only_the_ports_methods_exist_and_bodies_are_checked(agent: AgentApi) -> None:
    token = agent.pair("kiosk-9")
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(verify=False) as client:
        assert client.post(f"{agent.url}/v1/list_patients", headers=headers, json={}).status_code == 404
        assert client.post(f"{agent.url}/v1/label", headers=headers, json={"patient_id": 3001}).status_code == 400
        big = {"card_id": "1" * 70_000}
        assert client.post(f"{agent.url}/v1/patient_for_card", headers=headers, json=big).status_code == 413


def test_an_agent_restart_mid_visit_never_registers_twice(agent: AgentApi, face_file_id: int,
                                                          store: Store) -> None:  # fmt: skip
    desk = agent.desk()
    assert desk.claim(face_file_id, "s1")
    assert desk.confirm(face_file_id, "s1").patient_id == "3001"
    first = desk.register("3001", None, f"face:{face_file_id}", face_file_id)
    agent.stop()
    with pytest.raises(DeskUnavailable):
        desk.departments()
    assert not desk.healthy()
    agent.start_again()
    assert desk.healthy()  # recovers by itself: a new connection, the same pinned certificate
    # the kiosk's answer was lost in the restart; it asks again with the same idempotency key
    again = agent.desk("kiosk-1")
    assert again.claim(face_file_id, "s1")  # the claim survived in the store
    assert again.confirm(face_file_id, "s1").patient_id == "3001"
    second = again.register("3001", None, f"face:{face_file_id}", face_file_id)
    assert second.reception_id == first.reception_id and second.number == first.number
    receptions = [r for r in store.registry.list_receptions(DAY.date()) if r.patient_id == "3001"]
    assert len(receptions) == 1
