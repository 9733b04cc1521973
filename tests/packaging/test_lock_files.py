"""The hashed lock files: complete, consistent with pyproject.toml and with each other, and really used.

A lock that drifts from pyproject.toml, a pin without a hash, or a venv that was not installed from the lock would
each make a fresh install take versions nobody tested; these checks fail on each.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
REQ = ROOT / "requirements"

# the environments the universal lock must serve: the Linux CI/test machine and the Windows build, 3.11 and 3.12
ENVIRONMENTS = [
    {"python_version": v, "python_full_version": f"{v}.4", "sys_platform": p, "platform_system": s,
     "os_name": o, "implementation_name": "cpython", "platform_python_implementation": "CPython",
     "platform_machine": "x86_64" if p == "linux" else "AMD64"}
    for v in ("3.11", "3.12") for p, s, o in (("linux", "Linux", "posix"), ("win32", "Windows", "nt"))
]  # fmt: skip


def pins(path: Path) -> list[tuple[Requirement, list[str]]]:
    """Each pinned requirement of a pip requirements file with its hashes."""
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    result = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip() if not line.lstrip().startswith("--hash") else line
        if not line:
            continue
        spec, *hashes = (part.strip() for part in line.split("--hash="))
        result.append((Requirement(spec), hashes))
    return result


def resolved(path: Path, env: dict[str, str]) -> dict[str, str]:
    versions: dict[str, str] = {}
    for req, _ in pins(path):
        if req.marker is None or req.marker.evaluate(env):
            name = canonicalize_name(req.name)
            assert name not in versions, f"{path.name}: {name} pinned twice for {env}"
            versions[name] = next(iter(req.specifier)).version
    return versions


def project_requirements(*extras: str) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = list(project["dependencies"])
    for extra in extras:
        names += project["optional-dependencies"][extra]
    return [Requirement(name) for name in names]


@pytest.mark.parametrize("lock", ["lock.txt", "lock-dev.txt", "pip.txt"])
def test_every_pin_is_exact_and_hashed(lock: str) -> None:
    entries = pins(REQ / lock)
    assert entries, f"{lock} is empty"
    for req, hashes in entries:
        assert len(req.specifier) == 1 and next(iter(req.specifier)).operator == "==", f"{req} is not pinned"
        assert hashes and all(h.startswith("sha256:") and len(h) == 71 for h in hashes), f"{req.name}: no hash"


@pytest.mark.parametrize("env", ENVIRONMENTS, ids=lambda e: f"{e['sys_platform']}-{e['python_version']}")
@pytest.mark.parametrize(("lock", "extras"), [("lock.txt", ("postgres",)), ("lock-dev.txt", ("dev", "postgres"))])
def test_the_lock_satisfies_pyproject(lock: str, extras: tuple[str, ...], env: dict[str, str]) -> None:
    versions = resolved(REQ / lock, env)
    for req in project_requirements(*extras):
        if req.marker is not None and not req.marker.evaluate(env):
            continue
        name = canonicalize_name(req.name)
        assert name in versions, f"{lock} lacks {name} for {env['sys_platform']} {env['python_version']}"
        assert req.specifier.contains(versions[name], prereleases=True), f"{lock}: {name}=={versions[name]} ∉ {req}"


@pytest.mark.parametrize("env", ENVIRONMENTS, ids=lambda e: f"{e['sys_platform']}-{e['python_version']}")
def test_the_shipped_lock_is_the_tested_one(env: dict[str, str]) -> None:
    shipped, tested = resolved(REQ / "lock.txt", env), resolved(REQ / "lock-dev.txt", env)
    assert {name: tested.get(name) for name in shipped} == shipped
    assert "pyinstaller" not in shipped and "pytest" not in shipped  # build and test tools are not shipped


def test_this_environment_was_installed_from_the_lock() -> None:
    """setup.sh installed exactly the locked versions (a plain `pip install -e .` would take the newest)."""
    env = default_environment()
    wrong = {}
    for name, version in resolved(REQ / "lock-dev.txt", env).items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            wrong[name] = "missing"
            continue
        if canonicalize_name(installed) != canonicalize_name(version) and installed != version:
            wrong[name] = installed
    assert not wrong, f"installed versions differ from requirements/lock-dev.txt: {wrong}"


def test_installers_use_the_hashed_locks() -> None:
    setup = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    windows = (ROOT / "packaging" / "build_windows.ps1").read_text(encoding="utf-8")
    for script in (setup, windows):
        assert re.search(r"--require-hashes -r requirements[/\\]lock-dev\.txt", script)
        assert re.search(r"--require-hashes -r requirements[/\\]pip\.txt", script)
        assert "--no-deps --no-build-isolation" in script
        assert not re.search(r"pip install[^\n]*--upgrade", script)
