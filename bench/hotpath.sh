#!/usr/bin/env bash
# Host instructions per guest instruction of the CPU-bound bench workloads on two rvisor trees,
# counted by callgrind (repeatable, unlike wall-clock time on a shared machine).
#
#   bash bench/hotpath.sh OLD_TREE [NEW_TREE] [WORKLOAD...]
#
# OLD_TREE and NEW_TREE are rvisor checkouts (NEW_TREE defaults to this one), e.g. a worktree of
# an older commit: git worktree add /tmp/old <commit>.  Both run this tree's bench/hotpath.py
# on this tree's guest/build/bench ELFs (make -C guest bench), so they execute the same guest
# instructions.  Per workload, HOTPATH_WARM guest instructions (default 2M) run uninstrumented,
# then HOTPATH_COUNT (default 10M) are measured.  The two trees run side by side (one each per
# core); each tree's compile cache is warmed first, outside valgrind.
# With HOTPATH_VM=1 the workloads are the S-mode builds (make -C guest vm) and each is measured on
# the board under the built-in SBI (NAME@board) and in a VM of rvisor.vmm (NAME@vm); give the same
# tree twice to compare the VM with the board within one tree.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
OLD=$(cd "${1:?usage: hotpath.sh OLD_TREE [NEW_TREE] [WORKLOAD...]}" && pwd)
NEW=$(cd "${2:-$HERE}" && pwd)
shift $(( $# >= 2 ? 2 : 1 ))
WORKLOADS=("$@")
VM=${HOTPATH_VM:-0}
if [ "$VM" = 1 ]; then
    [ ${#WORKLOADS[@]} -gt 0 ] || WORKLOADS=(intloop memset sort sha256 fp)
    BUILD="$HERE/guest/build/vm/bench" MODE=(--vm) HOW="make -C guest vm"
else
    [ ${#WORKLOADS[@]} -gt 0 ] || WORKLOADS=(intloop memset sort sha256 fp intloop_vm)
    BUILD="$HERE/guest/build/bench" MODE=() HOW="make -C guest bench"
fi
WARM=${HOTPATH_WARM:-2000000}
COUNT=${HOTPATH_COUNT:-10000000}
PY=$(python3 -c 'import sys; print(sys.executable)')  # the interpreter itself, not a wrapper script
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
ELFS=()
for w in "${WORKLOADS[@]}"; do
    elf="$BUILD/$w.elf"
    [ -f "$elf" ] || { echo "$elf is missing: $HOW" >&2; exit 2; }
    ELFS+=("$elf")
done

# runs once per tree (in the background): the callgrind dumps in $TMP/<label>/cg.*
measure() {
    local label=$1 tree=$2
    mkdir -p "$TMP/$label"
    (cd "$tree" && PYTHONPATH="$tree" "$PY" -c "from rvisor.hw.machine import Machine; Machine.load_engine()")
    (cd "$tree" && HOTPATH_CALLGRIND=1 PYTHONHASHSEED=0 PYTHONPATH="$tree" valgrind --tool=callgrind \
        --instr-atstart=no --callgrind-out-file="$TMP/$label/cg" \
        "$PY" "$HERE/bench/hotpath.py" "${MODE[@]}" "$WARM" "$COUNT" "${ELFS[@]}" >"$TMP/$label/out" 2>"$TMP/$label/err")
}
measure old "$OLD" & p1=$!
measure new "$NEW" & p2=$!
wait $p1 && wait $p2 || { tail -5 "$TMP"/*/err >&2; exit 1; }

"$PY" - "$TMP" "$OLD" "$NEW" <<'PYEOF'
import sys
from pathlib import Path

tmp, old, new = Path(sys.argv[1]), sys.argv[2], sys.argv[3]

# runs per tree: {workload: host instructions per guest instruction}
def per_guest(label):
    rows = [line.split() for line in (tmp / label / "out").read_text().splitlines()]
    dumps = sorted((tmp / label).glob("cg.*"), key=lambda p: int(p.suffix[1:]))
    # runs per dump file: its total of host instructions
    def total(dump):
        return next(int(x.split()[1]) for x in dump.read_text().splitlines() if x.startswith(("summary:", "totals:")))

    res = {}
    for i, (name, n) in enumerate(rows):  # dumps in threes: warm-up, empty measurement, measurement
        res[name] = (total(dumps[3 * i + 2]) - total(dumps[3 * i + 1])) / int(n)
    return res

a, b = per_guest("old"), per_guest("new")
print(f"old: {old}\nnew: {new}")
print(f"{'workload':<12} {'old host/guest':>15} {'new host/guest':>15} {'change':>8}")
for w in a:
    print(f"{w:<12} {a[w]:>15.3f} {b[w]:>15.3f} {100 * (b[w] / a[w] - 1):>+7.1f}%")
PYEOF
