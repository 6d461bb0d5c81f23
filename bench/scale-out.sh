#!/usr/bin/env bash
# Benchmark (prints figures, not a test): issue 22's scale-out.  For 1, 2
# and 3 `serve` processes (2 workers each) on one PostgreSQL and one Redis,
# against a sandbox with NetSuite's concurrency 5 and Procore's default
# 3600/h,100/10s: the tenant's vendors, purchase orders and costs run
# once (scheduled at start); measured from the first process's start to
# an empty queue.  Per row: records synced (id_map rows), seconds,
# records/s, Procore calls/s, the most NetSuite requests in flight, 429s.  Throughput stops growing with processes once an API
# limit binds.
# Usage: bench/scale-out.sh [PROCESSES...]   (default 1 2 3)
# Env: BIN (default build/ml-connector), SCALE (sandbox scale, default 5),
#      PC_RATE (default 3600/h,100/10s).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(readlink -f "${BIN:-build/ml-connector}")
HERE=$PWD/tests/integration

if [ "${1:-}" = --one ]; then
  P=$2
  . "$HERE/lib/assert.sh"
  . "$HERE/lib/world.sh"
  world_start --scale "${SCALE:-5}" --latency-ms 10 --ns-concurrency 5 --pc-rate "${PC_RATE:-3600/h,100/10s}" >/dev/null
  world_tenant bench >/dev/null
  world_costs_mappings bench >/dev/null
  export MLC_REDIS
  MLC_REDIS=$(bash "$HERE/lib/pg.sh" redis-start "$WORK/redis")
  "$BIN" tenant set bench --setting costs.use_segment=true --setting netsuite.concurrency=5 \
    --schedules vendors=1h,purchase-orders=1h,costs=1h >/dev/null
  pids=()
  cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    bash "$HERE/lib/pg.sh" redis-stop "$WORK/redis" || true
    sandbox_cleanup
  }
  trap cleanup EXIT
  reset_stats
  t0=$(date +%s.%N)
  for _ in $(seq "$P"); do
    "$BIN" serve --listen 127.0.0.1:0 --workers 2 >>"$WORK/serve.log" 2>&1 &
    pids+=($!)
  done
  # the three flows are queued at start; the queue empties when they are done
  for _ in $(seq 100); do [ "$(store_sql "" "SELECT count(*) FROM jobs")" -ge 3 ] && break; sleep 0.1; done
  for _ in $(seq 6000); do [ "$(store_sql "" "SELECT count(*) FROM jobs WHERE state <> 'done'")" = 0 ] && break; sleep 0.1; done
  t1=$(date +%s.%N)
  nst=$(ns_admin GET /_sandbox/stats)
  pct=$(pc_admin GET /_sandbox/stats)
  recs=$(store_sql "" "SELECT count(*) FROM id_map")
  pcc=$(jq '[.calls | to_entries[] | select(.key | test("/rest/")) | .value] | add // 0' <<<"$pct")
  awk -v p="$P" -v s="$(echo "$t1 - $t0" | bc)" -v w="$recs" -v c="$pcc" \
    -v inf="$(jq .max_concurrency <<<"$nst")" -v r="$(($(jq .rejected_429 <<<"$pct") + $(jq '.status["429"] // 0' <<<"$nst")))" \
    'BEGIN { printf "%9d %8d %8.1f %10.1f %12.1f %10d %5d\n", p, w, s, w / s, c / s, inf, r }'
  exit 0
fi

procs=(1 2 3)
[ $# -gt 0 ] && procs=("$@")
echo "scale-out: sandbox scale ${SCALE:-5}, NetSuite concurrency 5, Procore ${PC_RATE:-3600/h,100/10s}"
printf "%9s %8s %8s %10s %12s %10s %5s\n" processes records seconds records/s pc_calls/s ns_inflight 429s
for p in "${procs[@]}"; do
  bash "$HERE/lib/pg.sh" run "bench_scale_out_$p" bash "$0" --one "$p"
done
