#!/usr/bin/env bash
# Benchmark (prints figures, not a test): from a direct cost's approval in
# Procore to its journal entry in NetSuite, while scheduled full runs go
# on (issue 20).  The sandbox answers at a realistic pace (NetSuite writes
# 300-800 ms, reads 200 ms, Procore 150 ms: mlc-sandbox --latency), `serve`
# runs the tenant's schedules (costs, vendors and budgets every 10 s), and
# N approvals (default 100) come at random moments over WINDOW seconds
# (default 120) through the sandbox's admin route, which fires the webhook.
# The entry's time is its audit row's (written when NetSuite answered the
# upsert); prints p50/p95/p99/max.
# Usage: bench/time-to-ledger.sh [N] [WINDOW_S]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(readlink -f "${BIN:-build/ml-connector}")
N=${1:-100}
WINDOW=${2:-120}
LATENCY=${LATENCY:-ns:read=200,ns:write=300-800,pc=150}
. tests/integration/lib/assert.sh
. tests/integration/lib/world.sh
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
H="http://127.0.0.1:$PORT"
world_start --latency "$LATENCY"
world_tenant bench
world_costs_mappings bench
"$BIN" tenant set bench --setting costs.use_segment=true >/dev/null
printf 'Bearer ttl-bench-secret' | "$BIN" secret set bench webhook.procore_authorization >/dev/null
company=$(jq .procore.company_id "$DATA/credentials.json")
DB=$WORK/ml-connector.db

echo "making $N pending direct costs ..."
lit=$(pc_admin GET /_sandbox/state/line_item_types | jq '[.[] | select(.code == "M")][0].id')
vendor=$(pc_admin GET /_sandbox/state/vendors | jq --argjson c "$company" '[.[] | select(._company_id == $c)][0].id')
mapfile -t projects < <(jq '.projects[].procore_project_id' "$DATA/seed.json")
codes=$(pc_admin GET /_sandbox/state/cost_codes)
: >"$WORLD/dcs"
for i in $(seq "$N"); do
  p=${projects[$((i % ${#projects[@]}))]}
  cc=$(jq --argjson p "$p" '[.[] | select(.biller_id == $p and .full_code == "03-300")][0].id' <<<"$codes")
  pc_admin POST /_sandbox/direct_costs "{\"project_id\":$p,\"invoice_number\":\"TTL-$i\",\"vendor_id\":$vendor,\"direct_cost_type\":\"expense\",\"direct_cost_date\":\"$(date -u +%Y-%m-%d)\",\"line_items\":[{\"amount\":\"$((100 + i)).25\",\"cost_code_id\":$cc,\"line_item_type_id\":$lit}]}" |
    jq .id >>"$WORLD/dcs"
done
echo "first costs run (what the seed holds) ..."
"$BIN" sync bench --flow costs >/dev/null 2>&1 || true
"$BIN" tenant set bench --schedules costs=10s,vendors=10s,budgets=10s >/dev/null
"$BIN" serve --listen "127.0.0.1:$PORT" --workers 2 >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
trap 'kill "$SERVE_PID" 2>/dev/null; sandbox_cleanup' EXIT
for _ in $(seq 50); do curl -sf "$H/healthz" >/dev/null && break; sleep 0.1; done
"$BIN" webhook register bench --url "$H/webhooks/procore/bench" >/dev/null

echo "approving $N direct costs at random moments over ${WINDOW} s (runs every 10 s) ..."
python3 - "$WORLD/dcs" "$WINDOW" >"$WORLD/moments" <<'PY'
import random, sys
ids = open(sys.argv[1]).read().split()
random.seed(20)
for t, i in sorted((random.uniform(0, float(sys.argv[2])), i) for i in ids):
    print("%.3f %s" % (t, i))
PY
start=$(date +%s%N)
: >"$WORLD/approved"
while read -r at id; do
  now=$(( ($(date +%s%N) - start) / 1000000 ))
  wait_ms=$(awk -v a="$at" -v n="$now" 'BEGIN { w = a * 1000 - n; print (w > 0 ? int(w) : 0) }')
  [ "$wait_ms" -gt 0 ] && sleep "$(awk -v w="$wait_ms" 'BEGIN { printf "%.3f", w / 1000 }')"
  t=$(( $(date +%s%N) / 1000000 ))
  pc_admin POST "/_sandbox/direct_costs/$id/approve" >/dev/null
  echo "$id $t" >>"$WORLD/approved"
done <"$WORLD/moments"
echo "waiting for the last entries ..."
for _ in $(seq 600); do
  left=0
  while read -r id _; do
    n=$(sqlite3 "$DB" "select count(*) from audit where source_ref = 'pc:$company:dc:$id' and action = 'create' and result = 'ok'")
    [ "$n" = 0 ] && left=$((left + 1))
  done <"$WORLD/approved"
  [ "$left" = 0 ] && break
  sleep 1
done
runs=$(sqlite3 "$DB" "select count(*) from runs where trigger in ('schedule','webhook') and started_at >= $((start / 1000000))")
: >"$WORLD/ms"
while read -r id t; do
  at=$(sqlite3 "$DB" "select min(created_at) from audit where source_ref = 'pc:$company:dc:$id' and action = 'create' and result = 'ok'")
  [ -n "$at" ] && echo $((at - t)) >>"$WORLD/ms"
done <"$WORLD/approved"
python3 - "$WORLD/ms" "$N" "$runs" "$LATENCY" <<'PY'
import sys
ms = sorted(int(x) for x in open(sys.argv[1]).read().split())
n = len(ms)
def pct(p):
    return ms[min(n - 1, max(0, int(-(-p * n // 100)) - 1))]
print("time to ledger, %d of %s approvals posted, %s full runs meanwhile, latency %s" % (n, sys.argv[2], sys.argv[3], sys.argv[4]))
if n:
    print("  p50 %d ms  p95 %d ms  p99 %d ms  max %d ms" % (pct(50), pct(95), pct(99), ms[-1]))
PY
