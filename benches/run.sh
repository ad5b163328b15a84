#!/usr/bin/env bash
# Every benchmark in one go, release build, one table per bench (medians, ratios to
# the limit client measured in the same run, targets and PASS/MISS). The figures in
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
for bench in "${benches[@]}"; do
    echo
    echo "== cargo bench --bench $bench"
    cargo bench --quiet --bench "$bench"
done
