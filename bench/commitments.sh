#!/usr/bin/env bash
# Benchmark (run by hand, prints figures): the commitments flows on a
# scaled sandbox with latency, and how busy the NetSuite concurrency pool
# was kept.  Usage: bench/commitments.sh [SCALE] [LATENCY_MS]
#   SCALE 100 is issue 7's figure (the sandbox takes minutes to seed it).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(readlink -f "${BIN:-build/ml-connector}")
SCALE=${1:-20}
LAT=${2:-25}
. tests/integration/lib/assert.sh
. tests/integration/lib/world.sh
echo "seeding the sandbox at scale $SCALE ..."
t0=$(date +%s.%N)
world_start --scale "$SCALE" --latency-ms "$LAT" --ns-concurrency 5
echo "seeded in $(echo "$(date +%s.%N) - $t0" | bc) s"
world_tenant bench
world_costs_mappings bench
"$BIN" tenant set bench --setting vendors_back.enabled=true >/dev/null
for flow in vendors vendors-back purchase-orders requisitions budgets costs; do
  reset_stats
  t0=$(date +%s.%N)
  "$BIN" sync bench --flow $flow --json > "$WORLD/$flow.json" 2>/dev/null || true
  secs=$(echo "$(date +%s.%N) - $t0" | bc)
  ns=$(ns_admin GET /_sandbox/stats)
  busy=$(ns_admin GET /_sandbox/busy)
  read_n=$(jq .stats.read "$WORLD/$flow.json")
  calls=$(( $(jq '[.calls[]] | add // 0' <<<"$ns") + $(pc_admin GET /_sandbox/stats | jq '[.calls[]] | add // 0') ))
  printf '%-16s pool busy %s (while writing %s)  calls per record %s\n' "$flow" \
    "$(jq -r 'if .busy == null then "-" else (.busy * 100 | floor | tostring) + "%" end' <<<"$busy")" \
    "$(jq -r 'if .write_busy == null then "-" else (.write_busy * 100 | floor | tostring) + "%" end' <<<"$busy")" \
    "$(awk -v c="$calls" -v n="$read_n" 'BEGIN{ if (n > 0) printf "%.2f", c / n; else print "-" }')"
  printf '%-16s %7.2f s  read %6s  created %6s  updated %6s  parked %4s  NetSuite calls %5s  max in flight %s/5  Procore calls %5s\n' \
    "$flow" "$secs" "$(jq .stats.read "$WORLD/$flow.json")" "$(jq .stats.created "$WORLD/$flow.json")" \
    "$(jq .stats.updated "$WORLD/$flow.json")" "$(jq .stats.parked "$WORLD/$flow.json")" \
    "$(jq '[.calls[]] | add // 0' <<<"$ns")" "$(jq .max_concurrency <<<"$ns")" \
    "$(pc_admin GET /_sandbox/stats | jq '[.calls[]] | add // 0')"
done
