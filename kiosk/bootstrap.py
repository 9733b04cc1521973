"""Composition root: turns Settings into wired services. The only place that picks adapters."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from drivers.serial.link import Link
    from kiosk.services.reception import ReceptionService

from adapters.oqs.face_folder import FaceFolder
from adapters.registry.sql_registry import SqlRegistry
from kiosk.core.clock import Clock, SystemClock
from kiosk.core.errors import UketsukeError
from kiosk.core.kiosk_guard import GuardedDesk
from kiosk.core.kiosk_ports import CardInput, CardInputs, KioskDesk, NoCards, NoPrinter, SlipPrinter
from kiosk.core.linking import Linker
from kiosk.core.matching import Matcher
from kiosk.core.registry import ReceptionRegistry
from kiosk.services.audit import SEAL, load_seal
from kiosk.services.ingest import IngestService
from kiosk.services.kiosk_desk import StoreKioskDesk
from kiosk.services.linking import AutoMode, MatchingLinker
from kiosk.services.reference_registration import ReferenceFolders, ReferenceService
from kiosk.services.serial_bridge import SerialBridge
from kiosk.settings import Settings
from kiosk.store import db
from kiosk.store.face_repository import FaceRepository


@dataclass
class Store:
    engine: Engine
    sessions: sessionmaker[Session]
    faces: FaceRepository
    registry: SqlRegistry
    backend: ReceptionRegistry | None = None  # the configured registry back-end, built once per store


def open_store(settings: Settings, *, migrate: bool = True) -> Store:
    engine = db.make_engine(settings.store_url(), busy_timeout_ms=settings.store.busy_timeout_ms)
    if migrate:
        db.upgrade(engine)
    seal = load_seal(settings.audit_key_dir(), settings.audit_anchor())
    sessions = db.session_factory(engine, info={SEAL: seal})
    return Store(engine=engine, sessions=sessions, faces=FaceRepository(sessions), registry=SqlRegistry(sessions))


def face_folders(settings: Settings, face_dir: str | None = None) -> list[FaceFolder]:
    folder = face_dir or settings.face.folder
    if not folder:
        raise UketsukeError(
            "face_folder_unset",
            "顔認証結果フォルダが設定されていません（[face] folder または --face-dir）",
            "no face folder configured ([face] folder or --face-dir)",
        )
    common = {"max_bytes": settings.face.max_file_bytes, "settle_seconds": settings.face.settle_seconds}
    folders = [FaceFolder(Path(folder), source="face", **common)]  # type: ignore[arg-type]
    if settings.face.trash_folder:
        folders.append(FaceFolder(Path(settings.face.trash_folder), source="trash", **common))  # type: ignore[arg-type]
    return folders


def ingest_service(
    settings: Settings,
    store: Store,
    *,
    face_dir: str | None = None,
    linker: Linker | None = None,
    clock: Clock | None = None,
) -> IngestService:
    return IngestService(
        store.faces,
        face_folders(settings, face_dir),
        linker=linker or MatchingLinker(Matcher(registry_backend(settings, store)), linking_mode(settings, store)),
        clock=clock or SystemClock(),
        write_grace_seconds=settings.face.write_grace_seconds,
        expected_encoding=settings.face.encoding,
    )


def linking_mode(settings: Settings, store: Store) -> Callable[[], AutoMode]:
    """The linking mode an administrator set in the staff console, else the configuration file's."""
    from kiosk.services.runtime_settings import RuntimeSettings

    return RuntimeSettings(store.sessions, SystemClock(), default_mode=settings.linking.auto).linking_mode


def reference_service(settings: Settings, store: Store, *, clock: Clock | None = None) -> ReferenceService | None:
    """The 照会番号 registration service, or None when no 医療機関コード / folders are configured."""
    oqs = settings.oqs
    if not (oqs.medical_institution_code and oqs.req_folder and oqs.res_folder):
        return None
    folders = ReferenceFolders(
        institution_code=oqs.medical_institution_code,
        req=Path(oqs.req_folder),
        res=Path(oqs.res_folder),
        encoding=oqs.request_encoding,
        answer_timeout=timedelta(seconds=oqs.answer_timeout_seconds),
    )
    return ReferenceService(
        store.sessions, folders, clock or SystemClock(), bulk_poll=timedelta(seconds=oqs.bulk_poll_seconds)
    )


def require_reference_service(settings: Settings, store: Store) -> ReferenceService:
    service = reference_service(settings, store)
    if service is None:
        raise UketsukeError(
            "oqs_unset",
            "照会番号登録の設定がありません（[oqs] medical_institution_code, req_folder, res_folder）",
            "照会番号 registration is not configured ([oqs] medical_institution_code, req_folder, res_folder)",
        )
    return service


def orca_password(settings: Settings) -> str:
    """The ORCA API password from the environment (services) or the user's keyring; never from the file."""
    orca = settings.orca
    if orca.password_env and os.environ.get(orca.password_env):
        return os.environ[orca.password_env]
    try:
        import keyring

        stored = keyring.get_password(orca.password_keyring_service, orca.user)
    except Exception:  # no usable keyring backend on this machine
        stored = None
    if not stored:
        raise UketsukeError(
            "orca_password",
            f"ORCA のパスワードがありません（環境変数 {orca.password_env} または資格情報マネージャー"
            f" {orca.password_keyring_service}）",
            f"no ORCA password (environment variable {orca.password_env} or keyring {orca.password_keyring_service})",
        )
    return str(stored)


def registry_backend(settings: Settings, store: Store) -> ReceptionRegistry:
    """The configured reception registry (embedded SQL, ORCA with a local mirror, or file exchange)."""
    if store.backend is not None:
        return store.backend
    backend: ReceptionRegistry
    if settings.registry.backend == "orca":
        from adapters.registry.orca.client import OrcaClient, OrcaSettings
        from adapters.registry.orca.registry import OrcaRegistry

        orca = settings.orca
        if not (orca.base_url and orca.user and orca.physician_code):
            raise UketsukeError(
                "orca_unset",
                "ORCA の設定が足りません（[orca] base_url, user, physician_code）",
                "ORCA is not fully configured ([orca] base_url, user, physician_code)",
            )
        client = OrcaClient(
            OrcaSettings(
                base_url=orca.base_url, user=orca.user, password=orca_password(settings), path_prefix=orca.path_prefix,
                wire_format=orca.wire_format, timeout=orca.timeout_seconds, client_cert=orca.client_cert or None,
                client_key=orca.client_key or None, ca_file=orca.ca_file or None,
            )
        )  # fmt: skip
        backend = OrcaRegistry(client, store.registry, physician_code=orca.physician_code,
                               default_department=orca.default_department)  # fmt: skip
    elif settings.registry.backend == "file":
        from adapters.registry.file_exchange import FileExchangeRegistry

        backend = FileExchangeRegistry(store.registry, settings.file_exchange)
    else:
        backend = store.registry
    store.backend = backend
    return backend


def serial_bridge(settings: Settings, store: Store, clock: Clock | None = None) -> SerialBridge | None:
    """The 再来受付機 bridge when enabled: framing and port from [serial_bridge]."""
    config = settings.serial_bridge
    if not config.enabled:
        return None
    from kiosk.services.serial_bridge import BridgeConfig

    link = serial_link(settings)
    bridge_config = BridgeConfig(
        device_id=config.device_id,
        card_pattern=config.card_pattern,
        strip_leading_zeros=config.strip_leading_zeros,
        department=config.department or None,
        window=settings.appointments.window(),
    )
    return SerialBridge(link, registry_backend(settings, store), bridge_config, clock or SystemClock())


def serial_link(settings: Settings) -> Link:
    """The framed line to the 再来受付機 described by [serial_bridge] (port by name or USB identity)."""
    from drivers.serial.framing import FramingConfig
    from drivers.serial.link import Link
    from drivers.serial.port import PortSpec, ReconnectingPort

    config = settings.serial_bridge
    if not (config.port or config.usb_vid is not None or config.usb_serial_number):
        raise UketsukeError(
            "serial_port_unset",
            "再来受付機のポートが設定されていません（[serial_bridge] port または usb_vid/usb_pid）",
            "no port for the 再来受付機 ([serial_bridge] port or usb_vid/usb_pid)",
        )
    port = ReconnectingPort(PortSpec(name=config.port, vid=config.usb_vid, pid=config.usb_pid,
                                     serial_number=config.usb_serial_number, baudrate=config.baudrate))  # fmt: skip
    port.timeout = 0.05
    framing = FramingConfig(bcc=config.bcc, bcc_span=config.bcc_span, bcc_encoding=config.bcc_encoding,
                            handshake=config.handshake, retries=config.retries,
                            response_timeout=config.response_timeout_seconds)  # fmt: skip
    return Link(port, framing)


def store_kiosk_desk(settings: Settings, store: Store, clock: Clock | None = None, *,
                     kiosk_id: str | None = None) -> StoreKioskDesk:  # fmt: skip
    """The desk on the store, unguarded: for the agent's API (which guards per kiosk) and tests of the desk."""
    return StoreKioskDesk(store.sessions, registry_backend(settings, store), clock or SystemClock(),
                          kiosk_id=kiosk_id or settings.kiosk.kiosk_id,
                          window=settings.appointments.window())  # fmt: skip


def kiosk_desk(settings: Settings, store: Store, clock: Clock | None = None) -> KioskDesk:
    """A single-PC kiosk's desk: the store, behind the same need-to-know guard as the agent's kiosk API."""
    clock = clock or SystemClock()
    return GuardedDesk(store_kiosk_desk(settings, store, clock), clock)


def kiosk_cards(settings: Settings) -> CardInput:
    """The kiosk's readers: PC/SC readers matching [kiosk] card_readers, the 再来受付機 for magnetic cards."""
    inputs: list[CardInput] = []
    if settings.kiosk.card_readers:
        from drivers.pcsc.kiosk_cards import PcscCardInput

        inputs.append(PcscCardInput(tuple(settings.kiosk.card_readers)).start())
    if settings.kiosk.magnetic_via_serial:
        from drivers.serial.card_reader import SerialCardInput

        bridge = settings.serial_bridge
        inputs.append(SerialCardInput(serial_link(settings), bridge.card_pattern,
                                      strip_leading_zeros=bridge.strip_leading_zeros).start())  # fmt: skip
    return CardInputs(inputs) if inputs else NoCards()


def kiosk_printer(settings: Settings) -> SlipPrinter:
    if settings.kiosk.printer == "escpos":
        if not settings.kiosk.printer_url:
            raise UketsukeError(
                "printer_unset",
                "プリンターの接続先がありません（[kiosk] printer_url）",
                "no printer address ([kiosk] printer_url)",
            )
        from drivers.serial.escpos_printer import EscposPrinter

        return EscposPrinter(settings.kiosk.printer_url, baudrate=settings.kiosk.printer_baudrate)
    return NoPrinter()


def reception_service(settings: Settings, store: Store, clock: Clock | None = None) -> ReceptionService | None:
    """Receptions on link, when `[reception] register_on_link` asks for them."""
    if not settings.reception.register_on_link:
        return None
    from kiosk.services.reception import ReceptionService

    return ReceptionService(store.sessions, registry_backend(settings, store), clock or SystemClock(),
                            department=settings.reception.department or None,
                            window=settings.appointments.window())  # fmt: skip
