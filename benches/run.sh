#!/usr/bin/env bash
# Every benchmark in one go, release build, one table per bench (medians, ratios to
# the limit client measured in the same run, targets and PASS/MISS), then every
# target's row from all of them in one summary table. The figures in
# docs/PERFORMANCE.md come from this script. Takes about 7 minutes on 2 cores.
#
#   benches/run.sh            # all
#   benches/run.sh headless   # one bench by name
set -euo pipefail
cd "$(dirname "$0")/.."

benches=("$@")
if [ ${#benches[@]} -eq 0 ]; then
    benches=(headless tui_process tui_ingest ingest log_store components)
fi

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(date -u +%Y-%m-%dT%H:%MZ)"
if command -v websocat >/dev/null; then
    echo "== websocat: $(websocat --version)"
else
    echo "== websocat: not installed (cargo install websocat to compare with it); skipped"
fi
cargo build --release --quiet
outputs=$(mktemp -d)
trap 'rm -rf "$outputs"' EXIT
for bench in "${benches[@]}"; do
    echo
    echo "== cargo bench --bench $bench"
    cargo bench --quiet --bench "$bench" | tee "$outputs/$bench.txt"
done

# Every row that is checked against a target, from all the benches, in one table.
echo
echo "== summary: every target (medians; ratios are to the limit measured in the same run)"
for bench in "${benches[@]}"; do
    grep -E '(PASS|MISS)$' "$outputs/$bench.txt" | sed "s/^/$bench: /" || true
done
if grep -qE 'MISS$' "$outputs"/*.txt; then
    echo "== some targets missed"
else
    echo "== every target met"
fi
