#!/usr/bin/env bash
# The import benchmark of issue 12: the whole import of the Strava-shaped bulk zip by the
# previous release (single runner, rollback journal) and by this tree (athletes, WAL), side by
# side in one hyperfine run, so the ratio is measured on the same machine at the same time.
#   bench/import_vs_previous.sh                 # previous = 43588b9, the release before athletes
#   PREVIOUS=<rev> RUNS=10 bench/import_vs_previous.sh
# Needs the bulk set of bench/run.sh in $BULK_DIR (default target/bench-data/bulk; run.sh
# makes it), hyperfine, and git. The previous release is built in a temporary worktree under
# target/previous-<rev> (kept, so a second run is quick).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PREVIOUS="${PREVIOUS:-43588b9}"
RUNS="${RUNS:-10}"
BULK_DIR="${BULK_DIR:-$ROOT/target/bench-data/bulk}"
ZIP="$BULK_DIR/strava_export.zip"
[[ -f "$ZIP" ]] || { echo "no $ZIP: make the bulk set first (bench/run.sh, or SKIP_DIVAN=1 bench/run.sh)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "hyperfine not found: apt-get install hyperfine" >&2; exit 1; }

PREV_DIR="$ROOT/target/previous-$PREVIOUS"
if [[ ! -x "$PREV_DIR/bin/hamstride" ]]; then
  echo "== building the previous release ($PREVIOUS)"
  rm -rf "$PREV_DIR/src"
  git worktree add --detach "$PREV_DIR/src" "$PREVIOUS" >/dev/null
  CARGO_TARGET_DIR="$PREV_DIR/target" cargo build --release -p hamstride --manifest-path "$PREV_DIR/src/Cargo.toml"
  mkdir -p "$PREV_DIR/bin" && cp "$PREV_DIR/target/release/hamstride" "$PREV_DIR/bin/"
  git worktree remove --force "$PREV_DIR/src"
fi
echo "== building this tree"
cargo build --release -p hamstride
OUT="${OUT_DIR:-$ROOT/target/bench-out}"
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
CORES=()
if command -v taskset >/dev/null && [ "$(nproc)" -gt 2 ]; then CORES=(taskset -c 0,1); fi
# --ignore-failure: the bulk set holds FIT workout and monitoring files, which are not
# activities, so both builds end with exit 6 ("partly done"), as they should.
hyperfine --ignore-failure --runs "$RUNS" --warmup 1 --export-json "$OUT/import-vs-previous.json" \
  --prepare "rm -rf $WORK/db" \
  -n "previous release ($PREVIOUS)" "${CORES[*]} $PREV_DIR/bin/hamstride --data-dir $WORK/db import --format json --threads 2 $ZIP" \
  -n "this tree" "${CORES[*]} $ROOT/target/release/hamstride --data-dir $WORK/db import --format json --threads 2 $ZIP"
python3 - "$OUT/import-vs-previous.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
a, b = r[0], r[1]
print(f"| command | median s | mean s ± sd |\n|---|---:|---:|")
for x in r:
    print(f"| {x['command']} | {x['median']:.3f} | {x['mean']:.3f} ± {x['stddev']:.3f} |")
print(f"\nratio of medians (this tree / previous): {b['median'] / a['median']:.3f}")
PY
