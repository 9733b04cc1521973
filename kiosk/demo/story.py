"""`uketsuke demo --headless`: the whole chain as a scripted story through the real services, printed as a
timeline with a summary. Every step checks what happened; the exit code is 0 only if all of them did.

1. 試験 太郎 (a returning patient without 照会番号) uses the face-auth reader → linked automatically → kiosk
   confirmation → 受付 → slip → his 患者番号 is registered as 照会番号 on the (simulated) terminal.
2. 見本 花子 (with 照会番号) → linked at once by 照会番号 → she has a 予約 in 小児科 today: checked in against it,
   no department asked.
3. 模擬 彩音, the unregistered twin of 模擬 彩花 → never auto-linked (same insurance, another 枝番) → the kiosk
   waits → staff create her chart from the face result → the kiosk goes on → 受付.
4. 架空 さくら, a new patient → 初めての方 at the kiosk → counter number and a staff alert → staff create her
   chart and link it.
5. A broken file in the face folder → quarantined with its reason, nothing else disturbed.
6. The next day 試験 太郎 comes back → linked instantly by the 照会番号 registered in step 1.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from kiosk.core.face import LinkMethod, parse_yyyymmdd
from kiosk.core.face_binding import masked_name
from kiosk.core.kiosk_flow import Screen
from kiosk.demo.oqs_terminal import Person
from kiosk.demo.sample_registry import NEW_PATIENT, RETURNING, TWIN_NEW, WITH_REFERENCE
from kiosk.demo.world import DemoWorld


@dataclass
class Step:
    seconds: float
    text: str
    ok: bool


class Story:
    def __init__(self, world: DemoWorld, out: Callable[[str], None] = print) -> None:
        self.world = world
        self.out = out
        self.started = time.perf_counter()
        self.steps: list[Step] = []
        self.timings: dict[str, float] = {}

    def note(self, text: str, ok: bool = True) -> bool:
        step = Step(time.perf_counter() - self.started, text, ok)
        self.steps.append(step)
        self.out(f"[{step.seconds:7.3f}s] {'✓' if ok else '✗'} {text}")
        return ok

    def timed(self, name: str, action: Callable[[], object]) -> object:
        begin = time.perf_counter()
        result = action()
        self.timings[name] = self.timings.get(name, 0.0) + (time.perf_counter() - begin) * 1000
        return result

    # -- the chain for one patient at the kiosk ----------------------------------------------------
    def arrives(self, person: Person) -> Path:
        flow = self.world.flow
        flow.reset()
        flow.start()
        flow.choose_face()
        path = self.world.use_face_reader(person)
        self.note(f"{person.name} さんが顔認証付きカードリーダーを使いました → {path.name}")
        self.timed("ingest+link", self.world.agent_pass)
        entries = self.world.entries_of(path)
        for entry in entries:
            self.note(f"CR利用者リスト: entry {entry.id} {entry.name_kana} → {entry.status}"
                      + (f"（患者番号 {entry.patient_id}、{entry.link_method}）" if entry.patient_id else ""),
                      bool(entries))  # fmt: skip
        self.timed("kiosk", flow.tick)
        asked = flow.screen is Screen.PICK_BIRTHDATE
        self.note("キオスク: 名前を出す前に、ご本人の生年月日を入力してもらいます", asked)
        day = parse_yyyymmdd(person.birthdate)
        if asked and day is not None:
            self.timed("kiosk", lambda: flow.birthdate_entered(day))
        ok = flow.screen is Screen.CONFIRM_PERSON and flow.visit.face is not None
        self.note(f"キオスク: 「{masked_name(person.name)} 様 でよろしいですか」と表示（名だけ伏せます）", ok)
        return path

    def confirms_and_checks_in(self, person: Person) -> bool:
        flow = self.world.flow
        if flow.screen is Screen.CONFIRM_PERSON:
            self.timed("kiosk", lambda: flow.confirm_person(True))
        if flow.screen is Screen.DEPARTMENT:
            self.timed("kiosk", lambda: flow.choose_department("01"))
        if flow.screen is Screen.CONFIRM:
            self.timed("kiosk", flow.confirm_reception)
        ticket = flow.visit.ticket
        ok = flow.screen is Screen.DONE and ticket is not None
        number = ticket.number if ticket else "-"
        booked = f"、{ticket.appointment_at} の予約" if ticket and ticket.appointment_at else ""
        self.note(f"受付: {person.name} 様 受付番号 {number}（{ticket.department if ticket else '-'}{booked}）", ok)
        slip = self.world.printer.slips[-1] if self.world.printer.slips else None
        self.note(f"受付票を印刷: 受付番号 {slip.number if slip else '-'}", slip is not None and ok)
        return ok

    # -- the story ---------------------------------------------------------------------------------
    def run(self) -> bool:
        world = self.world
        report = world.import_report
        self.note(f"台帳: 架空の患者 {report.added:,} 人を取り込み（世帯・双子・半角カナの入力を含む）"
                  f"、{report.seconds:.1f} 秒", report.added == world.patients)  # fmt: skip
        # 1. returning patient without 照会番号
        path = self.arrives(RETURNING)
        entry = world.entries_of(path)[0]
        self.note("自動連携（照合、裏付けあり）", entry.status == "auto_linked" and entry.link_method == "match")
        self.confirms_and_checks_in(RETURNING)
        registered = bool(self.timed("照会番号", world.wait_for_registrations))
        states = [(r.patient_id, r.state) for r in world.reference.registrations()]
        self.note(f"照会番号の登録: {states} → 資格確認端末が登録しました", registered and ("1001", "done") in states)
        # 2. with 照会番号
        path = self.arrives(WITH_REFERENCE)
        entry = world.entries_of(path)[0]
        self.note("照会番号で即時に連携", entry.link_method == LinkMethod.REFERENCE_NUMBER.value)
        self.confirms_and_checks_in(WITH_REFERENCE)
        booked = world.store.registry.appointments_of("1002", world.clock.now().date())
        received = [r for r in world.store.registry.list_receptions(world.clock.now().date()) if r.patient_id == "1002"]
        self.note(f"予約受付: 小児科の予約（{booked[0].at:%H:%M}）で受付、診療科は聞きません → 予約は来院済"
                  if booked else "予約受付: 予約がありません",
                  bool(booked) and booked[0].state.value == "arrived" and bool(received)
                  and received[0].appointment_id == booked[0].appointment_id and received[0].department == "02"
                  and world.printer.slips[-1].note == f"ご予約 {booked[0].at:%H:%M}")  # the slip says so too
        # 3. the unregistered twin
        path = self.arrives(TWIN_NEW)
        entry = world.entries_of(path)[0]
        self.note(f"双子の妹: 自動連携しません（{entry.status}。双子の姉は同じ保険で枝番が違うため別人と判断）",
                  entry.status in ("needs_review", "no_match") and entry.patient_id is None)  # fmt: skip
        world.flow.confirm_person(True)
        self.note("キオスク: 「確認しています」でスタッフを待ちます", world.flow.screen is Screen.CHECKING)
        new_id = self.world.review.create_patient(entry.id, by=self.world.staff)
        self.note(f"スタッフ: 候補（双子の姉、枝番違い）を確かめ、顔認証結果から新しい患者 {new_id} を作成して連携")
        world.flow.tick()
        self.note("キオスク: スタッフの判断を受けて次へ", world.flow.screen is Screen.DEPARTMENT)
        self.confirms_and_checks_in(TWIN_NEW)
        # 4. a new patient
        world.flow.reset()
        world.flow.start()
        path = world.use_face_reader(NEW_PATIENT)
        world.agent_pass()
        entry = world.entries_of(path)[0]
        self.note(f"{NEW_PATIENT.name} さん（初めて）: {entry.status}", entry.status == "no_match")
        world.flow.choose_first_visit()
        number = world.flow.visit.counter_number
        self.note(
            f"キオスク: 初めての方 → 窓口の番号札 {number}、スタッフに通知", world.flow.screen is Screen.FIRST_VISIT
        )
        created = world.review.create_patient(entry.id, by=world.staff)
        alert = world.flow.visit.alert_id
        if alert is not None:
            world.console.clear_alert(alert, by=world.staff)
        world.flow.tick()
        self.note(f"スタッフ: 窓口で新しい患者 {created} を作成して連携、キオスクは待機画面へ",
                  world.flow.screen is Screen.WELCOME)  # fmt: skip
        # 5. a broken file
        broken = world.terminal.face / f"OQSsiquc01res_face_{9919999999}_{world.clock.now():%Y%m%d%H%M%S}.xml"
        broken.write_bytes(b"<?xml version='1.0'?><XmlMsg><MessageHeader>")
        time.sleep(0.25)
        world.agent_pass()
        errors = world.entries_of(broken)
        self.note(f"壊れたファイル: 隔離しました（{errors[0].reason if errors else '-'}）",
                  bool(errors) and errors[0].status == "error")  # fmt: skip
        # 6. the next day
        world.clock.advance(24 * 3600)
        path = self.arrives(RETURNING)
        entry = world.entries_of(path)[0]
        self.note(f"翌日: {RETURNING.name} さんは登録した照会番号で即時に連携（{entry.link_method}）",
                  entry.link_method == LinkMethod.REFERENCE_NUMBER.value and entry.patient_id == "1001")  # fmt: skip
        self.confirms_and_checks_in(RETURNING)
        world.wait_for_registrations()
        return self.summary()

    def summary(self) -> bool:
        world = self.world
        days = [(world.clock.now() - timedelta(days=offset)).date() for offset in (1, 0)]
        day_entries = [e for day in days for e, _f in world.store.faces.entries_on(day)]
        statuses = Counter(e.status for e in day_entries)
        methods = Counter(e.link_method for e in day_entries if e.link_method)
        receptions = sum(len(world.store.registry.list_receptions(day)) for day in days)
        references = Counter(r.state for r in world.reference.registrations())
        failed = [s for s in self.steps if not s.ok]
        self.out("")
        self.out("== まとめ / summary")
        self.out(f"顔認証結果の項目 {len(day_entries)} 件: {dict(statuses)}、連携方法 {dict(methods)}")
        self.out(f"受付 {receptions} 件、受付票 {len(world.printer.slips)} 枚、照会番号の登録 {dict(references)}")
        timing = "、".join(f"{name} {ms:.0f} ms" for name, ms in self.timings.items())
        self.out(f"時間: {timing}（合計 {time.perf_counter() - self.started:.1f} 秒）")
        if failed:
            self.out(f"✗ {len(failed)} 件の手順が期待どおりではありません / {len(failed)} step(s) failed")
            return False
        self.out(f"✓ すべての手順が完了しました（{len(self.steps)} 件） / every step happened")
        return True


def run_headless(patients: int = 3000) -> int:
    world = DemoWorld(patients=patients)
    try:
        return 0 if Story(world).run() else 1
    finally:
        world.close()
