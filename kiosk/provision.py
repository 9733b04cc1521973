"""What the MSI cannot declare with wixl, done by one deferred custom action: `uketsuke.exe provision`.

Idempotent, so the installer, a repair and a vendor's script can all run it: creates the ProgramData
folders, gives the service account and the kiosk user Modify on data and logs (both open the SQLite file
and its -wal/-shm), sets the service's recovery actions, and creates the kiosk user's auto-start task. With
`--purge` (uninstall with PURGEDATA=1) it removes the data instead. The commands are a plan first, so
they can be shown (`--dry-run`) and tested on any OS.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import PureWindowsPath

from kiosk.core.errors import UketsukeError
from kiosk.winservice import SERVICE_NAME

TASK_NAME = r"\Uketsuke\Kiosk"


@dataclass(frozen=True)
class Provision:
    program_data: PureWindowsPath
    install_dir: PureWindowsPath
    service_account: str = ""  # e.g. .\uketsuke-svc (the MSI's ServiceInstall sets it as the service's logon)
    kiosk_user: str = ""  # the Windows account the kiosk runs as; empty: no auto-start
    purge: bool = False


def plan(settings: Provision) -> list[list[str]]:
    root = settings.program_data
    if settings.purge:
        return [["cmd.exe", "/c", "rmdir", "/s", "/q", str(root / "data")],
                ["cmd.exe", "/c", "rmdir", "/s", "/q", str(root / "logs")],
                ["schtasks.exe", "/delete", "/tn", TASK_NAME, "/f"]]  # fmt: skip
    commands = [["cmd.exe", "/c", "if", "not", "exist", str(root / sub), "mkdir", str(root / sub)]
                for sub in ("config", "data", "logs")]  # fmt: skip
    config, template = root / "config" / "uketsuke.toml", root / "config" / "uketsuke.template.toml"
    # the site's configuration is made from the template once and never overwritten by upgrades
    commands.append(["cmd.exe", "/c", "if", "not", "exist", str(config), "copy", str(template), str(config)])
    writers = ["*S-1-5-32-544", "*S-1-5-18"]  # Administrators, LocalSystem
    if settings.service_account:
        writers.append(settings.service_account)
    if settings.kiosk_user:
        writers.append(settings.kiosk_user)
    for sub in ("data", "logs"):
        grants = [item for who in writers for item in ("/grant", f"{who}:(OI)(CI)M")]
        commands.append(["icacls.exe", str(root / sub), "/inheritance:r", *grants, "/T", "/C", "/Q"])
    config_grants = ["/grant", "*S-1-5-32-544:(OI)(CI)F", "/grant", "*S-1-5-18:(OI)(CI)F",
                     "/grant", "*S-1-5-32-545:(OI)(CI)RX"]  # admins and the system write; users read  # fmt: skip
    commands.append(["icacls.exe", str(root / "config"), "/inheritance:r", *config_grants, "/T", "/C", "/Q"])
    commands.append(["sc.exe", "failure", SERVICE_NAME, "reset=", "86400",
                     "actions=", "restart/5000/restart/30000/restart/60000"])  # fmt: skip
    if settings.kiosk_user:
        ui = settings.install_dir / "uketsuke-ui.exe"
        commands.append(["schtasks.exe", "/create", "/tn", TASK_NAME, "/sc", "onlogon", "/ru", settings.kiosk_user,
                         "/rl", "limited", "/tr", f'"{ui}" kiosk', "/f"])  # fmt: skip
    return commands


def apply(commands: list[list[str]]) -> list[str]:  # pragma: no cover - Windows only
    """Run the plan; a step that fails is reported and the rest still runs (the installer logs it)."""
    if sys.platform != "win32":
        raise UketsukeError("not_windows", "provision は Windows 専用です（--dry-run で内容を表示）",
                            "provision runs on Windows only (use --dry-run to see it)")  # fmt: skip
    failures = []
    for command in commands:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0 and command[0] != "schtasks.exe":
            failures.append(f"{' '.join(command[:2])}: {done.returncode}")
    return failures


def default_install_dir() -> PureWindowsPath:
    return PureWindowsPath(sys.executable).parent if sys.platform == "win32" else PureWindowsPath(
        r"C:\Program Files\Uketsuke")  # fmt: skip


def program_data_dir() -> PureWindowsPath:
    from kiosk.winservice import program_data

    return PureWindowsPath(str(program_data())) if sys.platform == "win32" else PureWindowsPath(
        r"C:\ProgramData\Uketsuke")  # fmt: skip

