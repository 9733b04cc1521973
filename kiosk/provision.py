"""What the MSI cannot declare with wixl, done by one deferred custom action: `uketsuke.exe provision`.

Idempotent, so the installer, a repair and a vendor's script can all run it: creates the ProgramData
folders and the staff group, sets the ACLs below, sets the service's recovery actions, and creates the kiosk
user's auto-start task. With `--purge` (uninstall with PURGEDATA=1) it removes the data instead. The commands are
a plan first, so they can be shown (`--dry-run`) and tested on any OS.

Who reaches what (issue 19): ProgramData gives every user read and create rights, so each folder's tree is reset
and its inheritance cut, then only these hold rights (no Users, Authenticated Users or Everyone anywhere):
- data (the store, its -wal/-shm, the log pseudonym key): SYSTEM and Administrators full, the service account and
  the staff group Modify; the kiosk user Modify too, because the kiosk still opens the store itself — the kiosk
  behind the agent (issue 20) removes that grant.
- data/keys (audit keys): SYSTEM and Administrators full, the service account Modify (it creates them); the staff
  group and the kiosk user read only (they seal the records they write, but cannot replace or delete a key).
- logs: as data, and the kiosk user always (each program writes its own log and the audit anchor).
- kiosk (the kiosk's token for the agent's kiosk API): the kiosk user only, besides SYSTEM and Administrators.
- With `--kiosk-via-agent` (MSI KIOSKVIAAGENT=1) the reception PC's own kiosk goes through the agent on loopback
  and the kiosk user gets nothing of data or keys. On a kiosk PC (`--kiosk-pc`) there is no store at all.
- config (uketsuke.toml with the kiosk's exit-PIN hash): SYSTEM and Administrators full; the service account, the
  staff group and the kiosk user read — not every user of the PC.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import PureWindowsPath

from kiosk.core.errors import UketsukeError
from kiosk.winservice import SERVICE_NAME

TASK_NAME = r"\Uketsuke\Kiosk"
STAFF_GROUP = "UketsukeStaff"


@dataclass(frozen=True)
class Provision:
    program_data: PureWindowsPath
    install_dir: PureWindowsPath
    service_account: str = ""  # e.g. .\uketsuke-svc (the MSI's ServiceInstall sets it as the service's logon)
    kiosk_user: str = ""  # the Windows account the kiosk runs as; empty: no auto-start
    purge: bool = False
    staff_group: str = STAFF_GROUP  # the local group whose members use the staff console
    kiosk_pc: bool = False  # a kiosk PC: no store, no agent, no staff; only the kiosk user and its token
    kiosk_via_agent: bool = False  # the reception PC's own kiosk also goes through the agent: no store access


SYSTEM, ADMINISTRATORS = "*S-1-5-18", "*S-1-5-32-544"
FULL, MODIFY, READ = "(OI)(CI)F", "(OI)(CI)M", "(OI)(CI)RX"


def _restrict(path: PureWindowsPath, grants: list[tuple[str, str]]) -> list[list[str]]:
    """Reset the tree to inherit from its root (drops rights an older install granted), then give the root only
    these explicit rights with inheritance from above cut; children inherit them."""
    flags = [item for who, rights in grants if who for item in ("/grant:r", f"{who}:{rights}")]
    return [["icacls.exe", str(path), "/reset", "/T", "/C", "/Q"],
            ["icacls.exe", str(path), "/inheritance:r", *flags, "/C", "/Q"]]  # fmt: skip


def plan(settings: Provision) -> list[list[str]]:
    root = settings.program_data
    if settings.purge:
        return [["cmd.exe", "/c", "rmdir", "/s", "/q", str(root / "data")],
                ["cmd.exe", "/c", "rmdir", "/s", "/q", str(root / "logs")],
                ["schtasks.exe", "/delete", "/tn", TASK_NAME, "/f"]]  # fmt: skip
    folders = ("config", "data", "kiosk", "logs") if settings.kiosk_pc else \
        ("config", "data", "data\\keys", "kiosk", "logs")
    commands = [["cmd.exe", "/c", "if", "not", "exist", str(root / sub), "mkdir", str(root / sub)]
                for sub in folders]  # fmt: skip
    config, template = root / "config" / "uketsuke.toml", root / "config" / "uketsuke.template.toml"
    # the site's configuration is made from the template once and never overwritten by upgrades
    commands.append(["cmd.exe", "/c", "if", "not", "exist", str(config), "copy", str(template), str(config)])
    owners = [(SYSTEM, FULL), (ADMINISTRATORS, FULL)]
    if settings.kiosk_pc:
        # the kiosk PC's data folder holds the kiosk's token for the agent: the kiosk user's, nobody else's
        kiosk_only = [*owners, (settings.kiosk_user, MODIFY)]
        for sub in ("data", "kiosk", "logs"):
            commands += _restrict(root / sub, kiosk_only)
        commands += _restrict(root / "config", [*owners, (settings.kiosk_user, READ)])
        return commands + _kiosk_task(settings)
    # an existing group makes this fail; apply() tolerates that
    commands.append(["net.exe", "localgroup", settings.staff_group, "/add",
                     "/comment:Uketsuke reception staff (staff console)"])  # fmt: skip
    service, staff, kiosk = settings.service_account, settings.staff_group, settings.kiosk_user
    # a kiosk that reaches the agent (even on this PC) needs nothing of the store: only its logs and its token
    store_kiosk = "" if settings.kiosk_via_agent else kiosk
    writers = [*owners, (service, MODIFY), (staff, MODIFY)]
    commands += _restrict(root / "data", [*writers, (store_kiosk, MODIFY)])
    commands += _restrict(root / "logs", [*writers, (kiosk, MODIFY)])
    commands += _restrict(root / "kiosk", [*owners, (kiosk, MODIFY)])  # the kiosk's token for the agent
    commands += _restrict(root / "data" / "keys", [*owners, (service, MODIFY), (staff, READ), (store_kiosk, READ)])
    commands += _restrict(root / "config", [*owners, (service, READ), (staff, READ), (kiosk, READ)])
    commands.append(["sc.exe", "failure", SERVICE_NAME, "reset=", "86400",
                     "actions=", "restart/5000/restart/30000/restart/60000"])  # fmt: skip
    return commands + _kiosk_task(settings)


def _kiosk_task(settings: Provision) -> list[list[str]]:
    if not settings.kiosk_user:
        return []
    ui = settings.install_dir / "uketsuke-ui.exe"
    return [["schtasks.exe", "/create", "/tn", TASK_NAME, "/sc", "onlogon", "/ru", settings.kiosk_user,
             "/rl", "limited", "/tr", f'"{ui}" kiosk', "/f"]]  # fmt: skip


# a task or group that already exists (or, on purge, is already gone) is not a failure
TOLERATED = ("schtasks.exe", "net.exe")


def apply(commands: list[list[str]]) -> list[str]:  # pragma: no cover - Windows only
    """Run the plan; a step that fails is reported and the rest still runs (the installer logs it)."""
    if sys.platform != "win32":
        raise UketsukeError("not_windows", "provision は Windows 専用です（--dry-run で内容を表示）",
                            "provision runs on Windows only (use --dry-run to see it)")  # fmt: skip
    failures = []
    for command in commands:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0 and command[0] not in TOLERATED:
            failures.append(f"{' '.join(command[:2])}: {done.returncode}")
    return failures


def default_install_dir() -> PureWindowsPath:
    return PureWindowsPath(sys.executable).parent if sys.platform == "win32" else PureWindowsPath(
        r"C:\Program Files\Uketsuke")  # fmt: skip


def program_data_dir() -> PureWindowsPath:
    from kiosk.winservice import program_data

    return PureWindowsPath(str(program_data())) if sys.platform == "win32" else PureWindowsPath(
        r"C:\ProgramData\Uketsuke")  # fmt: skip

