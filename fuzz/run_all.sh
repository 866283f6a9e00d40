#!/usr/bin/env bash
# Run every fuzz target in turn for SECONDS (default 240) each, one core, and print how many
# executions libFuzzer did and whether it crashed, one line per target (also appended to
# fuzz/artifacts/summary.txt). Seeds come from fuzz/seed.py (run first if fuzz/corpus is
# missing). Crashes land in fuzz/artifacts/<target>/; see fuzz/README.md for what to do next.
# Usage: fuzz/run_all.sh [SECONDS] [target ...]
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"
SECONDS_EACH="${1:-240}"
shift || true
TARGETS=("$@")
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=(fit gpx tcx sniff archive strava_csv)
export RUSTC_BOOTSTRAP=1
TRIPLE="$(rustc -vV | sed -n "s/^host: //p")"

[[ -d corpus ]] || python3 seed.py
cargo fuzz build -O || exit 1
git -C .. rev-parse --short HEAD >/dev/null 2>&1 && echo "built from $(git -C .. rev-parse --short HEAD) + working tree at $(date -u +%FT%TZ)"
mkdir -p artifacts/logs
for t in "${TARGETS[@]}"; do
    mkdir -p "corpus/$t" "artifacts/$t"
    log="artifacts/logs/$t.log"
    # The binary built above, run directly (what `cargo fuzz run -O` does after building),
    # so edits to the tree during a long campaign cannot fail or change it half-way.
    "target/$TRIPLE/release/$t" -artifact_prefix="artifacts/$t/" \
        -max_total_time="$SECONDS_EACH" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
        "corpus/$t" >"$log" 2>&1
    rc=$?
    runs="$(grep -Eo 'Done [0-9]+ runs' "$log" | tail -1 | grep -Eo '[0-9]+')"
    if [[ -z "$runs" ]]; then
        runs="$(grep -Eo '^#[0-9]+' "$log" | tail -1 | tr -d '#')"
    fi
    crash="$(grep -Eo 'artifacts/[^ ]+' "$log" | head -1)"
    line="$(date -u +%FT%TZ) $t: ${runs:-?} executions in ${SECONDS_EACH}s, exit $rc${crash:+, crash: $crash}"
    echo "$line" | tee -a artifacts/summary.txt
done
