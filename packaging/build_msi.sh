#!/usr/bin/env bash
# Build the MSI with wixl from a PyInstaller folder: packaging/build_msi.sh [DIST_DIR] [OUT.msi]
# On Windows CI, DIST_DIR is the Windows build (uketsuke.exe, uketsuke-ui.exe, _internal\...).
# On Linux CI the Linux build stands in for it: the two executables are staged under their Windows names so
# the installer's layout and tables (files, service, shortcuts, upgrade, custom actions) are checked for real.
set -euo pipefail
cd "$(dirname "$0")/.."
DIST=${1:-build/dist/uketsuke}
OUT=${2:-build/Uketsuke.msi}
VERSION=$(.venv/bin/python -c 'import kiosk; print(kiosk.__version__)')
STAGE=build/msi-stage
rm -rf "$STAGE"
mkdir -p "$STAGE" "$(dirname "$OUT")"
cp -a "$DIST"/. "$STAGE"/
for name in uketsuke uketsuke-ui; do
  if [ ! -f "$STAGE/$name.exe" ]; then mv "$STAGE/$name" "$STAGE/$name.exe"; fi
done
find "$STAGE" -type f ! -name uketsuke.exe ! -name uketsuke-ui.exe | sort \
  | wixl-heat -p "$STAGE/" --directory-ref INSTALLDIR --component-group CG.Payload --var var.SourceDir --win64 \
  > build/payload.wxs
wixl -a x64 -D Win64=yes -D SourceDir="$STAGE" -D ConfigSource=config/default.toml -D Version="$VERSION" \
  -o "$OUT" packaging/uketsuke.wxs build/payload.wxs
echo "MSI: $OUT ($(du -h "$OUT" | cut -f1))"
