#!/usr/bin/env bash
# The test command: sets up everything (Debian packages, venv) by itself, then lints, type-checks
# and runs the whole test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
echo "== ruff"; ruff check .
echo "== mypy"; mypy
echo "== dependency audit"; python scripts/audit_deps.py
echo "== demo (headless)"; uketsuke demo --headless --patients 1000
echo "== pytest"; exec pytest "$@"
