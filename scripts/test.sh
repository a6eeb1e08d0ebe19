#!/usr/bin/env bash
# rvisor's whole test suite: lint, then pytest. pytest's exit code 5 (no tests collected) is a failure.
#   bash scripts/test.sh                 everything
#   bash scripts/test.sh -m 'not slow'   pytest arguments pass through
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

"$PYTHON" -m ruff check . || exit 1
rc=0
"$PYTHON" -m pytest -q "$@" || rc=$?
if [ "$rc" -eq 5 ]; then
    echo "scripts/test.sh: pytest collected no tests" >&2
    exit 1
fi
exit "$rc"
