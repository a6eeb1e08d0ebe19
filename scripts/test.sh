#!/usr/bin/env bash
# rvisor's whole test suite: lint, then pytest. Both always run; the script fails when either fails.
# pytest's exit code 5 (no tests collected) is a failure too.
#   bash scripts/test.sh                 everything
#   bash scripts/test.sh -m 'not slow'   pytest arguments pass through
# Under CI=true pytest also lists the slowest tests and writes no .pytest_cache.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

lint=0
"$PYTHON" -m ruff check . || lint=$?

extra=()
if [ "${CI:-}" = "true" ]; then extra=(-p no:cacheprovider --durations=15); fi
rc=0
start=$SECONDS
"$PYTHON" -m pytest -q "${extra[@]}" "$@" || rc=$?
echo "scripts/test.sh: pytest exit code $rc after $((SECONDS - start)) s"
if [ "$rc" -eq 5 ]; then
    echo "scripts/test.sh: pytest collected no tests" >&2
    rc=1
fi
if [ "$lint" -ne 0 ]; then
    echo "scripts/test.sh: ruff check . failed (exit code $lint)" >&2
    [ "$rc" -eq 0 ] && rc=1
fi
exit "$rc"
