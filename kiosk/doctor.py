"""`uketsuke doctor`: the installer's on-site checklist, each line ✓ / ⚠ / ✗ with how to fix a ✗.

Every check is read-only towards the 資格確認端末 except one: a probe file (not an OQS file name) is written
to and removed from the req folder, because 照会番号 registration needs to write there.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from adapters.registry.orca.client import is_plain_http_off_host
from kiosk.core.errors import UketsukeError
from kiosk.core.face import FaceDocument, timestamp_from_name
from kiosk.settings import Settings, load_settings

CLOCK_SKEW_SECONDS = 120


class Status(StrEnum):
    OK = "✓"
    WARN = "⚠"
    FAIL = "✗"
    SKIP = "－"


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str = ""

    def line(self) -> str:
        text = f"{self.status.value} {self.name}: {self.detail}"
        return text + (f"\n    → {self.fix}" if self.fix and self.status in (Status.FAIL, Status.WARN) else "")


def _guard(name: str, check: Callable[[], Check]) -> Check:
    """A check that breaks unexpectedly is a ✗ with its reason, never a traceback."""
    try:
        return check()
    except UketsukeError as exc:
        return Check(name, Status.FAIL, f"{exc.ja} / {exc.en}")
    except Exception as exc:
        return Check(name, Status.FAIL, f"予期しないエラー / unexpected error: {type(exc).__name__}: {exc}")


class Doctor:
    def __init__(self, config: str | None, db_url: str | None) -> None:
        self.config = config
        self.db_url = db_url
        self.settings: Settings | None = None
        self.store: object | None = None
        self.newest_face: Path | None = None

    def run(self) -> list[Check]:
        checks = [_guard("設定 / config", self.check_config)]
        if self.settings is None:
            return checks
        if self.settings.kiosk.agent_url:
            # a kiosk PC: no store, no terminal folders; it reaches the agent's kiosk API
            for name, check in (
                ("受付 PC のエージェント / agent", self.check_kiosk_desk),
                ("カードリーダー / PC/SC readers", self.check_pcsc),
                ("再来受付機 / serial port", self.check_serial),
                ("受付票プリンター / slip printer", self.check_printer),
            ):
                checks.append(_guard(name, check))
            return checks
        for name, check in (
            ("データベース / store", self.check_store),
            ("顔認証結果フォルダ / face folder", self.check_face_folder),
            ("顔認証結果ファイル / a face file", self.check_face_file),
            ("照会番号の依頼フォルダ / req folder", self.check_req_folder),
            ("レセコン / registry back-end", self.check_registry),
            ("カードリーダー / PC/SC readers", self.check_pcsc),
            ("再来受付機 / serial port", self.check_serial),
            ("受付票プリンター / slip printer", self.check_printer),
            ("時計 / clocks", self.check_clock),
            ("キオスク API / kiosk API", self.check_kiosk_api),
        ):
            checks.append(_guard(name, check))
        return checks

    def check_kiosk_desk(self) -> Check:
        from kiosk.kiosk_remote import check_desk

        assert self.settings is not None
        found = check_desk(self.settings)
        status = Status.OK if found.ok else Status.FAIL
        return Check("受付 PC のエージェント / agent", status, f"{found.where}: {found.ja} / {found.en}",
                     "受付 PC で uketsuke kiosk pair を実行し、指紋とトークンを設定します / run uketsuke kiosk pair "
                     "on the reception PC and set the fingerprint and token it prints")  # fmt: skip

    def check_kiosk_api(self) -> Check:
        assert self.settings is not None
        name = "キオスク API / kiosk API"
        if not self.settings.kiosk_api.enabled:
            return Check(name, Status.SKIP, "使いません（別 PC のキオスクなし） / off (no kiosk PC)")
        from kiosk.core.clock import SystemClock
        from kiosk.kiosk_remote import agent_fingerprint
        from kiosk.services.kiosk_pairing import KioskPairing

        fingerprint = agent_fingerprint(self.settings)
        store = self.store
        paired = KioskPairing(store.sessions, SystemClock()).paired() if store is not None else []  # type: ignore[attr-defined]
        detail = f"ポート {self.settings.kiosk_api.port}、登録済み {len(paired)} 台、証明書 {fingerprint[:23]}…"
        if not paired:
            return Check(name, Status.WARN, detail, "uketsuke kiosk pair 名前 でキオスク PC を登録します / pair "
                         "kiosk PCs with uketsuke kiosk pair NAME")  # fmt: skip
        return Check(name, Status.OK, detail + f" / port {self.settings.kiosk_api.port}, {len(paired)} paired")

    # -- checks ----------------------------------------------------------------------------------
    def check_config(self) -> Check:
        source = self.config or os.environ.get("UKETSUKE_CONFIG") or "（既定値 / defaults）"
        self.settings = load_settings(self.config, db_url=self.db_url)
        return Check("設定 / config", Status.OK, f"{source} を読みました / read {source}")

    def check_store(self) -> Check:
        from kiosk.bootstrap import open_store
        from kiosk.store import db

        assert self.settings is not None
        store = open_store(self.settings, migrate=False)
        current, head = db.current_revision(store.engine), db.head_revision()
        self.store = store
        if current != head:
            return Check("データベース / store", Status.FAIL, f"移行が必要です（{current} → {head}） / not migrated",
                         "uketsuke db upgrade を実行してください / run uketsuke db upgrade")  # fmt: skip
        kind = store.engine.dialect.name
        return Check("データベース / store", Status.OK, f"{kind}、最新（{head}） / reachable and migrated")

    def check_face_folder(self) -> Check:
        assert self.settings is not None
        folder = self.settings.face.folder
        name = "顔認証結果フォルダ / face folder"
        if not folder:
            return Check(name, Status.FAIL, "設定されていません / not configured",
                         "[face] folder に資格確認端末の face フォルダ（UNC）を設定 / set [face] folder")  # fmt: skip
        path = Path(folder)
        if not path.is_dir():
            return Check(name, Status.FAIL, f"{folder} が見つかりません / not found",
                         "共有とアクセス権、サービスのアカウント（ネットワークドライブは見えません）を確認 / check the "
                         "share, its permissions and the service account (mapped drives are invisible)")  # fmt: skip
        try:
            names = sorted(p for p in path.iterdir() if p.name.lower().startswith("oqssiquc01res_face_"))
        except OSError as exc:
            return Check(name, Status.FAIL, f"一覧を取れません / cannot list: {exc.strerror}",
                         "読み取り権限を付けてください / grant read permission")  # fmt: skip
        self.newest_face = max(names, key=lambda p: p.stat().st_mtime) if names else None
        if os.access(path, os.W_OK):
            return Check(name, Status.WARN, f"{folder}: {len(names)} 件、書き込みもできます / writable too",
                         "Uketsuke は読むだけです。読み取り専用にすると安全です / Uketsuke only reads: make it "
                         "read-only")  # fmt: skip
        return Check(name, Status.OK, f"{folder}: 顔認証結果 {len(names)} 件 / {len(names)} face files, readable")

    def check_face_file(self) -> Check:
        from adapters.oqs.face_xml import parse_face_file

        assert self.settings is not None
        name = "顔認証結果ファイル / a face file"
        if self.newest_face is None:
            return Check(name, Status.SKIP, "まだファイルがありません / no face file yet")
        parsed = parse_face_file(self.newest_face.read_bytes(), max_bytes=self.settings.face.max_file_bytes,
                                 expected_encoding=self.settings.face.encoding)  # fmt: skip
        if isinstance(parsed, FaceDocument):
            return Check(name, Status.OK, f"{self.newest_face.name} を読めました（{parsed.encoding}） / parses")
        return Check(name, Status.FAIL, f"{self.newest_face.name}: {parsed.ja} / {parsed.en}",
                     "資格確認端末の出力設定（文字コード）を確認 / check the terminal's output settings")  # fmt: skip

    def check_req_folder(self) -> Check:
        assert self.settings is not None
        oqs = self.settings.oqs
        name = "照会番号の依頼フォルダ / req folder"
        if not (oqs.medical_institution_code and oqs.req_folder and oqs.res_folder):
            return Check(name, Status.SKIP, "照会番号登録は使いません / 照会番号 registration not configured")
        for folder in (oqs.req_folder, oqs.res_folder):
            if not Path(folder).is_dir():
                return Check(name, Status.FAIL, f"{folder} が見つかりません / not found",
                             "req / res フォルダの共有を確認 / check the req and res shares")  # fmt: skip
        probe = Path(oqs.req_folder) / f".uketsuke-doctor-{uuid.uuid4().hex[:8]}.tmp"
        try:
            probe.write_bytes(b"")
            self.probe_mtime = probe.stat().st_mtime
            probe.unlink()
        except OSError as exc:
            return Check(name, Status.FAIL, f"{oqs.req_folder} に書けません / not writable: {exc.strerror}",
                         "サービスのアカウントに req への書き込み権限を / grant write on req")  # fmt: skip
        return Check(name, Status.OK, f"{oqs.req_folder} に書けます / writable; res を読めます / res readable")

    def check_registry(self) -> Check:
        from kiosk.bootstrap import Store, registry_backend

        assert self.settings is not None
        name = "レセコン / registry back-end"
        if not isinstance(self.store, Store):
            return Check(name, Status.SKIP, "データベースに接続できないため確認できません / store unreachable")
        backend = self.settings.registry.backend
        if backend == "file":
            patient_file = self.settings.file_exchange.patient_file
            if not patient_file or not Path(patient_file).is_file():
                return Check(name, Status.FAIL, f"患者ファイルがありません / no patient file: {patient_file or '-'}",
                             "[file_exchange] patient_file を確認 / check [file_exchange] patient_file")  # fmt: skip
        registry = registry_backend(self.settings, self.store)
        departments = registry.departments()
        detail = f"{backend}: 診療科 {len(departments)} 件 / {len(departments)} departments"
        if backend == "embedded":
            detail += f"、患者 {self.store.registry.count():,} 人 / patients"
        if backend == "orca" and is_plain_http_off_host(self.settings.orca.base_url):
            return Check(name, Status.WARN, detail + "。ORCA へは暗号化なしの http:// です / plain http:// to ORCA",
                         "パスワードと患者情報が LAN を平文で流れます。https:// にするか ORCA を同じ PC で"
                         "動かしてください / the password and patient data cross the LAN unencrypted: "
                         "use https://")  # fmt: skip
        return Check(name, Status.OK, detail)

    def check_pcsc(self) -> Check:
        assert self.settings is not None
        patterns = self.settings.kiosk.card_readers
        name = "カードリーダー / PC/SC readers"
        if not patterns:
            return Check(name, Status.SKIP, "受付機のカードリーダーは使いません / none configured")
        import re

        from smartcard.scard import SCARD_S_SUCCESS, SCARD_SCOPE_USER, SCardEstablishContext, SCardListReaders

        result, context = SCardEstablishContext(SCARD_SCOPE_USER)
        if result != SCARD_S_SUCCESS:
            return Check(name, Status.FAIL, "スマートカードサービスに接続できません / the PC/SC service is not running",
                         "Windows: Smart Card (SCardSvr) サービスとリーダーの接続を確認 / check SCardSvr and the "
                         "reader")  # fmt: skip
        _result, readers = SCardListReaders(context, [])
        matching = [r for r in readers or [] if any(re.search(p, r) for p in patterns)]
        if not matching:
            return Check(name, Status.FAIL, f"設定に合うリーダーがありません（見つかったもの: {readers or []}） / "
                         "no matching reader", "[kiosk] card_readers とリーダーの接続を確認 / check the reader and "
                         "[kiosk] card_readers")  # fmt: skip
        return Check(name, Status.OK, "、".join(matching))

    def check_serial(self) -> Check:
        from drivers.serial.port import PortSpec, find_device

        assert self.settings is not None
        config = self.settings.serial_bridge
        name = "再来受付機 / serial port"
        if not (config.enabled or self.settings.kiosk.magnetic_via_serial):
            return Check(name, Status.SKIP, "使いません / not enabled")
        spec = PortSpec(
            name=config.port, vid=config.usb_vid, pid=config.usb_pid, serial_number=config.usb_serial_number
        )
        device = find_device(spec)
        if device is None or (config.port and not Path(device).exists() and not device.upper().startswith("COM")):
            return Check(name, Status.FAIL, f"ポートが見つかりません / port not found ({config.port or spec})",
                         "USB の接続と [serial_bridge] port / usb_vid / usb_pid を確認 / check the cable and the "
                         "configured port or USB ids")  # fmt: skip
        return Check(name, Status.OK, f"{device}")

    def check_printer(self) -> Check:
        from kiosk.core.kiosk_ports import PrintStatus

        assert self.settings is not None
        kiosk = self.settings.kiosk
        name = "受付票プリンター / slip printer"
        if kiosk.printer == "none":
            return Check(name, Status.SKIP, "使いません / not configured")
        from drivers.serial.escpos_printer import EscposPrinter

        printer = EscposPrinter(kiosk.printer_url, baudrate=kiosk.printer_baudrate)
        try:
            status = printer.paper()
        finally:
            printer.close()
        if status is PrintStatus.PRINTED:
            return Check(name, Status.OK, f"{kiosk.printer_url}: 用紙あり / ready")
        if status is PrintStatus.PAPER_OUT:
            return Check(name, Status.FAIL, "用紙がありません / out of paper", "ロール紙を入れてください / load paper")
        return Check(name, Status.FAIL, f"{kiosk.printer_url}: 応答がありません / no answer",
                     "電源・ケーブル・[kiosk] printer_url を確認 / check power, cable and printer_url")  # fmt: skip

    def check_clock(self) -> Check:
        name = "時計 / clocks"
        notes: list[str] = []
        worst = 0.0
        if self.newest_face is not None:
            stamped = timestamp_from_name(self.newest_face.name)
            written = datetime.fromtimestamp(self.newest_face.stat().st_mtime)
            # only a file the terminal wrote within the hour says something about its clock (old files get copied)
            if stamped is not None and abs((datetime.now() - written).total_seconds()) < 3600:
                skew = abs((written - stamped).total_seconds())
                worst = max(worst, skew)
                notes.append(f"端末と共有 / terminal vs share {skew:.0f} s")
        probe = getattr(self, "probe_mtime", None)
        if probe is not None:
            skew = abs(probe - time.time())
            worst = max(worst, skew)
            notes.append(f"この PC と共有 / this PC vs share {skew:.0f} s")
        if not notes:
            return Check(name, Status.SKIP, "比べるものがありません / nothing to compare yet")
        if worst > CLOCK_SKEW_SECONDS:
            return Check(name, Status.FAIL, "、".join(notes),
                         "NTP（w32time）で時刻を合わせてください。受付の時間窓と監査記録が正しくなりません / sync the "
                         "clocks (NTP); the kiosk time window and the audit trail depend on it")  # fmt: skip
        return Check(name, Status.OK, "、".join(notes))
