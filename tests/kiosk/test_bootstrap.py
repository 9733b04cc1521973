"""The composition root picks the configured registry back-end; the ORCA password never comes from the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.registry.file_exchange import FileExchangeRegistry
from adapters.registry.orca.registry import OrcaRegistry
from adapters.registry.sql_registry import SqlRegistry
from kiosk.bootstrap import open_store, registry_backend
from kiosk.core.errors import UketsukeError
from kiosk.settings import settings_from_mapping

ORCA = {"base_url": "http://127.0.0.1:9", "user": "uketsuke", "physician_code": "10001"}


def test_embedded_by_default(data_dir: Path) -> None:
    settings = settings_from_mapping({"paths": {"data_dir": str(data_dir)}})
    assert isinstance(registry_backend(settings, open_store(settings)), SqlRegistry)


def test_orca_with_the_password_from_the_environment(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UKETSUKE_ORCA_PASSWORD", "from-env")
    settings = settings_from_mapping(
        {"paths": {"data_dir": str(data_dir)}, "registry": {"backend": "orca"}, "orca": ORCA}
    )
    backend = registry_backend(settings, open_store(settings))
    assert isinstance(backend, OrcaRegistry) and backend.client.settings.password == "from-env"


def test_orca_without_a_password_is_a_clear_error(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UKETSUKE_ORCA_PASSWORD", raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    settings = settings_from_mapping(
        {"paths": {"data_dir": str(data_dir)}, "registry": {"backend": "orca"}, "orca": ORCA}
    )
    with pytest.raises(UketsukeError) as caught:
        registry_backend(settings, open_store(settings))
    assert "パスワード" in caught.value.ja and "UKETSUKE_ORCA_PASSWORD" in caught.value.en


def test_password_is_not_a_config_key(data_dir: Path) -> None:
    with pytest.raises(UketsukeError, match=r"orca\.password"):
        settings_from_mapping({"orca": {**ORCA, "password": "in-the-file"}})


def test_file_exchange(data_dir: Path) -> None:
    settings = settings_from_mapping(
        {"paths": {"data_dir": str(data_dir)}, "registry": {"backend": "file"},
         "file_exchange": {"patient_file": str(data_dir / "none.csv")}}
    )  # fmt: skip
    assert isinstance(registry_backend(settings, open_store(settings)), FileExchangeRegistry)
