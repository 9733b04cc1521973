"""The Windows provisioning plan (what the MSI's custom action runs), checked on any OS."""

from __future__ import annotations

from pathlib import PureWindowsPath

from kiosk.provision import TASK_NAME, Provision, plan

ROOT = PureWindowsPath(r"C:\ProgramData\Uketsuke")
APP = PureWindowsPath(r"C:\Program Files\Uketsuke")


def test_install_plan() -> None:
    commands = plan(Provision(ROOT, APP, service_account=r".\uketsuke-svc", kiosk_user="kiosk"))
    flat = [" ".join(c) for c in commands]
    assert any("copy" in c and "uketsuke.template.toml" in c and "if not exist" in c for c in flat)
    data_acl = next(c for c in flat if c.startswith("icacls.exe") and c.split()[1].endswith("data"))
    assert r".\uketsuke-svc:(OI)(CI)M" in data_acl and "kiosk:(OI)(CI)M" in data_acl
    assert any(c.startswith("sc.exe failure UketsukeAgent") and "restart/5000" in c for c in flat)
    task = next(c for c in commands if c[0] == "schtasks.exe")
    assert TASK_NAME in task and "onlogon" in task and "kiosk" in task
    assert not any("rmdir" in c for c in flat)  # installing never deletes


def test_without_a_kiosk_user_there_is_no_auto_start() -> None:
    assert not any(c[0] == "schtasks.exe" for c in plan(Provision(ROOT, APP)))


def test_purge_removes_data_and_logs_but_not_the_configuration() -> None:
    flat = [" ".join(c) for c in plan(Provision(ROOT, APP, purge=True))]
    assert any("rmdir" in c and c.endswith("data") for c in flat) and any(c.endswith("logs") for c in flat)
    assert not any("config" in c for c in flat)
