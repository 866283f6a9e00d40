#!/usr/bin/env bash
# Web app benchmarks (issue 15), in one run:
#   1. server time per page, p50 and p99, with wrk (Debian's `wrk`) on a database holding the
#      training benchmark's synthetic 10-year history (seed_history: ~3,500 runs, two years
#      of pain diary), a plan from a moderate strain, and one real FIT run with streams;
#      plus two interview steps (POST /assess). Targets: p99 < 50 ms, < 100 ms for the
#      training and report pages, < 10 ms for an interview step.
#   2. import by upload (`POST /import`, as the browser sends it, with curl) against the CLI
#      (`hamstride import`) on the bulk set's strava_export.zip, with hyperfine, ROUNDS rounds
#      of RUNS runs each, alternating; target: the upload within 20% of the CLI's time.
# Raw output: $OUT_DIR (default target/bench-out/web). Set SKIP_PAGES=1 or SKIP_UPLOAD=1 to
# run half. DURATION (default 5s) and CONNECTIONS (default 1) are wrk's per page.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT_DIR=${OUT_DIR:-target/bench-out/web}
BULK_DIR=${BULK_DIR:-target/bench-data/bulk}
DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-1}
RUNS=${RUNS:-3}
ROUNDS=${ROUNDS:-2}
BIN=target/release/hamstride
mkdir -p "$OUT_DIR"
for tool in wrk hyperfine curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (apt-get install $tool)" >&2; exit 1; }
done

cargo build --release -q -p hamstride
cargo build --release -q -p hamstride-bench --examples

ENV_FILE="$OUT_DIR/serve.env"
trap 'bench/web_serve.sh stop "$ENV_FILE"; bench/web_serve.sh stop "$OUT_DIR/upload.env"' EXIT

if [ -z "${SKIP_PAGES:-}" ]; then
  DATA="$OUT_DIR/db"
  rm -rf "$DATA"
  target/release/examples/seed_history "$DATA"
  "$BIN" --data-dir "$DATA" assess --input bench/web-strain.json --yes >/dev/null
  # Real recordings with their streams, for the activity page (the seeded runs have none):
  # the bulk set's first folder (67 FIT files, 13 MB), else the shared corpus. The page timed
  # is the run with the most records.
  real="$BULK_DIR/fit/r001"
  if [ ! -d "$real" ] && [ -d ../shared/corpus ]; then real=../shared/corpus; fi
  if [ -d "$real" ]; then "$BIN" --data-dir "$DATA" import "$real" >/dev/null || true; fi
  ACTIVITY=$("$BIN" --data-dir "$DATA" activities --format json | python3 -c '
import json, sys
rows = [a for a in json.load(sys.stdin) if a["record_count"] > 0]
rows.sort(key=lambda a: (a["sport"] == "running", a["record_count"]))
print(rows[-1]["id"] if rows else "")')
  export ACTIVITY
  bench/web_serve.sh start "$DATA" "$ENV_FILE"
  python3 bench/web_pages.py "$ENV_FILE" "$OUT_DIR" "$DURATION" "$CONNECTIONS" | tee "$OUT_DIR/pages.md"
  bench/web_serve.sh stop "$ENV_FILE"
fi

if [ -z "${SKIP_UPLOAD:-}" ]; then
  ZIP="$BULK_DIR/strava_export.zip"
  if [ ! -f "$ZIP" ]; then
    echo "making the bulk set in $BULK_DIR (about a minute)"
    python3 ../shared/tools/make_unique_bulk.py "$BULK_DIR" 500 --gz --zip
  fi
  UP_ENV="$OUT_DIR/upload.env"
  UP_DATA="$OUT_DIR/upload-db"
  CLI_DATA="$OUT_DIR/cli-db"
  # The upload: a fresh server on an empty database before each run (not timed), then the
  # multipart POST the page's script sends, answered once the import is committed.
  prepare_web="bench/web_serve.sh stop $UP_ENV; rm -rf $UP_DATA; bench/web_serve.sh start $UP_DATA $UP_ENV"
  upload=". $UP_ENV && curl -sS --fail -o $OUT_DIR/upload.html -H \"Cookie: \$COOKIE\" -H \"Origin: \$BASE\" -F csrf=\$CSRF -F files=@$ZIP \$BASE/import"
  cli="$BIN --data-dir $CLI_DATA import --format json $ZIP"
  for round in $(seq 1 "$ROUNDS"); do
    hyperfine --runs "$RUNS" --ignore-failure --prepare "rm -rf $CLI_DATA" \
      --export-json "$OUT_DIR/cli-$round.json" -n "CLI import" "$cli"
    hyperfine --runs "$RUNS" --prepare "$prepare_web" \
      --export-json "$OUT_DIR/upload-$round.json" -n "web upload" "$upload"
  done
  bench/web_serve.sh stop "$UP_ENV"
  grep -o 'data-imported="[0-9]*"' "$OUT_DIR/upload.html" || { echo "the upload's page has no summary" >&2; exit 1; }
  python3 - "$OUT_DIR" "$ROUNDS" <<'PY' | tee "$OUT_DIR/upload.md"
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
times = {"cli": [], "upload": []}
for r in range(1, rounds + 1):
    for k in times:
        times[k] += json.load(open(f"{out}/{k}-{r}.json"))["results"][0]["times"]
cli, web = statistics.median(times["cli"]), statistics.median(times["upload"])
print(f"| import of strava_export.zip | median s | runs |")
print(f"|---|---:|---:|")
print(f"| CLI `hamstride import` | {cli:.2f} | {len(times['cli'])} |")
print(f"| web upload `POST /import` | {web:.2f} | {len(times['upload'])} |")
print()
print(f"upload / CLI time: {web / cli:.2f} (target <= 1.20: {'met' if web / cli <= 1.2 else 'NOT met'})")
PY
fi
