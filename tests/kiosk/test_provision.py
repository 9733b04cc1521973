"""The Windows provisioning plan (what the MSI's custom action runs), checked on any OS."""

from __future__ import annotations

from pathlib import PureWindowsPath

from kiosk.provision import STAFF_GROUP, TASK_NAME, Provision, plan

ROOT = PureWindowsPath(r"C:\ProgramData\Uketsuke")
APP = PureWindowsPath(r"C:\Program Files\Uketsuke")
# Users, Authenticated Users, Everyone, and the names they go by
BROAD = ("S-1-5-32-545", "S-1-5-11", "S-1-1-0", "Users", "Everyone", "Authenticated")


def acl(commands: list[list[str]], path: str) -> list[str]:
    """The explicit rights the plan leaves on a folder: its last icacls command, which must follow a reset."""
    on_path = [c for c in commands if c[0] == "icacls.exe" and c[1] == path]
    assert len(on_path) == 2 and on_path[0][2:4] == ["/reset", "/T"], f"{path}: not reset first: {on_path}"
    final = on_path[1]
    assert "/inheritance:r" in final  # nothing flows in from ProgramData (which lets every user read and create)
    return [final[i + 1] for i, item in enumerate(final) if item == "/grant:r"]


def rights(grants: list[str], who: str) -> str | None:
    return next((g.split(":", 1)[1] for g in grants if g.split(":", 1)[0] == who), None)


def test_install_plan() -> None:
    commands = plan(Provision(ROOT, APP, service_account=r".\uketsuke-svc", kiosk_user="kiosk"))
    flat = [" ".join(c) for c in commands]
    assert any("copy" in c and "uketsuke.template.toml" in c and "if not exist" in c for c in flat)
    data_acl = acl(commands, r"C:\ProgramData\Uketsuke\data")
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


def test_only_the_service_staff_and_kiosk_reach_the_data() -> None:
    """A patient or anyone else logged on to the PC gets nothing; the staff console's group and the kiosk (which
    still opens the store itself until it works through the agent) may write; audit keys and the configuration with
    the exit-PIN hash are read-only for them."""
    commands = plan(Provision(ROOT, APP, service_account=r".\uketsuke-svc", kiosk_user="kiosk"))
    assert any(c[:4] == ["net.exe", "localgroup", STAFF_GROUP, "/add"] for c in commands)
    base = r"C:\ProgramData\Uketsuke"
    for folder in ("data", "logs", r"data\keys", "config", "kiosk"):
        grants = acl(commands, rf"{base}\{folder}")
        assert not [g for g in grants if any(b in g for b in BROAD)], f"{folder}: {grants}"
        assert rights(grants, "*S-1-5-18") == rights(grants, "*S-1-5-32-544") == "(OI)(CI)F"
    for folder in ("data", "logs", r"data\keys", "config"):
        grants = acl(commands, rf"{base}\{folder}")
        assert {g.split(":", 1)[0] for g in grants} == {"*S-1-5-18", "*S-1-5-32-544", r".\uketsuke-svc", STAFF_GROUP,
                                                         "kiosk"}, folder  # fmt: skip
    # the kiosk's token for the agent: the kiosk user's alone
    assert {g.split(":", 1)[0] for g in acl(commands, rf"{base}\kiosk")} == {"*S-1-5-18", "*S-1-5-32-544", "kiosk"}
    for folder in ("data", "logs"):
        grants = acl(commands, rf"{base}\{folder}")
        assert {rights(grants, who) for who in (STAFF_GROUP, "kiosk", r".\uketsuke-svc")} == {"(OI)(CI)M"}
    keys = acl(commands, rf"{base}\data\keys")
    assert rights(keys, r".\uketsuke-svc") == "(OI)(CI)M"
    assert rights(keys, STAFF_GROUP) == rights(keys, "kiosk") == "(OI)(CI)RX"
    config = acl(commands, rf"{base}\config")
    assert rights(config, r".\uketsuke-svc") == rights(config, STAFF_GROUP) == rights(config, "kiosk") == "(OI)(CI)RX"
    order = [c[1] for c in commands if c[0] == "icacls.exe"]
    assert order.index(rf"{base}\data\keys") > max(i for i, p in enumerate(order) if p == rf"{base}\data")


def test_without_a_service_account_or_kiosk_user_nobody_else_is_granted() -> None:
    commands = plan(Provision(ROOT, APP, staff_group="Reception"))
    grants = acl(commands, r"C:\ProgramData\Uketsuke\data")
    assert {g.split(":", 1)[0] for g in grants} == {"*S-1-5-18", "*S-1-5-32-544", "Reception"}
    assert all(g.split(":", 1)[0] for g in grants)  # no empty account name


def test_a_kiosk_pc_gives_its_folders_to_the_kiosk_user_only() -> None:
    """A kiosk PC holds no store and runs no agent: no staff group, no service recovery, no audit keys; its data
    folder (the kiosk's token for the agent) and logs are the kiosk user's alone."""
    commands = plan(Provision(ROOT, APP, kiosk_user="kiosk", kiosk_pc=True))
    flat = [" ".join(c) for c in commands]
    assert not any(c.startswith(("net.exe", "sc.exe")) for c in flat)
    assert not any("keys" in c for c in flat)
    base = r"C:\ProgramData\Uketsuke"
    for folder in ("data", "kiosk", "logs"):
        grants = acl(commands, rf"{base}\{folder}")
        assert {g.split(":", 1)[0] for g in grants} == {"*S-1-5-18", "*S-1-5-32-544", "kiosk"}
        assert rights(grants, "kiosk") == "(OI)(CI)M"
    assert rights(acl(commands, rf"{base}\config"), "kiosk") == "(OI)(CI)RX"
    assert any(c[0] == "schtasks.exe" and "kiosk" in c for c in commands)


def test_a_kiosk_through_the_agent_reads_nothing_of_the_store() -> None:
    """With the reception PC's own kiosk going through the agent (KIOSKVIAAGENT=1), the kiosk user has no right on
    the store or the audit keys; it keeps its logs, its token folder and read access to the configuration."""
    commands = plan(Provision(ROOT, APP, service_account=r".\uketsuke-svc", kiosk_user="kiosk", kiosk_via_agent=True))
    base = r"C:\ProgramData\Uketsuke"
    assert rights(acl(commands, rf"{base}\data"), "kiosk") is None
    assert rights(acl(commands, rf"{base}\data\keys"), "kiosk") is None
    assert rights(acl(commands, rf"{base}\logs"), "kiosk") == "(OI)(CI)M"
    assert rights(acl(commands, rf"{base}\kiosk"), "kiosk") == "(OI)(CI)M"
    assert rights(acl(commands, rf"{base}\config"), "kiosk") == "(OI)(CI)RX"
    assert rights(acl(commands, rf"{base}\data"), STAFF_GROUP) == "(OI)(CI)M"  # the staff console still works
