#!/usr/bin/env bash
# Benchmark (prints figures, not a test): issue 22's scale-out.  For 1, 2
# and 3 `serve` processes (2 workers each) on one PostgreSQL and one Redis,
# throughput of independent work until an API limit binds.
#
# The work: TENANTS tenants (default 12) on the same sandbox accounts (the
# sandbox has one Procore company with data and one NetSuite account), the
# seeded projects split between them round robin, each tenant running its
# costs flow once (scheduled at start).  Jobs are serialised per tenant
# and flow only, so N processes run up to 2N tenants at once; the tenants
# share NetSuite's account pool (a Redis semaphore of the account's
# concurrency) and Procore's app and company bucket (Redis), as real
# tenants of one integrator's app on one account would.  The sandbox adds
# latency per request (LATENCY), so a run waits on I/O, not on the CPU.
#
# Two settings, one table each:
#   netsuite  NetSuite's concurrency NS_LIMIT (default 4), Procore lifted:
#             4 journal writes in flight at most, so 3 processes (6
#             workers) cannot go faster than 2 (4 workers).
#   procore   NetSuite's concurrency 10, Procore's PC_RATE (default
#             1000/h,30/10s): the 10-second window binds.
# Per row: journal entries written (NetSuite upserts), seconds from the
# first process's start to an empty queue, entries/s, Procore calls/s,
# the most NetSuite requests the sandbox saw in flight (must stay within
# its limit) and the 429s both sandboxes sent (must be 0).
# Usage: bench/scale-out.sh [--limit netsuite|procore|both] [PROCESSES...]
#        (default both, 1 2 3)
# Env: BIN (default build/ml-connector), SCALE (sandbox scale, default 12:
#      24 projects), TENANTS (default 12), NS_LIMIT (default 4),
#      PC_RATE (default 1000/h,30/10s),
#      LATENCY (default ns:read=50,ns:write=150,pc=50).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(readlink -f "${BIN:-build/ml-connector}")
HERE=$PWD/tests/integration
SCALE=${SCALE:-12}
TENANTS=${TENANTS:-12}
NS_LIMIT=${NS_LIMIT:-4}
PC_RATE=${PC_RATE:-1000/h,30/10s}
LATENCY=${LATENCY:-ns:read=50,ns:write=150,pc=50}
export BIN SCALE TENANTS NS_LIMIT PC_RATE LATENCY

# bench_tenant NAME FIRST: a tenant on the sandbox's accounts linking the
# projects FIRST, FIRST+TENANTS, ... of seed.json (world_tenant links all).
bench_tenant() {
  local t=$1 first=$2 c=$DATA/credentials.json k
  "$BIN" tenant add "$t" --procore-company "$(jq .procore.company_id "$c")" \
    --netsuite-account "$(jq -r .netsuite.account_id "$c")" --netsuite-url "$NS_URL" \
    --procore-api-url "$PC_URL" --procore-auth-url "$PC_URL" \
    --procore-service-user-id "$(jq .procore.service_user_id "$c")" >/dev/null
  "$BIN" tenant set "$t" --setting "netsuite.integration_user_id=$(jq .netsuite.integration_user_id "$c")" \
    --setting costs.use_segment=true --setting "netsuite.concurrency=$ns_conc" --schedules costs=1h >/dev/null
  jq -j .netsuite.client_id "$c" | "$BIN" secret set "$t" netsuite.client_id >/dev/null
  jq -j '.netsuite.certificates[0].certificate_id' "$c" | "$BIN" secret set "$t" netsuite.certificate_id >/dev/null
  "$BIN" secret set "$t" netsuite.private_key --from-file "$(jq -r '.netsuite.certificates[0].private_key_path' "$c")" >/dev/null
  jq -j .procore.client_id "$c" | "$BIN" secret set "$t" procore.client_id >/dev/null
  jq -j .procore.client_secret "$c" | "$BIN" secret set "$t" procore.client_secret >/dev/null
  for k in cost-type-account cost-code-account cost-code-segment offset-account; do
    "$BIN" mapping import "$t" $k "$DATA/mappings/$k.csv" >/dev/null
  done
  jq -r --argjson f "$first" --argjson n "$TENANTS" \
    '.projects | to_entries[] | select(.key % $n == $f) | .value
     | "\(.procore_project_id) \(.netsuite_job_id) \(.subsidiary_id) \(.department_id) \(.class_id) \(.location_id)"' \
    "$DATA/seed.json" | while read -r pp job sub dep cls loc; do
    "$BIN" project link "$t" --procore-project "$pp" --netsuite-job "$job" --subsidiary "$sub" \
      --department "$dep" --class "$cls" --location "$loc" >/dev/null
  done
}

if [ "${1:-}" = --one ]; then
  limit=$2 P=$3
  . "$HERE/lib/assert.sh"
  . "$HERE/lib/world.sh"
  if [ "$limit" = netsuite ]; then
    ns_conc=$NS_LIMIT pc_rate=100000/h,10000/10s
  else
    ns_conc=10 pc_rate=$PC_RATE
  fi
  world_start --scale "$SCALE" --ns-concurrency "$ns_conc" --pc-rate "$pc_rate" --latency "$LATENCY" >/dev/null
  WORK=$WORLD/work
  "$BIN" init --dir "$WORK" >/dev/null
  cd "$WORK"
  export MLC_REDIS
  MLC_REDIS=$(bash "$HERE/lib/pg.sh" redis-start "$WORK/redis")
  for i in $(seq 0 $((TENANTS - 1))); do bench_tenant "t$i" "$i"; done
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
  # every tenant's costs run is queued at start; the queue empties when all are done
  for _ in $(seq 600); do [ "$(store_sql "" "SELECT count(*) FROM jobs")" -ge "$TENANTS" ] && break; sleep 0.1; done
  for _ in $(seq 6000); do [ "$(store_sql "" "SELECT count(*) FROM jobs WHERE state <> 'done'")" = 0 ] && break; sleep 0.1; done
  t1=$(date +%s.%N)
  nst=$(ns_admin GET /_sandbox/stats)
  pct=$(pc_admin GET /_sandbox/stats)
  jobs=$(store_sql "" "SELECT count(*) FROM jobs WHERE state = 'done'")
  bad=$(store_sql "" "SELECT count(*) FROM runs WHERE status <> 'ok'")
  writes=$(jq '.calls["PUT /services/rest/record/v1/{type}/{id}"] // 0' <<<"$nst")
  pcc=$(jq '[.calls | to_entries[] | select(.key | test("/rest/")) | .value] | add // 0' <<<"$pct")
  r429=$(($(jq .rejected_429 <<<"$pct") + $(jq '.status["429"] // 0' <<<"$nst")))
  awk -v p="$P" -v s="$(echo "$t1 - $t0" | bc)" -v w="$writes" -v c="$pcc" -v j="$jobs" -v b="$bad" \
    -v inf="$(jq .max_concurrency <<<"$nst")" -v lim="$ns_conc" -v r="$r429" \
    'BEGIN { printf "%9d %5d %4d %8d %8.1f %10.2f %11.2f %8d/%-3d %5d\n", p, j, b, w, s, w / s, c / s, inf, lim, r }'
  exit 0
fi

args="$*"
limits=(netsuite procore)
if [ "${1:-}" = --limit ]; then
  [ "$2" = both ] || limits=("$2")
  shift 2
fi
procs=(1 2 3)
[ $# -gt 0 ] && procs=("$@")
echo "command: bench/scale-out.sh${args:+ $args}  (SCALE=$SCALE TENANTS=$TENANTS NS_LIMIT=$NS_LIMIT PC_RATE=$PC_RATE LATENCY=$LATENCY)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "work: $TENANTS tenants on one NetSuite account and one Procore company, sandbox scale $SCALE" \
  "(its projects split between them round robin), each tenant's costs flow once; 2 workers per process"
for limit in "${limits[@]}"; do
  echo
  if [ "$limit" = netsuite ]; then
    echo "binding limit: NetSuite concurrency $NS_LIMIT (Procore lifted)"
  else
    echo "binding limit: Procore $PC_RATE (NetSuite concurrency 10)"
  fi
  printf "%9s %5s %4s %8s %8s %10s %11s %12s %5s\n" processes jobs fail entries seconds entries/s pc_calls/s ns_inflight 429s
  for p in "${procs[@]}"; do
    bash "$HERE/lib/pg.sh" run "bench_scale_out_${limit}_$p" bash "$0" --one "$limit" "$p"
  done
done
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
