#!/usr/bin/env bash
# Set up (scripts/setup.sh) and run the whole test suite. Extra arguments go to pytest.
#   PYTEST_WORKERS  parallel pytest-xdist workers: auto (default, one per CPU), a number, or 0 for none
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "==> pytest"
# Seeded runs: hash randomisation would change schemathesis' case streams from run to run.
export PYTHONHASHSEED=0
# --dist loadgroup: tests marked xdist_group share an expensive module fixture (one wheel build,
# one client generation) and run on one worker; the rest are spread over all of them.
# pytest exits 5 when it collected no tests, which fails this script like any other failure.
exec .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-auto}" --dist loadgroup "$@"
