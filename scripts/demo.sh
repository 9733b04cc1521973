#!/usr/bin/env bash
# The main job on embedded defaults: load a small sample registry, ingest the bundled sample face
# folder into a fresh temporary store (matching each entry) and print the 顔認証付きCR利用者リスト.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export UKETSUKE_CONFIG="$work/demo.toml"
printf '[paths]\ndata_dir = "%s"\n[face]\nwrite_grace_seconds = 0.5\n' "$work" > "$UKETSUKE_CONFIG"
.venv/bin/uketsuke registry import samples/registry.csv
.venv/bin/uketsuke ingest --once --face-dir samples/face
.venv/bin/uketsuke cr-list --date 2025-04-01
.venv/bin/uketsuke cr-list --date 2025-04-01 --json
