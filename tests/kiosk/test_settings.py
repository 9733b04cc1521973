"""Configuration: defaults equal config/default.toml; mistakes give one bilingual line naming the key."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from kiosk.core.errors import ConfigError
from kiosk.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_default_toml_matches_the_built_in_defaults() -> None:
    data = tomllib.loads((ROOT / "config" / "default.toml").read_text(encoding="utf-8"))
    assert Settings.model_validate(data) == Settings()


@pytest.mark.parametrize("example", sorted((ROOT / "config").glob("*.example.toml")), ids=lambda p: p.name)
def test_every_example_config_is_valid(example: Path) -> None:
    load_settings(example)


@pytest.mark.parametrize(
    ("content", "key", "ja"),
    [
        ("[face]\npoll_interval = 1\n", "face.poll_interval", "不明な設定項目"),
        ("[face]\npoll_interval_seconds = 'fast'\n", "face.poll_interval_seconds", "数値"),
        ("[face]\npoll_interval_seconds = -1\n", "face.poll_interval_seconds", "小さすぎ"),
        ("[face]\nencoding = 'latin-1'\n", "face.encoding", "指定できない値"),
        ("[logging]\nlevel = 'LOUD'\n", "logging.level", "指定できない値"),
        ("face = 3\n", "face", "セクション"),
    ],
)
def test_a_bad_key_or_value_names_the_key(tmp_path: Path, content: str, key: str, ja: str) -> None:
    config = tmp_path / "site.toml"
    config.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    line = caught.value.one_line()
    assert key in line and ja in line
    assert "\n" not in line


def test_syntax_error_and_missing_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[face\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="書式"):
        load_settings(broken)
    with pytest.raises(ConfigError, match="ありません"):
        load_settings(tmp_path / "nope.toml")


def test_environment_variable_and_db_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "env.toml"
    config.write_text("[store]\nurl = 'sqlite:///from-file.db'\n[face]\nfolder = '/srv/face'\n", encoding="utf-8")
    monkeypatch.setenv("UKETSUKE_CONFIG", str(config))
    assert load_settings().face.folder == "/srv/face"
    assert load_settings(db_url="sqlite:///override.db").store_url() == "sqlite:///override.db"


def test_on_windows_every_account_shares_the_program_data_folders(monkeypatch: pytest.MonkeyPatch) -> None:
    """The service, the staff console and the kiosk run as different Windows accounts: with no paths set they must
    all open %ProgramData%\\Uketsuke\\data (whose ACLs provision sets), not each their own AppData store."""
    import sys

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("PROGRAMDATA", "/pd")
    settings = Settings()
    assert settings.data_dir() == Path("/pd/Uketsuke/data")
    assert settings.log_dir() == Path("/pd/Uketsuke/logs")
    assert settings.audit_key_dir() == Path("/pd/Uketsuke/data/keys")  # the folder provision keeps read-only
    assert settings.store_url() == f"sqlite:///{Path('/pd/Uketsuke/data/uketsuke.db')}"
    assert settings.kiosk_token_file() == Path("/pd/Uketsuke/kiosk/kiosk-token")  # the kiosk user's folder alone
    monkeypatch.setattr(sys, "platform", "linux")
    assert "Uketsuke" in str(Settings().data_dir()) and "/pd" not in str(Settings().data_dir())
