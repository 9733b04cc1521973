"""照会番号 registration against the simulated terminal: the whole loop, and every way it can go wrong."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from adapters.oqs.reference_files import registration_request
from kiosk.bootstrap import Store, ingest_service
from kiosk.core.clock import Clock, SystemClock
from kiosk.core.reference import InsuranceChoice, ReferenceRuleError, build_request, choose_insurance
from kiosk.demo.oqs_terminal import MIC, Behaviour, Person, Terminal, wait_until
from kiosk.services.cr_list import cr_list
from kiosk.services.ingest import IngestService
from kiosk.services.reference_registration import ReferenceFolders, ReferenceService
from kiosk.services.registry_import import import_csv
from kiosk.settings import Settings, settings_from_mapping
from kiosk.store.models import CrEntry, Patient, ProcessedResult, ReferenceRegistration

ITSUKO = Person("試験　五子", "ｼｹﾝ ｲﾂｺ", "19700505", "2", "06999991", "試験", "5001", "01")
REGISTRY = (
    "patient_id,name,name_kana,birthdate,sex,insurer_number,insured_card_symbol,insured_identification_number,"
    "insured_branch_number\n5001,試験 五子,しけん いつこ,1970-05-05,F,06999991,試験,5001,01\n"
)


class Ticking:
    """A clock that stands still until told to move."""

    def __init__(self) -> None:
        self.moment = datetime.now().replace(microsecond=0)

    def now(self) -> datetime:
        return self.moment


@pytest.fixture
def terminal(tmp_path: Path) -> Terminal:
    return Terminal(tmp_path / "OQS")


@pytest.fixture
def wired(settings: Settings, store: Store, terminal: Terminal, tmp_path: Path) -> Store:
    csv = tmp_path / "registry.csv"
    csv.write_text(REGISTRY, encoding="utf-8")
    import_csv(store.sessions, csv)
    return store


def ingest(settings: Settings, store: Store, terminal: Terminal) -> IngestService:
    data = settings.model_dump()
    data["face"]["folder"] = str(terminal.face)
    return ingest_service(settings_from_mapping(data), store, clock=SystemClock())


def service(
    store: Store, terminal: Terminal, clock: Clock | None = None, encoding: str = "shift_jis"
) -> ReferenceService:
    folders = ReferenceFolders(MIC, terminal.req, terminal.res, encoding, timedelta(seconds=180))  # type: ignore[arg-type]
    return ReferenceService(store.sessions, folders, clock or SystemClock())


def registrations(store: Store) -> list[ReferenceRegistration]:
    with store.sessions() as session:
        return list(session.scalars(select(ReferenceRegistration).order_by(ReferenceRegistration.id)))


def test_first_visit_registers_and_the_next_visit_links_by_reference(
    settings: Settings, wired: Store, terminal: Terminal
) -> None:
    terminal.card_reader_use(ITSUKO)
    ingest(settings, wired, terminal).drain(timeout=3)
    (first,) = cr_list(wired.faces, datetime.now().date())
    assert (first["status"], first["link_method"], first["reference_number"]) == ("auto_linked", "match", None)

    reference = service(wired, terminal)
    reference.tick()
    (row,) = registrations(wired)
    assert row.state == "published" and row.request_file and row.request_file.startswith("OQSsiimm01req_")
    terminal.step()
    assert reference.collect_answers() == 1
    (row,) = registrations(wired)
    assert row.state == "done"
    with wired.sessions() as session:
        assert session.get(Patient, "5001").reference_number == "5001"  # type: ignore[union-attr]

    terminal.card_reader_use(ITSUKO)
    ingest(settings, wired, terminal).drain(timeout=3)
    second = cr_list(wired.faces, datetime.now().date())[-1]
    assert (second["status"], second["link_method"], second["reference_number"]) == (
        "auto_linked", "reference_number", "5001",
    )  # fmt: skip
    reference.tick()
    assert len(registrations(wired)) == 1  # nothing more to register
    assert terminal.requests_seen == [row.request_file]


def test_request_rules_and_encodings(terminal: Terminal) -> None:
    request = build_request("000123", "999991", "", "0012", None)
    assert request.insurer_number == "  999991"
    assert request.insured_card_symbol is None and request.insured_branch_number is None
    sjis = registration_request(MIC, "AFI1", [build_request("000123", "06999991", "試験", "0012", "01")], "shift_jis")
    assert sjis.startswith(b'<?xml version="1.0" encoding="Shift_JIS"') and "試験".encode("cp932") in sjis
    utf8 = registration_request(MIC, "AFI1", [request], "utf-8")
    assert b"<InsurerNumber>  999991</InsurerNumber>" in utf8
    assert b"InsuredCardSymbol" not in utf8 and b"InsuredBranchNumber" not in utf8
    assert b"<ReferenceNumber>000123</ReferenceNumber>" in utf8
    with pytest.raises(ReferenceRuleError):
        build_request("1" * 51, "06999991", None, "1", None)
    with pytest.raises(ReferenceRuleError):
        build_request("1", "", None, "1", None)


def test_health_insurance_is_chosen_before_public_assistance() -> None:
    assistance = InsuranceChoice("A1", "12999991", None, "9990001", None)
    health = InsuranceChoice("01", "01999991", "12-34", "567", "02")
    assert choose_insurance([assistance, health]) == health
    assert choose_insurance([assistance]) == assistance
    assert choose_insurance([]) is None


def _publish_one(store: Store, terminal: Terminal, clock: Clock | None = None) -> ReferenceService:
    reference = service(store, terminal, clock)
    choice = InsuranceChoice("01", "06999991", "試験", "5001", "01")
    assert reference.request("5001", choice, trigger="manual") is not None
    assert reference.publish_pending() == 1
    return reference


def test_an_error_answer_fails_with_its_code(wired: Store, terminal: Terminal) -> None:
    terminal.behaviour = Behaviour(mode="error", error_code="SYNTH0301")
    reference = _publish_one(wired, terminal)
    terminal.step()
    reference.collect_answers()
    (row,) = registrations(wired)
    assert (row.state, row.result_code) == ("failed", "SYNTH0301")
    assert "SYNTH0301" in (row.message or "")


def test_no_answer_becomes_uncertain_and_nothing_is_resent(wired: Store, terminal: Terminal) -> None:
    terminal.behaviour = Behaviour(mode="silent")
    clock = Ticking()
    reference = _publish_one(wired, terminal, clock)
    terminal.step()
    reference.tick()
    assert registrations(wired)[0].state == "published"
    clock.moment += timedelta(seconds=181)
    reference.tick()
    reference.tick()
    terminal.step()
    (row,) = registrations(wired)
    assert row.state == "uncertain" and "再送していません" in (row.message or "")
    assert len(terminal.requests_seen) == 1
    assert list(terminal.req.iterdir()) == []


def test_a_duplicate_answer_changes_nothing(wired: Store, terminal: Terminal) -> None:
    reference = _publish_one(wired, terminal)
    terminal.step()
    reference.collect_answers()
    assert registrations(wired)[0].state == "done"
    (answer,) = terminal.res.iterdir()
    answer.write_bytes(answer.read_bytes().replace(b"<ProcessingResultStatus>1", b"<ProcessingResultStatus>2"))
    reference.collect_answers()  # the terminal wrote its answer again, now saying otherwise
    assert registrations(wired)[0].state == "done"
    with wired.sessions() as session:
        outcomes = [r.outcome for r in session.scalars(select(ProcessedResult).order_by(ProcessedResult.id))]
    assert outcomes == ["matched", "duplicate"]


def test_an_answer_for_an_unknown_request_is_recorded_and_ignored(wired: Store, terminal: Terminal) -> None:
    stray = terminal.res / "OQSsiimm01res_202611229999.xml"
    stray.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><XmlMsg><MessageHeader><SegmentOfResult>1</SegmentOfResult>'
        "</MessageHeader><MessageBody><ProcessingResultStatus>1</ProcessingResultStatus></MessageBody></XmlMsg>",
        encoding="utf-8",
    )
    reference = service(wired, terminal)
    assert reference.collect_answers() == 1
    with wired.sessions() as session:
        assert [r.outcome for r in session.scalars(select(ProcessedResult))] == ["unknown"]
    assert stray.exists()  # never deleted: the terminal's files are not ours


def test_an_answer_that_does_not_echo_our_request_is_uncertain(wired: Store, terminal: Terminal) -> None:
    reference = _publish_one(wired, terminal)
    (row,) = registrations(wired)
    assert row.request_file is not None
    (terminal.req / row.request_file).unlink()
    (terminal.res / row.request_file.replace("req_", "res_")).write_text(
        '<?xml version="1.0" encoding="UTF-8"?><XmlMsg><MessageHeader><SegmentOfResult>1</SegmentOfResult>'
        "<ArbitraryFileIdentifier>SOMEONE-ELSE</ArbitraryFileIdentifier></MessageHeader><MessageBody>"
        "<ProcessingResultStatus>1</ProcessingResultStatus></MessageBody></XmlMsg>",
        encoding="utf-8",
    )
    reference.collect_answers()
    assert registrations(wired)[0].state == "uncertain"


def test_a_crash_before_the_file_was_written_is_uncertain_not_resent(wired: Store, terminal: Terminal) -> None:
    reference = service(wired, terminal)
    reference.request("5001", InsuranceChoice("01", "06999991", "試験", "5001", "01"), trigger="manual")
    with wired.sessions.begin() as session:  # the state a kill between "reserve" and "write" leaves
        row = session.scalars(select(ReferenceRegistration)).one()
        row.state, row.request_file = "publishing", "OQSsiimm01req_202611220001.xml"
    restarted = service(wired, terminal)
    restarted.recover()
    restarted.tick()
    assert registrations(wired)[0].state == "uncertain"
    assert list(terminal.req.iterdir()) == []


def test_a_crash_after_publishing_is_recovered_and_answered(wired: Store, terminal: Terminal) -> None:
    reference = _publish_one(wired, terminal)
    with wired.sessions.begin() as session:  # killed after the rename, before "published" was saved
        session.scalars(select(ReferenceRegistration)).one().state = "publishing"
    restarted = service(wired, terminal)
    restarted.recover()
    assert registrations(wired)[0].state == "published"
    terminal.step()
    restarted.collect_answers()
    assert registrations(wired)[0].state == "done"
    assert len(terminal.requests_seen) == 1
    assert reference is not restarted


def test_request_names_are_unique_per_day(wired: Store, terminal: Terminal) -> None:
    reference = service(wired, terminal)
    for number in ("5001", "5002", "5003"):
        reference.request("5001", InsuranceChoice("01", "06999991", None, number, None), trigger="manual")
    assert reference.publish_pending() == 3
    names = [r.request_file for r in registrations(wired)]
    today = datetime.now().strftime("%Y%m%d")
    assert names == [f"OQSsiimm01req_{today}{n:04d}.xml" for n in (1, 2, 3)]
    assert sorted(p.name for p in terminal.req.iterdir()) == names


BULK_REGISTRY = (
    "patient_id,name,name_kana,birthdate,sex,insurer_number,insured_card_symbol,insured_identification_number,"
    "insured_branch_number,reference_number\n"
    "5002,試験 二郎,ｼｹﾝ ｼﾞﾛｳ,1971-01-01,M,06999991,試験,5002,01,\n"
    "5009,試験 九郎,ｼｹﾝ ｸﾛｳ,1972-01-01,M,06999991,試験,5009,01,\n"
    "5010,試験 十子,ｼｹﾝ ﾄｵｺ,1973-01-01,F,,,,,\n"
    "5011,試験 十一,ｼｹﾝ ｼﾞｭｳｲﾁ,1974-01-01,M,06999991,,5011,,5011\n"
)


@pytest.mark.parametrize("zipped", [False, True], ids=["xml", "zip"])
def test_bulk_registration_polls_while_processing(
    wired: Store, terminal: Terminal, tmp_path: Path, zipped: bool
) -> None:
    csv = tmp_path / "more.csv"
    csv.write_text(BULK_REGISTRY, encoding="utf-8")
    import_csv(wired.sessions, csv)
    terminal.behaviour = Behaviour(processing_polls=2, zip_results=zipped)
    clock = Ticking()
    folders = ReferenceFolders(MIC, terminal.req, terminal.res, "shift_jis", timedelta(seconds=180))
    reference = ReferenceService(wired.sessions, folders, clock, bulk_poll=timedelta(seconds=30))
    started = reference.start_bulk(only_missing=True)
    assert started.job_id is not None and started.patients == 3  # 5001, 5002, 5009
    assert dict(started.skipped) == {
        "5010": "保険情報なし / no insurance on file",
        "5011": "登録済み / already registered",
    }
    for _ in range(8):
        terminal.step()
        reference.bulk_progress()
        clock.moment += timedelta(seconds=31)
    job = reference.bulk_job(started.job_id)
    assert job is not None and job.state == "done" and job.polls == 3  # 処理中, 処理中, result
    assert reference.bulk_summary(started.job_id) == {"done": 2, "failed": 1}
    with wired.sessions() as session:
        refs = {p.patient_id: p.reference_number for p in session.scalars(select(Patient))}
    assert (refs["5001"], refs["5002"], refs["5009"]) == ("5001", "5002", None)
    requested = [n for n in terminal.requests_seen]
    assert requested[0].startswith("OQSmuimm01req_") and all(n.startswith("OQSmuimm02req_") for n in requested[1:])


def test_a_bulk_upload_without_answer_becomes_uncertain(wired: Store, terminal: Terminal) -> None:
    clock = Ticking()
    folders = ReferenceFolders(MIC, terminal.req, terminal.res, "utf-8", timedelta(seconds=180))
    reference = ReferenceService(wired.sessions, folders, clock)
    started = reference.start_bulk(only_missing=False)
    assert started.job_id is not None
    upload = f"OQSmuimm01req_{clock.moment:%Y%m%d}0001.xml"
    clock.moment += timedelta(seconds=200)
    reference.bulk_progress()
    assert reference.bulk_summary(started.job_id) == {"uncertain": 1}
    assert [p.name for p in terminal.req.iterdir()] == [upload]  # nothing resent


def test_the_agent_registers_after_a_link_by_itself(settings: Settings, wired: Store, terminal: Terminal) -> None:
    import threading

    from kiosk.services.agent import Agent

    terminal.start()
    reference = service(wired, terminal)
    agent = Agent(ingest(settings, wired, terminal), poll_interval=0.1, use_events=True, after_scan=reference.tick)
    thread = threading.Thread(target=agent.run, daemon=True)
    thread.start()
    try:
        terminal.card_reader_use(ITSUKO)
        assert wait_until(lambda: [r.state for r in registrations(wired)] == ["done"], timeout=15)
        terminal.card_reader_use(ITSUKO)
        assert wait_until(lambda: len(cr_list(wired.faces, datetime.now().date())) == 2, timeout=10)
    finally:
        agent.request_stop()
        thread.join(timeout=5)
        terminal.stop()
    methods = [line["link_method"] for line in cr_list(wired.faces, datetime.now().date())]
    assert methods == ["match", "reference_number"]


def test_a_new_insurance_is_registered_again(settings: Settings, wired: Store, terminal: Terminal) -> None:
    reference = service(wired, terminal)
    terminal.card_reader_use(ITSUKO)
    ingest(settings, wired, terminal).drain(timeout=3)
    reference.tick()
    terminal.step()
    reference.collect_answers()
    assert [r.state for r in registrations(wired)] == ["done"]
    changed = Person("試験　五子", "ｼｹﾝ ｲﾂｺ", "19700505", "2", "01999992", None, "777", "00")
    changed_at = datetime.now().replace(microsecond=0)
    terminal.card_reader_use(changed, when=changed_at)  # new insurer: no ReferenceNumber on this qualification
    ingest(settings, wired, terminal).drain(timeout=3)
    latest = cr_list(wired.faces, datetime.now().date())[-1]
    assert latest["status"] == "needs_review"  # new insurance and nothing else to corroborate: staff decide
    with wired.sessions.begin() as session:  # what the staff console's "link" does
        entry = session.get(CrEntry, latest["entry_id"])
        assert entry is not None
        entry.status, entry.patient_id, entry.link_method = "linked", "5001", "manual"
    reference.tick()
    rows = registrations(wired)
    assert [(r.state, r.insurer_number.strip(), r.insured_identification_number) for r in rows] == [
        ("done", "06999991", "5001"), ("published", "01999992", "777"),
    ]  # fmt: skip


def test_register_after_link_can_be_switched_off(settings: Settings, wired: Store, terminal: Terminal) -> None:
    folders = ReferenceFolders(MIC, terminal.req, terminal.res, "utf-8", timedelta(seconds=180))
    reference = ReferenceService(wired.sessions, folders, SystemClock(), register_after_link=False)
    terminal.card_reader_use(ITSUKO)
    ingest(settings, wired, terminal).drain(timeout=3)
    assert cr_list(wired.faces, datetime.now().date())[0]["status"] == "auto_linked"
    reference.tick()
    assert registrations(wired) == []


def test_only_the_lease_holder_writes_requests_and_a_dead_holder_is_replaced(
    settings: Settings, wired: Store, terminal: Terminal
) -> None:
    clock = Ticking()
    folders = ReferenceFolders(MIC, terminal.req, terminal.res, "utf-8", timedelta(seconds=180))
    first = ReferenceService(wired.sessions, folders, clock, holder="agent-a")
    second = ReferenceService(wired.sessions, folders, clock, holder="agent-b")
    terminal.card_reader_use(ITSUKO)
    ingest(settings, wired, terminal).drain(timeout=3)
    first.tick()
    second.tick()  # the lease is agent-a's: agent-b does nothing
    assert len(registrations(wired)) == 1
    assert len(list(terminal.req.iterdir())) == 1
    terminal.step()
    clock.moment += timedelta(seconds=31)  # agent-a died and stopped renewing
    second.tick()
    assert [r.state for r in registrations(wired)] == ["done"]  # agent-b took over and collected the answer
