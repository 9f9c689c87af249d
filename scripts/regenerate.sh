#!/usr/bin/env bash
# Rebuild generated/cal_attributes_client from openapi/cal-attributes.yaml.
#
#   scripts/regenerate.sh          regenerate in place (run it after every spec change, then commit)
#   scripts/regenerate.sh --check  regenerate into a temporary folder and fail, printing the
#                                  difference, if generated/ differs in any way (used by CI and tests)
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-}
if [ -z "$python" ]; then
  if [ -x .venv/bin/python ]; then python=.venv/bin/python; else python=python3; fi
fi
target=generated/cal_attributes_client

case "${1:-}" in
  "")
    echo "==> regenerating $target"
    "$python" -m codegen.generate "$target"
    ;;
  --check)
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    "$python" -m codegen.generate "$scratch/cal_attributes_client"
    if ! diff -ru --exclude=__pycache__ --exclude=.ruff_cache "$target" "$scratch/cal_attributes_client"; then
      echo "error: $target does not match openapi/cal-attributes.yaml: run scripts/regenerate.sh and commit" >&2
      exit 1
    fi
    echo "$target is up to date"
    ;;
  *)
    echo "usage: scripts/regenerate.sh [--check]" >&2
    exit 2
    ;;
esac
