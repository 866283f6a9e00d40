#!/usr/bin/env bash
# The issue's performance figures in one run, side by side with the peer crates:
#   1. builds release (the `hamstride` binary and the divan bench),
#   2. generates the ≈500 MB bulk FIT set with make_unique_bulk.py if $BULK_DIR lacks it,
#   3. runs the divan decoder bench (hamstride vs fitparser vs rustyfit on FIT, hamstride vs
#      the gpx crate on GPX, one core),
#   4. times the whole import of the Strava-shaped zip with hyperfine (fresh data dir before
#      every run, $CORES decoding threads) and measures its peak RSS with /usr/bin/time -v,
#   5. prints a Markdown table (bench/report.py) of median MB/s, ratios to the targets and
#      to the peers, import MB/s and peak RSS. Everything is also kept in $OUT_DIR.
# Environment: BULK_DIR (default target/bench-data/bulk), SHARED_DIR (default ../shared),
# OUT_DIR (default target/bench-out), RUNS (hyperfine runs, default 3), CORES (default 2),
# SKIP_DIVAN=1 / SKIP_IMPORT=1 to run only one half. See bench/README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BULK_DIR="${BULK_DIR:-$ROOT/target/bench-data/bulk}"
SHARED_DIR="${SHARED_DIR:-$ROOT/../shared}"
OUT_DIR="${OUT_DIR:-$ROOT/target/bench-out}"
RUNS="${RUNS:-3}"
CORES="${CORES:-2}"
mkdir -p "$OUT_DIR"
BULK_DIR="$(mkdir -p "$BULK_DIR" && cd "$BULK_DIR" && pwd)"

need() {
    command -v "$1" >/dev/null 2>&1 || { echo "run.sh: $1 not found. $2" >&2; exit 1; }
}
need cargo "Install Rust: https://rustup.rs"
need python3 "Install Python 3 (the bulk generator and the report use it)."
if [[ "${SKIP_IMPORT:-0}" != 1 ]]; then
    need hyperfine "Install it: apt-get install hyperfine (or cargo install hyperfine)."
    [[ -x /usr/bin/time ]] || { echo "run.sh: /usr/bin/time not found. Install it: apt-get install time" >&2; exit 1; }
fi

echo "== build (release)"
cargo build --release -p hamstride
cargo bench -p hamstride-bench --bench decode --no-run

echo "== bulk set in $BULK_DIR"
if [[ ! -d "$BULK_DIR/fit" || ! -f "$BULK_DIR/strava_export.zip" ]]; then
    if [[ -e "$BULK_DIR/fit" ]]; then
        echo "run.sh: $BULK_DIR/fit exists but the set is incomplete; remove $BULK_DIR and re-run" >&2
        exit 1
    fi
    python3 "$SHARED_DIR/tools/make_unique_bulk.py" "$BULK_DIR" 500 --gz --zip \
        --corpus "$SHARED_DIR/corpus/fit"
else
    echo "present: $(du -sh "$BULK_DIR/fit" | cut -f1) of FIT, reusing it"
fi

if [[ "${SKIP_DIVAN:-0}" != 1 ]]; then
    echo "== divan: decoders side by side, one core (a few minutes: fitparser is slow)"
    HAMSTRIDE_BULK_DIR="$BULK_DIR" HAMSTRIDE_SHARED_DIR="$SHARED_DIR" \
        cargo bench -p hamstride-bench --bench decode 2>"$OUT_DIR/divan-stderr.txt" |
        tee "$OUT_DIR/divan.txt"
    # fitparser prints "ERROR: field size: … parsing as a byte array" to stderr for one field
    # of one corpus file on every pass; kept apart so it cannot split divan's table rows.
    grep -v '^ERROR: field size: .* parsing as a byte array$' "$OUT_DIR/divan-stderr.txt" >&2 || true
fi

if [[ "${SKIP_IMPORT:-0}" != 1 ]]; then
    ZIP="$BULK_DIR/strava_export.zip"
    DATA="$OUT_DIR/import-data"
    PIN=()
    if command -v taskset >/dev/null 2>&1 && [[ "$(nproc)" -gt "$CORES" ]]; then
        PIN=(taskset -c "0-$((CORES - 1))")
    fi
    CMD=("${PIN[@]}" "$ROOT/target/release/hamstride" --data-dir "$DATA" import --format json
         --threads "$CORES" "$ZIP")
    echo "== import, peak memory: /usr/bin/time -v ${CMD[*]}"
    rm -rf "$DATA"
    /usr/bin/time -v -o "$OUT_DIR/import-time.txt" "${CMD[@]}" >"$OUT_DIR/import.json"
    grep -E '"(imported|duplicates|decoded_bytes|seconds)"' "$OUT_DIR/import.json" || true
    grep -E 'Maximum resident|Elapsed' "$OUT_DIR/import-time.txt"

    echo "== import, time: hyperfine --runs $RUNS"
    hyperfine --runs "$RUNS" --prepare "rm -rf '$DATA'" \
        --export-json "$OUT_DIR/import-hyperfine.json" --command-name import \
        "${CMD[*]}"
    rm -rf "$DATA"
fi

echo
python3 "$ROOT/bench/report.py" "$OUT_DIR" | tee "$OUT_DIR/report.md"
