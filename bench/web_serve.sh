#!/usr/bin/env bash
# Start or stop one `hamstride serve` for the web benchmarks (bench/web.sh), and write what a
# client of that launch needs into an env file: PORT, BASE, COOKIE (the per-launch secret, as
# the browser keeps it) and CSRF (the form token), read from the app's own pages.
#   bench/web_serve.sh start DATA_DIR ENV_FILE
#   bench/web_serve.sh stop ENV_FILE
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release/hamstride}

case "$1" in
start)
  data=$2 env=$3
  out="$env.out"
  "$BIN" --data-dir "$data" serve --no-open >"$out" 2>"$env.err" &
  pid=$!
  url=""
  for _ in $(seq 1 200); do
    url=$(head -n1 "$out" 2>/dev/null || true)
    [ -n "$url" ] && break
    sleep 0.05
  done
  [ -n "$url" ] || { echo "hamstride serve printed no URL: $(cat "$env.err")" >&2; kill "$pid"; exit 1; }
  hostport=${url#http://}; hostport=${hostport%%/*}
  port=${hostport##*:}
  token=${url##*token=}
  cookie="hamstride_${port}=${token}"
  csrf=$(curl -sS --fail -H "Cookie: $cookie" "http://$hostport/import" \
    | grep -o 'name="csrf" value="[^"]*"' | head -n1 | sed 's/.*value="\([^"]*\)"/\1/')
  [ -n "$csrf" ] || { echo "no CSRF token on /import" >&2; kill "$pid"; exit 1; }
  cat >"$env" <<ENV
PID=$pid
PORT=$port
BASE=http://$hostport
COOKIE=$cookie
CSRF=$csrf
ENV
  ;;
stop)
  env=$2
  if [ -f "$env" ]; then
    # shellcheck disable=SC1090
    . "$env"
    kill -INT "$PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.05; done
    rm -f "$env"
  fi
  ;;
*)
  echo "usage: $0 start DATA_DIR ENV_FILE | stop ENV_FILE" >&2
  exit 2
  ;;
esac
