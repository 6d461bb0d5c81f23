#!/usr/bin/env bash
# Benchmark (prints figures; not a test): webhook intake of `ml-connector
# serve` against the Node peer (bench/peers/node-webhook) under the same
# wrk load, alternating, three rounds; the peer both with synchronous=FULL
# (like for like: serve syncs every answered event) and NORMAL.
# Issue 20's targets: serve at least 3x the peer's events/s, p99 <= 5 ms.
#   Usage: bench/webhook-intake.sh          (make bench runs it)
#   Env: ROUNDS (3), DURATION (10s), CONNECTIONS (32), THREADS (2), WORKERS (serve's, 2), BUILD (build),
#        RESOURCE (the events' resource_name; bench.lua's "Direct Costs" unless set: serve
#        posts those record by record, so its event threads work on each one too; e.g.
#        RESOURCE="Budget Line Items" measures the intake alone, its flow's run made pending),
#        BASELINE_BIN (another ml-connector binary, e.g. an older commit's build: measured
#        as "baseline" in each round too, for a before/after in the same run)
# Needs wrk, node and npm (Debian packages); better-sqlite3 is fetched by
# npm into a temporary copy of the peer (it builds a native module if no
# prebuilt one fits: python3, make, g++).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
WORKERS=${WORKERS:-2}
BUILD=${BUILD:-build}
for tool in wrk node npm curl sqlite3 python3; do
  command -v "$tool" >/dev/null || { echo "bench/webhook-intake.sh needs $tool" >&2; exit 1; }
done

cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j 2 --target ml-connector >/dev/null
BIN=$(readlink -f "$BUILD/ml-connector")

TOP=$(mktemp -d)
PID=
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$TOP"
}
trap cleanup EXIT

echo "installing the peer's dependencies (npm) ..." >&2
cp -r bench/peers/node-webhook "$TOP/peer"
(cd "$TOP/peer" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
LUA=$TOP/peer/bench.lua
if [ -n "${RESOURCE:-}" ]; then
  sed -i "s/Direct Costs/$RESOURCE/" "$LUA"
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { # port
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
    sleep 0.1
  done
  echo "nothing answers on port $1" >&2
  exit 1
}

# serve with a fresh store: tenant demo (the body's company 1), secret
# "Bearer bench-secret"; its URLs point at a closed loopback port, so the
# runs the events cause fail at once and never leave the machine
start_serve() { # port [binary]
  local d=$TOP/serve.$1 bin=${2:-$BIN}
  "$bin" init --dir "$d" >/dev/null
  (cd "$d" &&
    "$bin" tenant add demo --procore-company 1 --netsuite-account 1234567 \
      --netsuite-url http://127.0.0.1:9 --procore-api-url http://127.0.0.1:9 \
      --procore-auth-url http://127.0.0.1:9 >/dev/null &&
    printf 'Bearer bench-secret' | "$bin" secret set demo webhook.procore_authorization >/dev/null)
  (cd "$d" && exec "$bin" serve --listen "127.0.0.1:$1" --workers "$WORKERS" >"$d/serve.log" 2>&1) &
  PID=$!
  wait_port "$1"
}
start_peer() { # port sync
  rm -f "$TOP/peer.db"*
  (cd "$TOP/peer" && exec node server.js "$1" "$TOP/peer.db" "$2" >"$TOP/peer.log" 2>&1) &
  PID=$!
  wait_port "$1"
}
stop() { kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; PID=; }

# wrk's latency figure in ms ("812.00us", "2.31ms", "1.02s")
to_ms() {
  case "$1" in
  *us) echo "${1%us}" | awk '{ printf "%.2f", $1 / 1000 }' ;;
  *ms) echo "${1%ms}" | awk '{ printf "%.2f", $1 }' ;;
  *s) echo "${1%s}" | awk '{ printf "%.2f", $1 * 1000 }' ;;
  *) echo "?" ;;
  esac
}
# the server's CPU seconds so far (user + system, all its threads)
cpu_s() { awk -v t="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / t }' "/proc/$PID/stat"; }
# one load run: prints "events/s p50 p99 non2xx cpu_us_per_event"
load() { # port
  local out rps p50 p99 bad c0 c1 n
  c0=$(cpu_s)
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$LUA" \
    "http://127.0.0.1:$1/webhooks/procore/demo")
  rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
  bad=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<<"$out")
  c1=$(cpu_s)
  n=$(awk '/ requests in / { print $1 }' <<<"$out")
  echo "$rps $p50 $p99 ${bad:-0} $(awk -v a="$c0" -v b="$c1" -v n="$n" 'BEGIN { printf "%.1f", n ? (b - a) * 1e6 / n : 0 }')"
}

RES=$TOP/results
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$RES"
for r in $(seq "$ROUNDS"); do
  for who in serve ${BASELINE_BIN:+baseline} peer-FULL peer-NORMAL; do
    port=$(free_port)
    case "$who" in
    serve) start_serve "$port" ;;
    baseline) start_serve "$port" "$(readlink -f "$BASELINE_BIN")" ;;
    peer-FULL) start_peer "$port" FULL ;;
    peer-NORMAL) start_peer "$port" NORMAL ;;
    esac
    line=$(load "$port")
    if [ "$who" = serve ] || [ "$who" = baseline ]; then
      stored=$(sqlite3 "$TOP/serve.$port/ml-connector.db" "select count(*) from inbox")
    else
      stored=$(sqlite3 "$TOP/peer.db" "select count(*) from inbox")
    fi
    stop
    echo "$r $who $line $stored" >>"$RES"
    echo "round $r  $who: $line stored=$stored" >&2
  done
done

echo
echo "webhook intake: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency -s bench.lua (resource ${RESOURCE:-Direct Costs}); serve --workers $WORKERS;"
echo "$(nproc) cores ($(uname -m)), $(date -u +%Y-%m-%d); wrk runs on the same cores; load average before: $LOAD0"
echo
# CPU us/event: the server's user+system CPU over the run per request
# answered (wrk's own CPU not included); it moves less with the machine's
# load than events/s do
printf '| %-5s | %-28s | %9s | %8s | %8s | %8s | %8s | %13s |\n' round server events/s "p50 ms" "p99 ms" non-2xx stored "CPU us/event"
printf '|-------|------------------------------|-----------|----------|----------|----------|----------|---------------|\n'
while read -r r who rps p50 p99 bad cpu stored; do
  printf '| %-5s | %-28s | %9s | %8s | %8s | %8s | %8s | %13s |\n' "$r" "$who" "$rps" "$p50" "$p99" "$bad" "$stored" "$cpu"
done <"$RES"
echo
# the ratio per round (the machine's load drifts; same-round figures compare)
printf '| %-5s | %-22s | %-24s |\n' round "serve / peer FULL" "serve / peer NORMAL"
printf '|-------|------------------------|--------------------------|\n'
for r in $(seq "$ROUNDS"); do
  s=$(awk -v r="$r" '$1 == r && $2 == "serve" { print $3 }' "$RES")
  f=$(awk -v r="$r" '$1 == r && $2 == "peer-FULL" { print $3 }' "$RES")
  n=$(awk -v r="$r" '$1 == r && $2 == "peer-NORMAL" { print $3 }' "$RES")
  printf '| %-5s | %-22s | %-24s |\n' "$r" "$(awk -v a="$s" -v b="$f" 'BEGIN { printf "%.2fx", b ? a / b : 0 }')" \
    "$(awk -v a="$s" -v b="$n" 'BEGIN { printf "%.2fx", b ? a / b : 0 }')"
done
awk '$2 == "serve" { s += $3; n++ } $2 == "peer-FULL" { f += $3 } $2 == "peer-NORMAL" { m += $3 }
  $2 == "baseline" { b += $3; nb++ }
  END { printf "\nmeans over the rounds: serve %.0f/s, peer FULL %.0f/s (%.2fx), peer NORMAL %.0f/s (%.2fx)\n",
        s / n, f / n, f ? s / f : 0, m / n, m ? s / m : 0
        if (nb) printf "baseline %.0f/s: serve / baseline %.2fx\n", b / nb, b ? s / b : 0 }' "$RES"
