#!/usr/bin/env bash
# Set up (scripts/setup.sh) and run the whole test suite. Extra arguments go to pytest.
#   PYTEST_WORKERS  parallel pytest-xdist workers: auto (default, one per CPU), a number, or 0 for none
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "==> pytest"
# Seeded runs: hash randomisation would change schemathesis' case streams from run to run.
export PYTHONHASHSEED=0
# Each worker takes the next module when it is free, the longest first (tests/conftest.py);
# what several need, such as the wheel or the generated client, is built once (tests/once.py).
# pytest exits 5 when it collected no tests, which fails this script like any other failure.
exec .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-auto}" "$@"
