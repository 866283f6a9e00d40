#!/usr/bin/env bash
# Training-load benchmarks (issue 5): the series and flags and the report on a synthetic
# 10-year history (about 3,500 runs, two years of daily pain entries), in one run:
#   1. divan: all series and flags (target <= 50 ms), the report from stored JSON (target <= 1 s);
#   2. hyperfine: `hamstride status` and `hamstride report` end to end on a seeded database
#      (open, read 3,500 metrics rows, analyse, render, write), RUNS runs each (default 10).
# Output: the raw files in $OUT_DIR (default target/bench-out/training) and a summary on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT_DIR=${OUT_DIR:-target/bench-out/training}
RUNS=${RUNS:-10}
mkdir -p "$OUT_DIR"
command -v hyperfine >/dev/null || { echo "hyperfine is needed: apt-get install hyperfine" >&2; exit 1; }

cargo build --release -q -p hamstride
cargo build --release -q -p hamstride-bench --examples
cargo bench -q -p hamstride-bench --bench training 2>"$OUT_DIR/divan-stderr.txt" | tee "$OUT_DIR/divan.txt"

DATA="$OUT_DIR/db"
rm -rf "$DATA"
target/release/examples/seed_history "$DATA"
hyperfine --warmup 1 --runs "$RUNS" --export-json "$OUT_DIR/hyperfine.json" \
  "target/release/hamstride --data-dir $DATA status --format json" \
  "target/release/hamstride --data-dir $DATA report --out $OUT_DIR/report.html"
ls -l "$OUT_DIR/report.html"
python3 - "$OUT_DIR/hyperfine.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"{r['command'].split()[3]:>8}: median {r['median'] * 1000:.1f} ms (min {r['min'] * 1000:.1f}, max {r['max'] * 1000:.1f})")
PY
