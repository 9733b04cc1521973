#!/usr/bin/env bash
# Packaging smoke test on Linux: the PyInstaller onedir build (both executables), a run of the frozen
# program on the sample face files, then the MSI built with wixl from that folder.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
.venv/bin/pyinstaller --noconfirm --log-level WARN --distpath build/dist --workpath build/work packaging/uketsuke.spec
APP=build/dist/uketsuke
"$APP/uketsuke" --version
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf "[paths]\ndata_dir = '%s'\n[logging]\nconsole = false\n" "$work" > "$work/smoke.toml"
"$APP/uketsuke" --config "$work/smoke.toml" ingest --once --face-dir samples/face
"$APP/uketsuke" --config "$work/smoke.toml" cr-list --date 2025-04-01 --json | head -c 300; echo
bash packaging/build_msi.sh "$APP" build/Uketsuke.msi
