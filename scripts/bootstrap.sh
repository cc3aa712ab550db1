#!/usr/bin/env bash
# Make .venv ready to run prodcoord: find Python >= 3.12, create the virtual
# environment, install the locked dependencies and prodcoord itself.
# Reruns are fast: nothing is installed unless requirements.lock or
# pyproject.toml changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
STAMP="$VENV/.prodcoord-installed"

log() { printf '==> %s\n' "$*" >&2; }

is_ok_python() {  # is "$1" a runnable Python >= 3.12?
    [ -n "$1" ] && "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

find_python() {
    local candidate
    # 1. explicit choice
    if [ -n "${PYTHON:-}" ]; then
        if is_ok_python "$PYTHON"; then echo "$PYTHON"; return 0; fi
        echo "error: PYTHON=$PYTHON is not a runnable Python 3.12 or newer." >&2
        return 1
    fi
    # 2. the version pinned in .python-version, through pyenv
    if command -v pyenv >/dev/null 2>&1; then
        candidate="$(pyenv which python 2>/dev/null || true)"
        if is_ok_python "$candidate"; then echo "$candidate"; return 0; fi
    fi
    for candidate in "$HOME/.pyenv/versions/$(cat .python-version 2>/dev/null || echo 3.12)"*/bin/python; do
        if is_ok_python "$candidate"; then echo "$candidate"; return 0; fi
    done
    # 3. whatever is on PATH
    for candidate in python3.12 python3.13 python3.14 python3; do
        if command -v "$candidate" >/dev/null 2>&1 && is_ok_python "$(command -v "$candidate")"; then
            command -v "$candidate"
            return 0
        fi
    done
    cat >&2 <<MSG
error: prodcoord needs Python 3.12 or newer, and none was found.
  Looked for: \$PYTHON, pyenv (.python-version = $(cat .python-version 2>/dev/null)), python3.12, python3.13, python3.14, python3.
  Install Python 3.12 (e.g. 'pyenv install 3.12' or your distribution's python3.12 package),
  or point PYTHON at one: make run PYTHON=/path/to/python3.12
MSG
    return 1
}

if ! is_ok_python "$VENV/bin/python"; then
    PY="$(find_python)"
    log "Creating $VENV with $PY ($("$PY" --version 2>&1))"
    rm -rf "$VENV"
    "$PY" -m venv "$VENV"
fi

want="$(cat requirements.lock pyproject.toml | "$VENV/bin/python" -c 'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')"
have="$(cat "$STAMP" 2>/dev/null || true)"
if [ "$want" != "$have" ]; then
    log "Installing dependencies from requirements.lock into $VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.lock
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e .
    echo "$want" >"$STAMP"
else
    log "$VENV is up to date"
fi
