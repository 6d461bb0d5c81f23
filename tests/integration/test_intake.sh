#!/usr/bin/env bash
# Issue 20, first bullet, through the real binary (behaviour, not timings):
# events arriving together share one durable commit and none is answered
# before it; duplicates stay deduplicated; a failed commit answers 503 to
# every event in it and stores nothing (so the retries store each once);
# a secret or tenant changed by another process is seen by a running serve
# at once; accepted events become one pending run per tenant and flow; no
# log line per request by default.
# Usage: test_intake.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/store.sh"
expect_eq() { if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3" "got '$1', wanted '$2'"; fi; }
expect_le() { if [ "$1" -le "$2" ]; then ok "$3 ($1 <= $2)"; else not_ok "$3" "got $1, limit $2"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
TOP=$(mktemp -d)
SERVE_PID=
LOCK_PID=
cleanup() {
  if [ -n "$LOCK_PID" ]; then kill "$LOCK_PID" 2>/dev/null || true; wait "$LOCK_PID" 2>/dev/null || true; fi
  if [ -n "$SERVE_PID" ]; then kill "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; fi
  rm -rf "$TOP"
}
trap cleanup EXIT
WORK=$TOP/w
"$BIN" init --dir "$WORK" >/dev/null
cd "$WORK"
DB=$WORK/ml-connector.db
sql() { store_sql "$DB" "$1"; }
"$BIN" tenant add acme --procore-company 42 --netsuite-account 123 >/dev/null
printf 'Bearer intake-one-secret' | "$BIN" secret set acme webhook.procore_authorization >/dev/null
PORT=$(free_port)
H="http://127.0.0.1:$PORT"
"$BIN" serve --listen "127.0.0.1:$PORT" --workers 1 >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
for _ in $(seq 50); do curl -sf "$H/healthz" >/dev/null && break; sleep 0.1; done

ev() { # ulid-suffix [company]
  printf '{"id":1,"ulid":"01JINTAKE%s","company_id":%s,"project_id":7,"resource_name":"Direct Costs","resource_id":1,"event_type":"update","timestamp":"2026-11-26T17:00:00Z","api_version":"v2","metadata":{"source_application_id":"other"}}' "$1" "${2:-42}"
}
post() { # auth ulid-suffix [tenant] -> status
  curl -s -o /dev/null -w '%{http_code}' -X POST "$H/webhooks/procore/${3:-acme}" \
    -H 'Content-Type: application/json' -H "Authorization: $1" --data-binary "$(ev "$2")"
}
# posts the suffixes on stdin, all at once from one process (a thread and
# a connection each); appends "suffix status" lines to $1 and creates $1.sent
# once every request is sent (before any answer is read)
post_many() {
  python3 -c '
import http.client, sys, threading
port, auth, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
keys = sys.stdin.read().split()
body = ("{\"id\":1,\"ulid\":\"01JINTAKE%s\",\"company_id\":42,\"project_id\":7,\"resource_name\":\"Direct Costs\","
        "\"resource_id\":1,\"event_type\":\"update\",\"timestamp\":\"2026-11-26T17:00:00Z\",\"api_version\":\"v2\","
        "\"metadata\":{\"source_application_id\":\"other\"}}")
conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=60) for _ in keys]
for c in conns: c.connect()
sent = threading.Barrier(len(keys) + 1)
results = {}
def one(k, c):
    c.request("POST", "/webhooks/procore/acme", body % k, {"Content-Type": "application/json", "Authorization": auth})
    sent.wait()
    results[k] = c.getresponse().status
ts = [threading.Thread(target=one, args=(k, c)) for k, c in zip(keys, conns)]
for t in ts: t.start()
sent.wait()
open(out + ".sent", "w").close()
for t in ts: t.join()
with open(out, "a") as f:
    for k in keys: f.write("%s %d\n" % (k, results[k]))
' "$PORT" "Bearer intake-one-secret" "$1"
}
wait_sent() { for _ in $(seq 200); do [ -e "$1.sent" ] && return 0; sleep 0.05; done; echo "requests not sent"; exit 1; }
metric() { # name -> value (0 when absent)
  local v
  v=$(curl -s "$H/metrics" | awk -v n="$1" '$1 == n { print $2 }')
  printf '%.0f' "${v:-0}"
}
# holds the database's write lock from another process for $1 seconds
hold_lock() {
  python3 -c '
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
c.execute("BEGIN IMMEDIATE")
open(sys.argv[3], "w").close()
time.sleep(float(sys.argv[2]))
c.execute("ROLLBACK")' "$DB" "$1" "$TOP/locked" &
  LOCK_PID=$!
  for _ in $(seq 100); do [ -e "$TOP/locked" ] && return 0; sleep 0.05; done
  echo "could not take the lock"; exit 1
}
release_lock() { wait "$LOCK_PID" || true; LOCK_PID=; rm -f "$TOP/locked"; }

# --- group commit: concurrent events share commits; no 2xx before the commit --------------------
expect_eq "$(post 'Bearer intake-one-secret' first)" 200 "a first event is accepted"
c0=$(metric mlc_inbox_commits_total)
e0=$(metric mlc_inbox_events_total)
hold_lock 30
: >"$TOP/burst"
seq -w 1 32 | post_many "$TOP/burst" &
BURST=$!
wait_sent "$TOP/burst"
sleep 0.5
expect_eq "$(wc -l <"$TOP/burst" | tr -d ' ')" 0 "no event is answered while its commit cannot happen"
kill "$LOCK_PID"
release_lock
wait "$BURST"
expect_eq "$(awk '$2 == 200' "$TOP/burst" | wc -l | tr -d ' ')" 32 "all 32 concurrent events answered 200 after the commit"
expect_eq "$(sql "select count(*) from inbox where event_key like '01JINTAKE__'")" 32 "all 32 stored"
commits=$(( $(metric mlc_inbox_commits_total) - c0 ))
events=$(( $(metric mlc_inbox_events_total) - e0 ))
expect_eq "$events" 32 "mlc_inbox_events_total counts the 32 events"
expect_le "$commits" 4 "32 events queued behind one commit share a few durable commits"

# --- duplicates ---------------------------------------------------------------------------------
: >"$TOP/dups"
seq -w 1 32 | post_many "$TOP/dups"
expect_eq "$(awk '$2 == 200' "$TOP/dups" | wc -l | tr -d ' ')" 32 "the same 32 again: 200"
expect_eq "$(sql "select count(*) from inbox where event_key like '01JINTAKE__'")" 32 "and stored once"
resp=$(curl -s -X POST "$H/webhooks/procore/acme" -H 'Authorization: Bearer intake-one-secret' --data-binary "$(ev 01)")
expect_eq "$(jq -r .status <<<"$resp")" duplicate "a repeat is answered as a duplicate"

# --- one pending run per tenant and flow; the rows become done ------------------------------------
st=
for _ in $(seq 300); do st=$(sql "select count(*) from inbox where state = 'new'"); [ "$st" = 0 ] && break; sleep 0.1; done
expect_eq "$st" 0 "the drain marks every accepted event done"
expect_le "$(sql "select count(*) from jobs where kind = 'sync'")" 8 "33 events made a handful of sync jobs, not one each"

# --- a failed commit: 503 to every event in it, nothing stored, the retry stores each once ------
f0=$(metric mlc_inbox_commit_failures_total)
sql "CREATE TRIGGER fail_all BEFORE INSERT ON inbox BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
: >"$TOP/fail"
seq 101 116 | post_many "$TOP/fail"
expect_eq "$(awk '$2 == 503' "$TOP/fail" | wc -l | tr -d ' ')" 16 "a store failure answers 503 to each of 16 concurrent events"
expect_eq "$(sql "select count(*) from inbox where event_key like '01JINTAKE1__'")" 0 "and stores none of them"
if [ "$(metric mlc_inbox_commit_failures_total)" -gt "$f0" ]; then ok "failed commits are counted"; else not_ok "failed commits are counted"; fi
sql "DROP TRIGGER fail_all"
# one poisoned event in a group: the group it shares a transaction with fails with it
sql "CREATE TRIGGER fail_one BEFORE INSERT ON inbox WHEN NEW.event_key = '01JINTAKE199' BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
# (the writer takes a leader event alone and waits for the lock; what
# arrives meanwhile is queued and goes into the next transaction together)
hold_lock 30
: >"$TOP/mixed" >"$TOP/lead"
echo 119 | post_many "$TOP/lead" &
LEADER=$!
wait_sent "$TOP/lead"
sleep 0.3
{ echo 199; seq 120 135; } | post_many "$TOP/mixed" &
BURST=$!
wait_sent "$TOP/mixed"
sleep 0.5
kill "$LOCK_PID"
release_lock
wait "$LEADER" "$BURST"
cat "$TOP/lead" >>"$TOP/mixed"
expect_eq "$(awk '$1 == 199 { print $2 }' "$TOP/mixed")" 503 "the poisoned event: 503"
expect_eq "$(awk '$1 == 119 { print $2 }' "$TOP/mixed")" 200 "the leader, committed alone before it: 200"
bad=0
while read -r k c; do
  n=$(sql "select count(*) from inbox where event_key = '01JINTAKE$k'")
  if [ "$c" = 200 ] && [ "$n" != 1 ]; then bad=$((bad + 1)); fi
  if [ "$c" = 503 ] && [ "$n" != 0 ]; then bad=$((bad + 1)); fi
  if [ "$c" != 200 ] && [ "$c" != 503 ]; then bad=$((bad + 1)); fi
done <"$TOP/mixed"
expect_eq "$bad" 0 "every 200 is stored once, every 503 is not stored"
failed=$(awk '$2 == 503 && $1 != 199 { print $1 }' "$TOP/mixed" | wc -l | tr -d ' ')
if [ "$failed" -gt 0 ]; then ok "events sharing the poisoned transaction were answered 503 ($failed)"; else not_ok "events sharing the poisoned transaction" "$(cat "$TOP/mixed")"; fi
sql "DROP TRIGGER fail_one"
: >"$TOP/retry"
{ seq 101 116; seq 119 135; } | post_many "$TOP/retry"
expect_eq "$(awk '$2 == 200' "$TOP/retry" | wc -l | tr -d ' ')" 33 "the senders' retries (and repeats) are answered 200"
expect_eq "$(awk '$2 == 503' "$TOP/mixed" | wc -l | tr -d ' ')" "$((failed + 1))" "only the poisoned group was refused"
expect_eq "$(sql "select count(*) from inbox where event_key like '01JINTAKE1__'")" 33 "and each event is stored once"

# --- another process changes a secret or a tenant: seen at once, without a restart --------------
printf 'Bearer intake-two-secret' | "$BIN" secret set acme webhook.procore_authorization >/dev/null
expect_eq "$(post 'Bearer intake-one-secret' S1)" 401 "the old secret is refused right after secret set"
expect_eq "$(post 'Bearer intake-two-secret' S2)" 200 "the new secret is accepted right after secret set"
"$BIN" tenant add beta --procore-company 42 --netsuite-account 124 >/dev/null
printf 'Bearer intake-beta-secret' | "$BIN" secret set beta webhook.procore_authorization >/dev/null
expect_eq "$(post 'Bearer intake-beta-secret' B1 beta)" 200 "a tenant added while serve runs is served"
"$BIN" tenant remove beta >/dev/null
expect_eq "$(post 'Bearer intake-beta-secret' B2 beta)" 401 "and refused right after tenant remove"
"$BIN" tenant set acme --procore-company 43 >/dev/null
expect_eq "$(curl -s -X POST "$H/webhooks/procore/acme" -H 'Authorization: Bearer intake-two-secret' --data-binary "$(ev T1 42)" | jq -r .status)" unusable "tenant set: the old company's event is now unusable"
expect_eq "$(curl -s -X POST "$H/webhooks/procore/acme" -H 'Authorization: Bearer intake-two-secret' --data-binary "$(ev T2 43)" | jq -r .status)" accepted "and the new company's accepted"

# --- no line per request at the default level ---------------------------------------------------
if grep -q 'http request' "$WORK/serve.log"; then not_ok "no access log line by default" "$(grep -m3 'http request' "$WORK/serve.log")"; else ok "no access log line by default"; fi
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" || true; SERVE_PID=
MLC_HTTP_ACCESS_LOG=true "$BIN" serve --listen "127.0.0.1:$PORT" --workers 1 >"$WORK/serve2.log" 2>&1 &
SERVE_PID=$!
for _ in $(seq 50); do curl -sf "$H/healthz" >/dev/null && break; sleep 0.1; done
expect_eq "$(post 'Bearer intake-two-secret' L1)" 200 "an event with http.access_log on"
if grep -q 'http request.*webhooks/procore/acme' "$WORK/serve2.log"; then ok "http.access_log: true logs each request"; else not_ok "access log when asked for" "$(tail -3 "$WORK/serve2.log")"; fi
if grep -q 'Bearer' "$WORK/serve.log" "$WORK/serve2.log"; then not_ok "no secret in the logs"; else ok "no secret in the logs"; fi
finish
