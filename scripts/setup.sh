#!/usr/bin/env bash
# Create .venv with the project and its pinned dev tools, and install the Node linter.
# Safe to re-run: each step runs only when what it installs from has changed since it last
# succeeded (a stamp beside the installed files), so a fresh clone sets up everything and a
# second run installs nothing. Delete .venv or node_modules to start over.
#
#   PYTHON  the interpreter to create .venv with (default python3)
#   NPM     the npm to run (default npm)
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
npm=${NPM:-npm}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "error: Python 3.11 or newer is needed ($python is $("$python" --version 2>&1))" >&2
  exit 1
fi

# The sha256 of the files an install reads.
inputs_hash() {
  "$python" -c 'import hashlib, sys
digest = hashlib.sha256()
for name in sys.argv[1:]:
    with open(name, "rb") as file:
        digest.update(file.read())
print(digest.hexdigest())' "$@"
}

up_to_date() {  # up_to_date STAMP FINGERPRINT
  [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]
}

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$python" -m venv .venv
fi
python_stamp=.venv/.cal-attributes-setup
# A new interpreter in .venv (e.g. re-created with another Python) needs a reinstall too.
python_inputs="$(.venv/bin/python --version 2>&1) $(inputs_hash pyproject.toml)"
if up_to_date "$python_stamp" "$python_inputs"; then
  echo "==> .venv is up to date with pyproject.toml"
else
  echo "==> installing the project and its dev tools into .venv"
  rm -f "$python_stamp"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
  echo "$python_inputs" >"$python_stamp"
fi

node_stamp=node_modules/.cal-attributes-setup
node_inputs=$(inputs_hash package.json package-lock.json)
if up_to_date "$node_stamp" "$node_inputs"; then
  echo "==> node_modules is up to date with package-lock.json"
else
  if ! command -v "$npm" >/dev/null 2>&1; then
    echo "error: npm is needed for the Redocly linter (install Node.js 20 or newer)" >&2
    exit 1
  fi
  echo "==> installing Node tools (npm ci)"
  "$npm" ci --no-audit --no-fund --loglevel=error
  echo "$node_inputs" >"$node_stamp"
fi
