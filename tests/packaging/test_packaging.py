"""The packaging smoke test: PyInstaller builds both executables, the frozen program ingests the sample files,
and wixl builds the MSI, whose tables must hold what an installer promises (a broken installer fails CI)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import need_stack
from tests.packaging import early_build

ROOT = Path(__file__).resolve().parents[2]
MSI = ROOT / "build" / "Uketsuke.msi"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built() -> Iterator[subprocess.CompletedProcess[str]]:
    need_stack(all(shutil.which(tool) for tool in ("wixl", "wixl-heat", "msiinfo")), "msitools and wixl")
    done = early_build.result(timeout=1200)  # started in the background at collection (see early_build)
    assert done.returncode == 0, done.stdout[-4000:]
    yield done


def table(name: str) -> list[list[str]]:
    text = subprocess.run(["msiinfo", "export", str(MSI), name], capture_output=True, text=True, check=True).stdout
    return [line.split("\t") for line in text.splitlines()[3:]]  # after the three header lines


def test_the_frozen_program_runs(built: subprocess.CompletedProcess[str]) -> None:
    assert "uketsuke 0.1.0" in built.stdout
    assert "取り込み" in built.stdout and '"entry_id"' in built.stdout  # ingest --once and cr-list from the bundle
    app = ROOT / "build" / "dist" / "uketsuke"
    assert (app / "uketsuke").is_file() and (app / "uketsuke-ui").is_file()  # two programs, one library folder
    assert (app / "_internal" / "kiosk" / "store" / "migrations" / "versions").is_dir()
    # the kiosk speaks and shows its drawings from the bundle: nothing is fetched or synthesised on the clinic PC
    patient = app / "_internal" / "kiosk" / "ui" / "patient"
    assert (patient / "sounds" / "ja" / "welcome.wav").is_file()
    assert (patient / "sounds" / "tones" / "error.wav").is_file()
    assert (patient / "pictures" / "face_reader.svg").is_file()
    assert list((app / "_internal").rglob("*Qt6Multimedia*")), "Qt Multimedia is missing from the bundle"
    assert not list((app / "_internal").rglob("*WebEngine*")), "Qt WebEngine slipped into the bundle"


def test_the_msi_tables(built: subprocess.CompletedProcess[str]) -> None:
    assert MSI.is_file()
    files = {row[2].split("|")[-1] for row in table("File")}
    assert {"uketsuke.exe", "uketsuke-ui.exe", "uketsuke.template.toml"} <= files
    assert "uketsuke.toml" not in files  # the live configuration is the site's, not the installer's
    [service] = table("ServiceInstall")
    assert service[1] == "UketsukeAgent" and service[4] == "2"  # StartType 2: automatic
    controls = table("ServiceControl")
    assert any(row[1] == "UketsukeAgent" for row in controls)
    shortcuts = {row[2].split("|")[-1] for row in table("Shortcut")}
    assert {"Uketsuke Kiosk", "Uketsuke Staff", "Uketsuke Doctor"} <= shortcuts
    upgrade = table("Upgrade")
    assert upgrade and upgrade[0][0] == "{7E3D4C2B-9A1F-4F1E-8C55-6B2A1D0E4A11}"
    actions = {row[0]: row for row in table("CustomAction")}
    assert "provision" in actions["Provision"][3] and "--purge" in actions["PurgeData"][3]
    # the data, logs and configuration are given to the service, the staff group and the kiosk user only
    assert '--staff-group "[STAFFGROUP]"' in actions["Provision"][3]
    properties = {row[0]: row[1] for row in table("Property")}
    assert properties["STAFFGROUP"] == "UketsukeStaff"
    # one MSI, two PCs: a kiosk PC (ADDLOCAL=Common,KioskPC) gets no agent service and no store folder
    assert '--kiosk-pc "[KIOSKPC]"' in actions["Provision"][3]
    assert '--kiosk-via-agent "[KIOSKVIAAGENT]"' in actions["Provision"][3]
    features = {(row[0], row[1]) for row in table("FeatureComponents")}
    assert ("Reception", "AgentService") in features and ("Reception", "DataFolder") in features
    assert ("KioskPC", "KioskCli") in features and ("Common", "UiExe") in features
    assert not {c for f, c in features if f == "KioskPC"} & {"AgentService", "DataFolder"}
    levels = {row[0]: row[5] for row in table("Feature")}
    assert levels["KioskPC"] == "1000" and levels["Reception"] == "1"  # a plain install is a reception PC
    directories = {row[2].split("|")[-1] for row in table("Directory")}
    assert {"Uketsuke", "config", "data", "logs"} <= directories
    assert actions["Provision"][1] == "3090"  # deferred, not impersonated: runs as LocalSystem
    sequence = {row[0]: row for row in table("InstallExecuteSequence")}
    assert "REMOVE" in sequence["PurgeData"][1] and "PURGEDATA" in sequence["PurgeData"][1]
    registry = {row[3] for row in table("Registry")}
    assert "EventMessageFile" in registry
