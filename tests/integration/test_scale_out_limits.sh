#!/usr/bin/env bash
# Issue 22, done-when: three `serve` processes on one PostgreSQL and one
# Redis against a sandbox with realistic limits (NetSuite concurrency 5,
# Procore 3600/h and a 10-second limit tight enough to bind) run the
# tenant's scheduled flows (vendors, purchase orders, a month of costs)
# and a burst of webhooks.  Mid-run one process is kill -9ed, and later
# Redis is stopped: the survivors go on with a share of each limit per
# process.  Checked: every job done, and done once; every record written
# once (no duplicate origin_id / externalId, a sync afterwards writes
# nothing); the sandbox saw at most 5 NetSuite requests in flight and
# answered no 429 from Procore; the survivors reported the fallback in
# /metrics while Redis was down.
# Usage: test_scale_out_limits.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
case "${MLC_STORE:-}" in
  postgres://* | postgresql://*) ;;
  *) exec bash "$HERE/lib/pg.sh" run scale_out_limits bash "$0" "$BIN" ;;
esac
. "$HERE/lib/assert.sh"
. "$HERE/lib/world.sh"
PC_RATE=${PC_RATE:-3600/h,50/10s}
world_start --scale 1 --latency-ms 10 --ns-concurrency 5 --pc-rate "$PC_RATE"
world_tenant acme
world_costs_mappings acme
sql() { store_sql "" "$1"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
REDIS_DIR=$WORK/redis
export MLC_REDIS
MLC_REDIS=$(bash "$HERE/lib/pg.sh" redis-start "$REDIS_DIR")
export MLC_JOBS_LEASE_SECONDS=3
"$BIN" tenant set acme --setting costs.use_segment=true --setting netsuite.concurrency=5 \
  --schedules vendors=1h,purchase-orders=1h,costs=1h >/dev/null
printf 'Bearer pc-hook-4242-secret' | "$BIN" secret set acme webhook.procore_authorization >/dev/null
declare -A PID PORT
cleanup() {
  for n in A B C; do [ -n "${PID[$n]:-}" ] && kill -9 "${PID[$n]}" 2>/dev/null || true; done
  bash "$HERE/lib/pg.sh" redis-stop "$REDIS_DIR" || true
  sandbox_cleanup
}
trap cleanup EXIT
serve() { # NAME
  PORT[$1]=$(free_port)
  "$BIN" serve --listen "127.0.0.1:${PORT[$1]}" --workers 2 >"$WORK/serve-$1.log" 2>&1 &
  PID[$1]=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:${PORT[$1]}/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "serve $1 did not start"; cat "$WORK/serve-$1.log"; exit 1
}
t_start=$(date +%s)
reset_stats
serve A
serve B
serve C

# a burst of webhooks spread over the three
company=$(jq .procore.company_id "$DATA/credentials.json")
i=0
for n in A B C A B C A B C; do
  i=$((i + 1))
  for res in "Company Vendors" "Direct Costs"; do
    ev=$(jq -nc --arg u "01LIMIT$(printf '%019d' "$i")${res// /}" --arg r "$res" --argjson c "$company" \
      '{id: 1, ulid: $u, timestamp: "2026-11-26T16:00:00Z", metadata: {}, user_id: 1, company_id: $c, project_id: null,
        api_version: "v2", event_type: "update", resource_name: $r, resource_id: 5}')
    curl -s -o /dev/null -X POST "http://127.0.0.1:${PORT[$n]}/webhooks/procore/acme" -H 'Authorization: Bearer pc-hook-4242-secret' -d "$ev" &
  done
done
wait_bg() { for p in $(jobs -p); do case " ${PID[*]} " in *" $p "*) ;; *) wait "$p" || true ;; esac; done; }
wait_bg
expect_eq "$(sql "SELECT count(*) FROM inbox WHERE event_key LIKE '01LIMIT%'")" 18 "every webhook stored once"

# kill -9 whichever process runs a job first
victim= killed_job=
for _ in $(seq 600); do
  for n in A B C; do
    owner="$(hostname):${PID[$n]}"
    killed_job=$(sql "SELECT id FROM jobs WHERE state = 'running' AND lease_owner LIKE '$owner:%' LIMIT 1")
    [ -n "$killed_job" ] && { victim=$n; break 2; }
  done
  sleep 0.1
done
if [ -z "$victim" ]; then
  not_ok "a process ran a job before the kill" "$(sql "SELECT id, state, lease_owner FROM jobs")"
else
  kill -9 "${PID[$victim]}"
  PID[$victim]=
  ok "$victim kill -9ed while it ran job $killed_job"
fi
survivors=()
for n in A B C; do [ -n "${PID[$n]}" ] && survivors+=("$n"); done

# Procore's limit binds while Redis is up: the bucket learned its windows
for _ in $(seq 300); do
  [ "$(redis-cli -u "$MLC_REDIS" --no-auth-warning KEYS 'mlc:budget:pc:*' | wc -l)" -ge 1 ] && break
  sleep 0.1
done
pc_key=$(redis-cli -u "$MLC_REDIS" --no-auth-warning KEYS 'mlc:budget:pc:*' | head -1)
if [ -n "$pc_key" ] && [ -n "$(redis-cli -u "$MLC_REDIS" --no-auth-warning HGET "$pc_key" s:lim)" ]; then
  ok "the shared bucket learned the 10-second window from the headers"
else
  not_ok "the shared bucket learned the 10-second window" "key '$pc_key'"
fi

# Redis stops mid-run: each survivor keeps its share
sleep 2
pending=$(sql "SELECT count(*) FROM jobs WHERE state <> 'done'")
bash "$HERE/lib/pg.sh" redis-stop "$REDIS_DIR"
fallback=0
for _ in $(seq 200); do
  for n in "${survivors[@]}"; do
    m=$(curl -s "http://127.0.0.1:${PORT[$n]}/metrics" || true)
    grep -q 'mlc_api_budget_fallback{api="\(procore\|netsuite\)"} 1' <<<"$m" && fallback=1
  done
  [ "$fallback" = 1 ] && break
  [ "$(sql "SELECT count(*) FROM jobs WHERE state <> 'done'")" = 0 ] && break
  sleep 0.1
done
if [ "$pending" = 0 ]; then
  echo "# the queue had drained before Redis stopped: nothing ran on the share"
else
  expect_eq "$fallback" 1 "a survivor says in /metrics that it runs on its share"
fi
st=$("$BIN" status 2>&1 || true)
if grep -q "api budgets: Redis unreachable: each process keeps 1/[23] of NetSuite's concurrency and of Procore's rate limits" <<<"$st"; then
  ok "status says Redis is unreachable and the share each process keeps"
else
  not_ok "status names the fallback share" "$(grep -i budget <<<"$st")"
fi
expect_eq "$("$BIN" status --json | jq -r .api_budgets.redis)" unreachable "status --json: api_budgets.redis"

# paced by Procore's limit: a loaded machine makes more webhook runs, so the
# drain may take minutes; polled, not slept
for _ in $(seq 3000); do
  [ "$(sql "SELECT count(*) FROM jobs WHERE state <> 'done'")" = 0 ] && break
  sleep 0.1
done
expect_eq "$(sql "SELECT count(*) FROM jobs WHERE state <> 'done'")" 0 "every job done (none queued, running or dead)"
bad=0
while read -r id attempts; do
  done_n=$(cat "$WORK"/serve-*.log | grep -c "msg=\"job done\" job=$id\$" || true)
  start_n=$(cat "$WORK"/serve-*.log | grep -c "msg=\"job start\" job=$id " || true)
  if [ "$done_n" != 1 ] || [ "$start_n" != "$attempts" ]; then
    bad=$((bad + 1)); echo "    job $id: $done_n done lines, $start_n starts, $attempts attempts"
  fi
done < <(sql "SELECT id, attempts FROM jobs" | tr '|' ' ')
expect_eq "$bad" 0 "every job done exactly once, started once per attempt"
expect_le 3 "$(sql "SELECT count(*) FROM jobs")" "the schedule and the webhooks made jobs"

# the limits held the whole time
nst=$(ns_admin GET /_sandbox/stats)
pct=$(pc_admin GET /_sandbox/stats)
expect_le "$(jq .max_concurrency <<<"$nst")" 5 "NetSuite requests in flight never above the account's 5"
expect_eq "$(jq .rejected_429 <<<"$pct")" 0 "Procore answered no 429"
expect_eq "$(jq '.status["429"] // 0' <<<"$nst")" 0 "NetSuite answered no 429"
calls=$(jq '[.calls | to_entries[] | select(.key | test("/rest/")) | .value] | add // 0' <<<"$pct")
expect_le 51 "$calls" "the Procore limit bound (more calls than one 10-second window allows)"

# every record written once
pcv=$(pc_admin GET /_sandbox/state/vendors | jq --argjson c "$company" '[.[] | select(._company_id == $c)]')
expect_eq "$(jq '[.[] | select(.origin_id != null) | .origin_id] | group_by(.) | map(select(length > 1)) | length' <<<"$pcv")" 0 "no vendor in Procore twice"
expect_le 1 "$(jq '[.[] | select(.origin_id != null)] | length' <<<"$pcv")" "vendors were written"
expect_eq "$(pc_admin GET /_sandbox/state/purchase_order_contracts | jq '[.[] | select(.origin_id != null) | .origin_id] | group_by(.) | map(select(length > 1)) | length')" 0 "no commitment in Procore twice"
ns_tx=$(ns_admin GET /_sandbox/netsuite/dump/transaction)
expect_eq "$(jq '[.rows[] | select(.externalid != null) | .externalid] | group_by(.) | map(select(length > 1)) | length' <<<"$ns_tx")" 0 "no NetSuite transaction twice by externalId"
expect_le 1 "$(jq '[.rows[] | select(.externalid != null)] | length' <<<"$ns_tx")" "journal entries were written"

for n in "${survivors[@]}"; do kill -TERM "${PID[$n]}"; wait "${PID[$n]}" || true; PID[$n]=; done
unset MLC_REDIS
for f in vendors costs; do
  run "$BIN" sync acme --flow "$f" --json
  expect_eq "$(jq '.stats.created + .stats.updated' <<<"$OUT")" 0 "$f: a sync afterwards writes nothing (the kill changed nothing in the final state)"
done
echo "# took $(($(date +%s) - t_start)) s"
finish
