"""Audit the locked dependencies for known vulnerabilities (PyPA's pip-audit), where its database is reachable.

    python scripts/audit_deps.py             audit requirements/lock.txt and lock-dev.txt
    python scripts/audit_deps.py --require   exit 3 when no vulnerability database can be reached

pip-audit asks PyPI's per-release JSON (the PyPA advisory database) or OSV. Behind a registry proxy or offline
neither may answer; then nothing was audited, and this says so in one plain line instead of passing silently.
Exit codes: 0 audited and clean (or not reachable, without --require), 1 vulnerabilities found, 2 the audit
itself failed, 3 not reachable with --require.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKS = (ROOT / "requirements" / "lock.txt", ROOT / "requirements" / "lock-dev.txt")
TIMEOUT = 10.0


def _answers(request: urllib.request.Request) -> bool:
    """True when the service gives a real answer (not a proxy's 404 or a refused connection)."""
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            json.loads(response.read(1 << 20))
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def reachable_service() -> str | None:
    """The pip-audit vulnerability service that answers from here: "pypi", "osv" or None."""
    # pip-audit's PyPI service reads https://pypi.org/pypi/NAME/VERSION/json; a proxy that serves only the
    # project pages answers 404 there, which pip-audit would report as "not found on PyPI" and skip.
    if _answers(urllib.request.Request("https://pypi.org/pypi/pip/24.0/json")):
        return "pypi"
    query = json.dumps({"package": {"name": "pip", "ecosystem": "PyPI"}, "version": "24.0"}).encode()
    osv = urllib.request.Request(
        "https://api.osv.dev/v1/query", data=query, headers={"Content-Type": "application/json"}
    )
    if _answers(osv):
        return "osv"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--require", action="store_true", help="fail (exit 3) when no database is reachable")
    args = parser.parse_args(argv)
    service = reachable_service()
    if service is None:
        print(
            "依存関係の監査: 脆弱性データベース（PyPI / OSV）に接続できないため、監査していません。\n"
            "dependency audit: NOT AUDITED — no vulnerability database (PyPI advisory JSON or OSV) is reachable "
            "from this machine; run scripts/audit_deps.py where it is."
        )
        return 3 if args.require else 0
    tool = shutil.which("pip-audit", path=str(Path(sys.executable).parent)) or shutil.which("pip-audit")
    if tool is None:
        print("依存関係の監査: pip-audit がありません / dependency audit: pip-audit is not installed", file=sys.stderr)
        return 2
    worst = 0
    for lock in LOCKS:
        command = [
            tool, "--requirement", str(lock), "--require-hashes", "--disable-pip", "--strict",
            "--vulnerability-service", service, "--progress-spinner", "off", "--timeout", "30",
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        output = (result.stdout + result.stderr).strip()
        name = lock.relative_to(ROOT)
        if result.returncode == 0:
            print(f"dependency audit ({service}): {name}: no known vulnerabilities")
        else:
            print(f"依存関係の監査 / dependency audit ({service}): {name}:\n{output}")
            # pip-audit exits 1 both for findings and for its own failures; findings name a vulnerability id
            found = any(token in output for token in ("PYSEC-", "GHSA-", "CVE-"))
            worst = max(worst, 1 if found else 2)
    return worst


if __name__ == "__main__":
    sys.exit(main())
