#!/usr/bin/env bash
# The README's first command: `uketsuke demo` — the whole chain on embedded defaults (a temporary store with a
# sample registry, the simulated 資格確認端末, the agent, the kiosk and the staff console). Without a display
# (CI, ssh) it runs the scripted story headless and prints its timeline; exit 0 only if every step happened.
# Extra arguments go to `uketsuke demo` (e.g. --headless, --patients 5000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/uketsuke demo "$@"
