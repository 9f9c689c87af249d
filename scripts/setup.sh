#!/usr/bin/env bash
# Create .venv with the project and its pinned dev tools, and install the Node linter.
# Safe to re-run; it only installs what is missing or changed.
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "error: Python 3.11 or newer is needed ($python is $("$python" --version 2>&1))" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$python" -m venv .venv
fi
echo "==> installing the project and its dev tools into .venv"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
if ! command -v npm >/dev/null 2>&1; then
  echo "error: npm is needed for the Redocly linter (install Node.js 20 or newer)" >&2
  exit 1
fi
echo "==> installing Node tools (npm ci)"
npm ci --no-audit --no-fund --loglevel=error
