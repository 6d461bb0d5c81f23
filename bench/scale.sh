#!/usr/bin/env bash
# Benchmark (prints figures, not a test): every flow on the sandbox at
# scales 1, 5 and 20 (and 50 with --full), Procore's rate limits lifted
# so the figures are the connector's own.  Per flow and scale: records
# read, CPU seconds (user+sys of `sync`), peak RSS, API calls per record,
# the most NetSuite requests in flight, and the growth exponent b of
# CPU ~ N^b between this scale and the previous one (N: records read).
# A quiet rerun (nothing changed) of each flow is measured too.
# Usage: bench/scale.sh [--full] [SCALES...]
# Env: BIN (default build/ml-connector).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(readlink -f "${BIN:-build/ml-connector}")
scales=(1 5 20)
if [ "${1:-}" = --full ]; then scales=(1 5 20 50); shift; fi
[ $# -gt 0 ] && scales=("$@")
FLOWS=(accounts vendors vendors-back cost-codes purchase-orders requisitions budgets costs)
. tests/integration/lib/assert.sh
. tests/integration/lib/world.sh
declare -A prev_cpu prev_n
OLDPWD_BENCH=$PWD

# one_run LABEL FLOW [--full]: prints a row
one_run() {
  local label=$1 flow=$2 full=${3:-} t out cpu rss n calls inflight b key
  reset_stats
  t=$(mktemp)
  out=$(/usr/bin/time -f '%U %S %M' -o "$t" "$BIN" sync bench --flow "$flow" $full --json 2>/dev/null || true)
  cpu=$(awk '{printf "%.2f", $1 + $2}' "$t")
  rss=$(awk '{printf "%.0f", $3 / 1024}' "$t")
  rm -f "$t"
  n=$(jq '.stats.read // 0' <<<"$out" 2>/dev/null || echo 0)
  calls=$(( $(ns_admin GET /_sandbox/stats | jq '[.calls[]] | add // 0') + $(pc_admin GET /_sandbox/stats | jq '[.calls[]] | add // 0') ))
  inflight=$(ns_admin GET /_sandbox/stats | jq .max_concurrency)
  key="$label"
  b=-
  if [ -n "${prev_cpu[$key]:-}" ] && [ "${prev_n[$key]}" -gt 0 ] && [ "$n" -gt "${prev_n[$key]}" ]; then
    b=$(echo "scale=4; c0=${prev_cpu[$key]}; c1=$cpu; if (c0 < 0.01) c0 = 0.01; if (c1 < 0.01) c1 = 0.01; l(c1/c0)/l($n/${prev_n[$key]})" | bc -l | awk '{printf "%.2f", $1}')
  fi
  prev_cpu[$key]=$cpu
  prev_n[$key]=$n
  printf '| %-28s | %5s | %7s | %6s | %6s | %9s | %4s | %5s |\n' "$label" "$scale" "$n" "$cpu" "$rss" \
    "$( [ "$n" -gt 0 ] && awk -v c="$calls" -v n="$n" 'BEGIN{printf "%.2f", c / n}' || echo -)" "$inflight" "$b"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
printf '| %-28s | %5s | %7s | %6s | %6s | %9s | %4s | %5s |\n' flow scale records "CPU s" "RSS MB" calls/rec "NS≤" b
echo '|---|---|---|---|---|---|---|---|'
for scale in "${scales[@]}"; do
  world_start --scale "$scale" --pc-rate 100000000/h,10000000/10s >/dev/null
  world_tenant bench
  world_costs_mappings bench
  "$BIN" tenant set bench --setting vendors_back.enabled=true >/dev/null
  for flow in "${FLOWS[@]}"; do
    one_run "$flow" "$flow"
    one_run "$flow, quiet rerun" "$flow" --full
  done
  stop >/dev/null 2>&1 || true
  cd "$OLDPWD_BENCH"
  rm -rf "$DIR/data" "$DIR/work"
done
