#!/usr/bin/env bash
# Issue 22: three `serve` processes on one PostgreSQL (and one Redis) against
# the sandbox.  Process A starts first and schedules the tenant's flows;
# B and C join; a burst of Procore webhooks lands on all three; A is
# kill -9ed while it runs a job.  Checked: one scheduler at a time (the
# processes table and the log lines) and a survivor takes over within a
# lease; the killed process's job is retaken after its lease; every job is
# done, and done once (one "job done" line per job in all logs, one "job
# start" per attempt); every record is written once (no duplicate
# origin_id in Procore, no duplicate externalId in NetSuite) and a sync
# afterwards finds nothing to write; status lists the live processes; a
# clean stop unregisters; /readyz fails while Redis is down.
# Usage: test_scale_out.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
case "${MLC_STORE:-}" in
  postgres://* | postgresql://*) ;;
  *) exec bash "$HERE/lib/pg.sh" run scale_out bash "$0" "$BIN" ;;
esac
. "$HERE/lib/assert.sh"
. "$HERE/lib/world.sh"
world_start --scale 2 --latency-ms 10
world_tenant acme
world_costs_mappings acme
sql() { store_sql "" "$1"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
REDIS_DIR=$WORK/redis
export MLC_REDIS
MLC_REDIS=$(bash "$HERE/lib/pg.sh" redis-start "$REDIS_DIR")
# a short lease: the killed process's job is retaken within the test
export MLC_JOBS_LEASE_SECONDS=3
"$BIN" tenant set acme --setting costs.use_segment=true --schedules vendors=1h,purchase-orders=1h,costs=1h >/dev/null
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
owner_of() { echo "$(hostname):${PID[$1]}"; }
A_OWNER=
schedulers() { sql "SELECT count(*) FROM processes WHERE scheduler = 1"; }
live() { "$BIN" status --json | jq '.processes | length'; }

serve A
A_OWNER=$(owner_of A)
for _ in $(seq 100); do [ "$(schedulers)" = 1 ] && break; sleep 0.1; done
expect_eq "$(sql "SELECT owner FROM processes WHERE scheduler = 1")" "$A_OWNER" "A, alone, schedules"
serve B
serve C
sleep 2
expect_eq "$(live)" 3 "status lists three live processes"
expect_eq "$("$BIN" status --json | jq '[.processes[] | select(.scheduler)] | length')" 1 "status: one of them schedules"
if grep -q "processes: 3 live" <<<"$("$BIN" status)"; then ok "status prints the live processes"; else not_ok "status text" "$("$BIN" status)"; fi
expect_eq "$("$BIN" status --json | jq -r .api_budgets.redis)" shared "status: the API budgets are shared through Redis"
for n in B C; do
  if grep -q "this process schedules" "$WORK/serve-$n.log"; then not_ok "$n does not schedule while A lives"; else ok "$n does not schedule while A lives"; fi
done
for n in A B C; do expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORT[$n]}/readyz")" 200 "$n ready (store and Redis answer)"; done

# a burst of webhooks on all three processes: one inbox, one run per flow at a time
company=$(jq .procore.company_id "$DATA/credentials.json")
i=0
for n in A B C A B C A B C A B C; do
  i=$((i + 1))
  for res in "Company Vendors" "Direct Costs"; do
    ev=$(jq -nc --arg u "01SCALE$(printf '%019d' "$i")${res// /}" --arg r "$res" --argjson c "$company" \
      '{id: 1, ulid: $u, timestamp: "2026-11-26T16:00:00Z", metadata: {}, user_id: 1, company_id: $c, project_id: null,
        api_version: "v2", event_type: "update", resource_name: $r, resource_id: 5}')
    curl -s -o /dev/null -X POST "http://127.0.0.1:${PORT[$n]}/webhooks/procore/acme" -H 'Authorization: Bearer pc-hook-4242-secret' -d "$ev" &
  done
done
wait_bg() { for p in $(jobs -p); do case " ${PID[*]} " in *" $p "*) ;; *) wait "$p" || true ;; esac; done; }
wait_bg
expect_eq "$(sql "SELECT count(*) FROM inbox WHERE event_key LIKE '01SCALE%'")" 24 "every webhook stored once in the shared inbox"

# kill -9 A while it runs a job (A is the scheduler)
killed_job=
for _ in $(seq 600); do
  killed_job=$(sql "SELECT id FROM jobs WHERE state = 'running' AND lease_owner LIKE '$A_OWNER:%' LIMIT 1")
  [ -n "$killed_job" ] && break
  sleep 0.1
done
if [ -z "$killed_job" ]; then
  not_ok "A ran a job before the kill" "$(sql "SELECT id, state, lease_owner FROM jobs")"
else
  kill -9 "${PID[A]}"
  ok "A kill -9ed while it ran job $killed_job"
fi
PID[A]=
t0=$(date +%s)
for _ in $(seq 100); do [ "$(schedulers)" = 1 ] && [ "$(sql "SELECT count(*) FROM processes WHERE scheduler = 1 AND owner <> '$A_OWNER'")" = 1 ] && break; sleep 0.1; done
took=$(($(date +%s) - t0))
expect_le "$took" 4 "a survivor schedules within one lease (3 s) and a beat"
taken=$(cat "$WORK/serve-B.log" "$WORK/serve-C.log" | grep -c "this process schedules" || true)
expect_eq "$taken" 1 "exactly one survivor took the scheduler lock"

# the queue drains: every job done, none dead, the killed one retaken after its lease
for _ in $(seq 1200); do
  [ "$(sql "SELECT count(*) FROM jobs WHERE state <> 'done'")" = 0 ] && break
  sleep 0.1
done
expect_eq "$(sql "SELECT count(*) FROM jobs WHERE state <> 'done'")" 0 "every job done (none queued, running or dead)"
if [ -n "$killed_job" ]; then
  expect_le 2 "$(sql "SELECT attempts FROM jobs WHERE id = $killed_job")" "the killed process's job ran again"
  if grep -q "msg=\"job start\" job=$killed_job " "$WORK/serve-B.log" "$WORK/serve-C.log"; then ok "a survivor retook it"; else not_ok "a survivor retook job $killed_job" "$(grep -h "job=$killed_job" "$WORK"/serve-*.log)"; fi
fi
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
expect_eq "$(sql "SELECT count(*) FROM inbox WHERE event_key LIKE '01SCALE%' AND state <> 'done'")" 0 "every webhook event turned into a run"

# every record written once
pcv=$(pc_admin GET /_sandbox/state/vendors | jq --argjson c "$company" '[.[] | select(._company_id == $c)]')
expect_eq "$(jq '[.[] | select(.origin_id != null) | .origin_id] | group_by(.) | map(select(length > 1)) | length' <<<"$pcv")" 0 "no vendor in Procore twice"
expect_le 1 "$(jq '[.[] | select(.origin_id != null)] | length' <<<"$pcv")" "vendors were written"
expect_eq "$(pc_admin GET /_sandbox/state/purchase_order_contracts | jq '[.[] | select(.origin_id != null) | .origin_id] | group_by(.) | map(select(length > 1)) | length')" 0 "no commitment in Procore twice"
expect_eq "$(ns_admin GET /_sandbox/netsuite/dump/transaction | jq '[.rows[] | select(.externalid != null) | .externalid] | group_by(.) | map(select(length > 1)) | length')" 0 "no NetSuite transaction twice by externalId"
expect_le 1 "$(ns_admin GET /_sandbox/netsuite/dump/transaction | jq '[.rows[] | select(.externalid != null)] | length')" "journal entries were written"

# the dead process is gone from the table; readiness follows Redis
sleep 1
expect_eq "$(live)" 2 "status: two live processes after the kill"
expect_eq "$(sql "SELECT count(*) FROM processes WHERE owner = '$A_OWNER'")" 0 "the scheduler removed the dead process's row"
bash "$HERE/lib/pg.sh" redis-stop "$REDIS_DIR"
code=
for _ in $(seq 50); do # redis-server exits shortly after its SIGTERM
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORT[B]}/readyz")
  [ "$code" = 503 ] && break
  sleep 0.1
done
expect_eq "$code" 503 "/readyz fails while Redis is down"

# clean stops unregister; nothing is left to write
for n in B C; do kill -TERM "${PID[$n]}"; wait "${PID[$n]}" || true; PID[$n]=; done
expect_eq "$(sql "SELECT count(*) FROM processes")" 0 "a clean stop removes the process's row"
unset MLC_REDIS
for f in vendors costs; do
  run "$BIN" sync acme --flow "$f" --json
  expect_eq "$(jq '.stats.created + .stats.updated' <<<"$OUT")" 0 "$f: a sync afterwards writes nothing (each record was written once, none missed)"
done
# purchase-orders needs the vendors first: a run that came before the vendors
# run finished leaves commitments for the next run (1h away), so this sync may
# write; what it must not do is write one twice
run "$BIN" sync acme --flow purchase-orders --json
expect_rc 0 "purchase-orders sync afterwards"
expect_eq "$(pc_admin GET /_sandbox/state/purchase_order_contracts | jq '[.[] | select(.origin_id != null) | .origin_id] | group_by(.) | map(select(length > 1)) | length')" 0 "still no commitment in Procore twice"
finish
