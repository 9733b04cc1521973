"""Composition root: turns Settings into wired services. The only place that picks adapters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from adapters.oqs.face_folder import FaceFolder
from adapters.registry.sql_registry import SqlRegistry
from kiosk.core.clock import Clock, SystemClock
from kiosk.core.errors import UketsukeError
from kiosk.core.linking import Linker
from kiosk.core.matching import Matcher
from kiosk.services.ingest import IngestService
from kiosk.services.linking import MatchingLinker
from kiosk.services.reference_registration import ReferenceFolders, ReferenceService
from kiosk.settings import Settings
from kiosk.store import db
from kiosk.store.face_repository import FaceRepository


@dataclass
class Store:
    engine: Engine
    sessions: sessionmaker[Session]
    faces: FaceRepository
    registry: SqlRegistry


def open_store(settings: Settings, *, migrate: bool = True) -> Store:
    engine = db.make_engine(settings.store_url(), busy_timeout_ms=settings.store.busy_timeout_ms)
    if migrate:
        db.upgrade(engine)
    sessions = db.session_factory(engine)
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
        linker=linker or MatchingLinker(Matcher(store.registry), settings.linking.auto),
        clock=clock or SystemClock(),
        write_grace_seconds=settings.face.write_grace_seconds,
        expected_encoding=settings.face.encoding,
    )


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
