#!/usr/bin/env bash
# Regenerate the hashed lock files in requirements/ from pyproject.toml and requirements/*.in.
#   scripts/lock.sh                      keep every pinned version that still satisfies the ranges
#   scripts/lock.sh --upgrade            take the newest versions the ranges allow
#   scripts/lock.sh --upgrade-package X  move only X (and what it needs)
# The locks are universal (Linux and Windows, Python 3.11 and newer): one file serves CI and the Windows build.
# uv resolves; it runs from a throwaway venv so it is never part of what we ship. Review the diff, run the
# tests, commit the .txt files together with the pyproject.toml change that caused them.
set -euo pipefail
cd "$(dirname "$0")/.."
tool=${UV_TOOL_VENV:-${TMPDIR:-/tmp}/uketsuke-lock-tool}
if [ ! -x "$tool/bin/uv" ]; then
  python3 -m venv "$tool"
  "$tool/bin/python" -m pip install -q 'uv>=0.4,<1'
fi
uv=("$tool/bin/uv" pip compile --quiet --universal --generate-hashes --python-version 3.11 --no-header "$@")
# Everything the tests, the voice rendering and the Windows build use (the runtime is a subset of it).
"${uv[@]}" pyproject.toml requirements/build.in requirements/audit.in --extra dev --extra postgres \
  --no-emit-package pip -o requirements/lock-dev.txt
# What the installed product runs with: the same versions, constrained by the development lock.
"${uv[@]}" pyproject.toml --extra postgres -c requirements/lock-dev.txt -o requirements/lock.txt
"${uv[@]}" requirements/pip.in -o requirements/pip.txt
echo "lock: requirements/lock.txt, lock-dev.txt, pip.txt updated"
