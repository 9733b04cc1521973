#!/usr/bin/env bash
# Idempotent setup of everything the tests and the demo need on a Debian machine:
# the Debian packages (PC/SC stack, serial PTYs, PostgreSQL, Xvfb, Japanese fonts, MSI tools),
# a virtual environment in .venv, and the project installed into it (editable, with dev tools).
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(
  # PC/SC: pyscard builds against libpcsclite with swig; pcscd + vpcd for the virtual card tests
  pcscd libpcsclite-dev swig vsmartcard-vpcd
  # test isolation: pcscd and the virtual cards in their own user, mount and network namespace
  iproute2 util-linux
  # serial PTY pairs
  socat
  # hospital mode tests start their own throwaway cluster
  postgresql
  # UI tests: Xvfb screenshots, Japanese fonts, the X/EGL libraries Qt needs
  xvfb xauth fonts-noto-cjk fonts-morisawa-bizud-gothic
  libegl1 libgl1 libfontconfig1 libxkbcommon0 libxkbcommon-x11-0 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-randr0 libxcb-render-util0
  libxcb-image0 libxcb-xinerama0 libxcb-xkb1
  # packaging checks (MSI built and inspected on Linux)
  msitools wixl
  # the kiosk's voice: Qt Multimedia needs libpulse; the tests play into a PulseAudio null sink and record it;
  # espeak-ng renders the English, Chinese, Korean and Vietnamese lines at build time
  libpulse0 pulseaudio pulseaudio-utils espeak-ng
)

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    echo "setup: installing Debian packages with sudo: ${missing[*]}"
    sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: これらのDebianパッケージが必要です / these Debian packages are missing: ${missing[*]}" >&2
    echo "setup: root で実行するか、手動でインストールしてください / run as root or install them by hand" >&2
    [ "${CI:-}" = "true" ] && exit 1
  fi
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# Python packages come from the hashed lock files (requirements/, regenerated with scripts/lock.sh): exactly the
# versions that were tested, each file checked against its recorded hash. The project itself is then installed
# editable without touching its dependencies or fetching a build back-end.
stamp=.venv/.uketsuke-installed
stale=0
[ -f "$stamp" ] || stale=1
for f in pyproject.toml requirements/pip.txt requirements/lock-dev.txt; do
  [ "$f" -nt "$stamp" ] && stale=1
done
if ((stale)); then
  .venv/bin/python -m pip install -q --require-hashes -r requirements/pip.txt
  .venv/bin/python -m pip install -q --require-hashes -r requirements/lock-dev.txt
  .venv/bin/python -m pip install -q --no-deps --no-build-isolation -e .
  touch "$stamp"
fi

# The kiosk's voice: render the spoken catalogue and tones (quick when nothing changed; nothing is downloaded)
.venv/bin/python scripts/render_voice.py >/dev/null 2>&1 || .venv/bin/python scripts/render_voice.py
