"""Configuration: TOML files validated by pydantic; one clear bilingual line on any mistake."""

from __future__ import annotations

import os
import sys
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from platformdirs import user_data_dir
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kiosk.core.check_in import CheckInWindow
from kiosk.core.errors import ConfigError

CONFIG_ENV = "UKETSUKE_CONFIG"
CONFIG_VERSION = 1


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreSettings(_Section):
    url: str = Field("", description="SQLAlchemy URL; empty: SQLite file in the data folder")
    busy_timeout_ms: int = Field(5000, ge=100, le=600_000)


class PathSettings(_Section):
    data_dir: str = ""
    log_dir: str = ""


class FaceSettings(_Section):
    folder: str = ""
    trash_folder: str = ""
    poll_interval_seconds: float = Field(1.0, gt=0, le=60)
    use_fs_events: bool = True
    settle_seconds: float = Field(0.02, ge=0, le=5)
    write_grace_seconds: float = Field(3.0, ge=0, le=120)
    max_file_bytes: int = Field(4 * 1024 * 1024, ge=1024, le=256 * 1024 * 1024)
    encoding: Literal["auto", "utf-8", "shift_jis"] = "auto"


class LoggingSettings(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    console: bool = True
    file_max_bytes: int = Field(10 * 1024 * 1024, ge=64 * 1024)
    file_backups: int = Field(20, ge=1, le=1000)


class OqsSettings(_Section):
    # 医療機関コード (10 digits); empty disables 照会番号 registration
    medical_institution_code: str = Field("", pattern=r"^(\d{10})?$")
    req_folder: str = ""
    res_folder: str = ""
    request_encoding: Literal["shift_jis", "utf-8"] = "shift_jis"
    answer_timeout_seconds: float = Field(180.0, gt=0, le=3600)
    bulk_poll_seconds: float = Field(30.0, gt=0, le=3600)
    register_after_link: bool = True


class OrcaConfig(_Section):
    base_url: str = ""  # e.g. http://orca-server:8000 or https://weborca.cloud.orcamo.jp
    path_prefix: Literal["", "/api"] = ""
    user: str = ""
    # The password never sits in this file: a keyring entry (Windows Credential Manager) or an environment variable.
    password_keyring_service: str = "uketsuke-orca"
    password_env: str = "UKETSUKE_ORCA_PASSWORD"
    wire_format: Literal["json", "xml2"] = "json"
    timeout_seconds: float = Field(10.0, gt=0, le=120)
    client_cert: str = ""
    client_key: str = ""
    ca_file: str = ""
    physician_code: str = ""
    default_department: str = "01"
    mirror_sync_minutes: float = Field(10.0, gt=0, le=1440)


class FileExchangeConfig(_Section):
    patient_file: str = ""  # the レセコン's patient master export
    format: Literal["csv", "fixed"] = "csv"
    encoding: Literal["cp932", "utf-8"] = "cp932"
    header: bool = True
    # CSV: column name (header) or 1-based index; fixed: "start:length" in bytes (full-width counts as 2)
    columns: dict[str, str] = Field(default_factory=dict)
    reception_folder: str = ""
    reception_name: str = "UKETSUKE_{date}_{number:05d}.csv"
    reception_format: Literal["csv", "fixed"] = "csv"
    departments: dict[str, str] = Field(default_factory=lambda: {"01": "内科"})
    # 予約: the レセコン's appointments export, the columns of `uketsuke appointments import` with a header, in
    # `encoding`; re-read when it changes. With it, reception files carry the appointment id and physician.
    appointment_file: str = ""


class SerialBridgeSettings(_Section):
    enabled: bool = False
    port: str = ""  # COM3 / /dev/ttyUSB0; or leave empty and give the USB identity
    usb_vid: int | None = None
    usb_pid: int | None = None
    usb_serial_number: str = ""
    baudrate: int = Field(9600, ge=300, le=115200)
    device_id: str = "saiurai-1"
    card_pattern: str = r"(\d+)"
    strip_leading_zeros: bool = False
    department: str = ""
    bcc: Literal["xor", "sum", "none"] = "xor"
    bcc_span: Literal["after_stx", "from_stx"] = "after_stx"
    bcc_encoding: Literal["raw", "hex"] = "raw"
    handshake: bool = True
    retries: int = Field(3, ge=0, le=10)
    response_timeout_seconds: float = Field(1.0, gt=0, le=30)


class RegistrySettings(_Section):
    backend: Literal["embedded", "orca", "file"] = "embedded"


class LinkingSettings(_Section):
    # off: decisions are computed and recorded (shadow mode) but every entry waits for staff.
    auto: Literal["off", "reference_only", "on"] = "on"


KioskLanguage = Literal["ja", "easy", "en", "zh", "ko", "vi"]


def _kiosk_languages() -> list[KioskLanguage]:
    return ["ja", "easy", "en", "zh", "ko", "vi"]


class KioskSettings(_Section):
    kiosk_id: str = Field("kiosk-1", pattern=r"^[A-Za-z0-9_.-]{1,32}$")
    clinic_name: str = "試験クリニック"
    hours: str = ""  # shown on the start screen, e.g. "月〜金 9:00–12:00 / 15:00–18:00"
    # the first is the start language; やさしい日本語 is "easy"
    languages: list[KioskLanguage] = Field(default_factory=_kiosk_languages, min_length=1)
    face_window_seconds: float = Field(120.0, ge=10, le=900)
    face_lead_seconds: float = Field(0.0, ge=0, le=600)
    # How a face result is bound to the patient at this kiosk: "birthdate" asks for it before any name appears;
    # "paired" trusts a lone result that arrived after the patient asked — only for a kiosk whose own face reader
    # is the only one writing into the face folder (a cabinet with the reader built in).
    face_binding: Literal["birthdate", "paired"] = "birthdate"
    take_card_seconds: float = Field(30.0, ge=5, le=300)
    sound: bool = True  # spoken instructions and tones (Qt Multimedia); false: silent
    volume: float = Field(0.8, ge=0, le=1)
    review_wait_seconds: float = Field(90.0, ge=0, le=900)
    idle_seconds: float = Field(90.0, ge=10, le=900)
    idle_warning_seconds: float = Field(30.0, ge=20, le=120)
    done_return_seconds: float = Field(15.0, ge=3, le=120)
    fullscreen: bool = True
    screen: str = ""  # the patient monitor by Qt screen name; empty: the primary screen
    px_per_mm: float = Field(3.78, ge=1, le=20)  # 21.5" 1920x1080 is about 4.0; monitors' own values are often wrong
    scale: float = Field(1.0, ge=0.5, le=3)
    exit_pin_hash: str = ""  # scrypt hash of the staff PIN that leaves kiosk mode (uketsuke kiosk --hash-pin)
    card_readers: list[str] = Field(default_factory=list)  # PC/SC reader name patterns (regex); empty: none
    mynumber_pin: bool = False  # offer マイナンバーカード on the kiosk's own contact reader (券面事項, PIN)
    magnetic_via_serial: bool = False  # the 再来受付機 of [serial_bridge] reads magnetic cards for this kiosk
    printer: Literal["none", "escpos"] = "none"
    printer_url: str = ""  # COM4, /dev/ttyUSB1 or socket://192.0.2.10:9100
    printer_baudrate: int = Field(9600, ge=300, le=115200)
    name_on_slip: bool = False
    # A kiosk PC without the store reaches the agent's kiosk API (uketsuke kiosk pair on the reception PC prints
    # the fingerprint and the token). Empty agent_url: this PC opens the store itself (a single-PC clinic).
    agent_url: str = Field("", pattern=r"^(https://[^\s/]+(:\d+)?/?)?$")
    agent_fingerprint: str = ""  # SHA256:AB:CD:… of the agent's certificate, pinned
    agent_token_file: str = ""  # empty: <data_dir>/kiosk-token (0600); if absent, the keyring entry uketsuke-kiosk


class KioskApiSettings(_Section):
    """The agent's kiosk API, for kiosk PCs that hold no store (off unless a clinic has such a kiosk)."""

    enabled: bool = False
    host: str = "0.0.0.0"
    port: int = Field(8443, ge=1, le=65535)
    certificate: str = ""  # empty: <data_dir>/tls/agent-cert.pem (made on first use, self-signed)
    private_key: str = ""  # empty: <data_dir>/tls/agent-key.pem (0600)
    names: list[str] = Field(default_factory=list)  # extra host names or addresses for the certificate


class StaffSettings(_Section):
    auto_lock_seconds: float = Field(300.0, ge=30, le=3600)  # the console locks itself after this much inactivity


class ReceptionSettings(_Section):
    # true: the agent registers the visit as soon as a face result is linked (the face-auth reader is the check-in);
    # false: kiosks, the 再来受付機 or the counter register it.
    register_on_link: bool = False
    department: str = ""  # 診療科 code for those receptions; empty: the registry's default


class AppointmentSettings(_Section):
    """予約受付: how early and how late around the booked time a machine (kiosk, 再来受付機, register_on_link) checks
    a patient in against the appointment; outside it the patient goes to the counter."""

    enabled: bool = True  # false: no 予約 at this clinic (the registry is never asked; every visit is 予約外)
    early_minutes: int = Field(120, ge=0, le=720)
    late_minutes: int = Field(60, ge=0, le=720)

    def window(self) -> CheckInWindow:
        return CheckInWindow(timedelta(minutes=self.early_minutes), timedelta(minutes=self.late_minutes), self.enabled)


class AuditSettings(_Section):
    # The keys that seal the audit trail live outside the store: a folder only the service account reads
    # (default <data_dir>/keys). Hospitals with several PCs copy the same folder to each (see README).
    key_dir: str = ""
    # Every committed record's id and code are also appended here, outside the store (default <log_dir>).
    anchor_file: str = ""


class Settings(_Section):
    config_version: int = Field(CONFIG_VERSION, ge=1, le=CONFIG_VERSION)
    store: StoreSettings = StoreSettings()
    paths: PathSettings = PathSettings()
    face: FaceSettings = FaceSettings()
    logging: LoggingSettings = LoggingSettings()
    linking: LinkingSettings = LinkingSettings()
    oqs: OqsSettings = OqsSettings()
    registry: RegistrySettings = RegistrySettings()
    orca: OrcaConfig = OrcaConfig()
    file_exchange: FileExchangeConfig = FileExchangeConfig()
    serial_bridge: SerialBridgeSettings = SerialBridgeSettings()
    kiosk: KioskSettings = KioskSettings()
    kiosk_api: KioskApiSettings = KioskApiSettings()
    staff: StaffSettings = StaffSettings()
    reception: ReceptionSettings = ReceptionSettings()
    appointments: AppointmentSettings = AppointmentSettings()
    audit: AuditSettings = AuditSettings()

    def data_dir(self) -> Path:
        if self.paths.data_dir:
            return Path(self.paths.data_dir)
        shared = machine_folder()
        return shared / "data" if shared else Path(user_data_dir("Uketsuke", False))

    def log_dir(self) -> Path:
        if self.paths.log_dir:
            return Path(self.paths.log_dir)
        shared = machine_folder()
        return shared / "logs" if shared else self.data_dir() / "logs"

    def audit_key_dir(self) -> Path:
        return Path(self.audit.key_dir) if self.audit.key_dir else self.data_dir() / "keys"

    def audit_anchor(self) -> Path:
        return Path(self.audit.anchor_file) if self.audit.anchor_file else self.log_dir() / "audit-anchor.log"

    def agent_certificate(self) -> tuple[Path, Path]:
        tls = self.data_dir() / "tls"
        api = self.kiosk_api
        return (Path(api.certificate) if api.certificate else tls / "agent-cert.pem",
                Path(api.private_key) if api.private_key else tls / "agent-key.pem")  # fmt: skip

    def kiosk_token_file(self) -> Path:
        """On Windows in %ProgramData%\\Uketsuke\\kiosk, which provision gives to the kiosk user alone."""
        if self.kiosk.agent_token_file:
            return Path(self.kiosk.agent_token_file)
        shared = machine_folder()
        return shared / "kiosk" / "kiosk-token" if shared else self.data_dir() / "kiosk-token"

    def store_url(self) -> str:
        return self.store.url or f"sqlite:///{self.data_dir() / 'uketsuke.db'}"


def machine_folder() -> Path | None:
    """On Windows the service, the staff console and the kiosk run as different accounts and must share one store:
    %ProgramData%\\Uketsuke (data, logs, config), whose ACLs `provision` sets. Elsewhere None: per-user folders."""
    return program_data_folder() if sys.platform == "win32" else None


def program_data_folder() -> Path:
    return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "Uketsuke"


_JA_MESSAGES = {
    "extra_forbidden": "不明な設定項目です",
    "missing": "必須の項目がありません",
    "bool_parsing": "true か false を指定してください",
    "bool_type": "true か false を指定してください",
    "int_parsing": "整数を指定してください",
    "int_type": "整数を指定してください",
    "int_from_float": "整数を指定してください",
    "float_parsing": "数値を指定してください",
    "float_type": "数値を指定してください",
    "string_type": "文字列を指定してください",
    "literal_error": "指定できない値です",
    "greater_than": "値が小さすぎます",
    "greater_than_equal": "値が小さすぎます",
    "less_than": "値が大きすぎます",
    "less_than_equal": "値が大きすぎます",
    "model_type": "セクション（[...]）で指定してください",
    "string_pattern_mismatch": "形式が正しくありません",
}


def _explain(error: ValidationError, source: str) -> ConfigError:
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(root)"
    ja = _JA_MESSAGES.get(first["type"], "値が正しくありません")
    return ConfigError(
        "config_invalid",
        f"設定 {source} の {key}: {ja}",
        f"config {source}, {key}: {first['msg']}",
    )


def settings_from_mapping(data: dict[str, Any], source: str = "(設定)") -> Settings:
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise _explain(exc, source) from None


def load_settings(path: str | os.PathLike[str] | None = None, *, db_url: str | None = None) -> Settings:
    """Defaults, then the file (argument, else $UKETSUKE_CONFIG), then --db."""
    chosen = path if path is not None else os.environ.get(CONFIG_ENV) or None
    data: dict[str, Any] = {}
    source = "(既定値)"
    if chosen is not None:
        file = Path(chosen)
        source = str(file)
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(
                "config_missing", f"設定ファイルがありません: {file}", f"config file not found: {file}"
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(
                "config_unreadable",
                f"設定ファイルを読めません: {file}",
                f"cannot read config file {file}: {type(exc).__name__}",
            ) from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(
                "config_syntax",
                f"設定ファイルの書式が正しくありません: {file} ({exc})",
                f"config file is not valid TOML: {file} ({exc})",
            ) from None
    if db_url:
        store = dict(data.get("store", {})) if isinstance(data.get("store"), dict) else {}
        store["url"] = db_url
        data = {**data, "store": store}
    return settings_from_mapping(data, source)
