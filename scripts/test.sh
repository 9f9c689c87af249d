#!/usr/bin/env bash
# Set up (scripts/setup.sh) and run the whole test suite. Extra arguments go to pytest.
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "==> pytest"
# Seeded runs: hash randomisation would change schemathesis' case streams from run to run.
export PYTHONHASHSEED=0
exec .venv/bin/python -m pytest "$@"
