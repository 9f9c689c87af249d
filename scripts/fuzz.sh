#!/usr/bin/env bash
# Set up (scripts/setup.sh) and run the contract fuzz: with no arguments, every schemathesis
# phase and check against the embedded mock. Arguments go to cal-attributes-fuzz, e.g.
#   CAL_API_KEY=cal_... scripts/fuzz.sh --url https://api.cal.com --org-id 123
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "==> cal-attributes-fuzz $*"
exec .venv/bin/cal-attributes-fuzz "$@"
