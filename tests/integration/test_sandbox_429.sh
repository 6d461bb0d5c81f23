#!/usr/bin/env bash
# Issue 21: the sandbox's 429 faults (ns:429=P, pc:429=P) answer in each
# API's shape (docs/reference/netsuite.md "Governance", procore.md
# "Pagination, rate limits, errors"), and the connector waits them out as
# the headers say, logging each retry.  Usage: test_sandbox_429.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"

# --- the spec -----------------------------------------------------------------------------------
if "$(dirname "$BIN")/mlc-sandbox" --netsuite 127.0.0.1:0 --procore 127.0.0.1:0 --data "$DIR/bad" \
  --faults ns:429=1.5 >"$DIR/bad.out" 2>&1; then rc=0; else rc=$?; fi
if [ "$rc" != 0 ] && grep -q "not a probability" "$DIR/bad.out"; then ok "ns:429=1.5 is refused"; else not_ok "ns:429=1.5 refused" "rc $rc: $(cat "$DIR/bad.out")"; fi

world_start
world_tenant acme
ns_admin POST /_sandbox/faults '{"faults":"ns:429=1"}' >/dev/null
pc_admin POST /_sandbox/faults '{"faults":"pc:429=1"}' >/dev/null
tok=$(pc_token)
[ -n "$tok" ] && [ "$tok" != null ] && ok "token requests are spared (Procore token under pc:429=1)" || not_ok "Procore token" "$tok"
company=$(jq .procore.company_id "$DATA/credentials.json")

# --- Procore: 429 with X-Rate-Limit-*, Retry-After on some, Date on the sandbox clock -------------
retry_after=0
for i in $(seq 1 12); do
  hdr=$(curl -s -D - -o "$DIR/pc.body" "$PC_URL/rest/v1.0/vendors?company_id=$company" \
    -H "Authorization: Bearer $tok" -H "Procore-Company-Id: $company")
  code=$(head -1 <<<"$hdr" | awk '{print $2}')
  reset=$(grep -i '^X-Rate-Limit-Reset:' <<<"$hdr" | tr -d '\r' | awk '{print $2}')
  date_s=$(date -u -d "$(grep -i '^Date:' <<<"$hdr" | tr -d '\r' | cut -d' ' -f2-)" +%s)
  remaining=$(grep -i '^X-Rate-Limit-Remaining:' <<<"$hdr" | tr -d '\r' | awk '{print $2}')
  limit=$(grep -i '^X-Rate-Limit-Limit:' <<<"$hdr" | tr -d '\r' | awk '{print $2}')
  if [ "$code" != 429 ] || [ "$remaining" != 0 ] || [ -z "$limit" ] || [ $((reset - date_s)) -lt 1 ] ||
    [ $((reset - date_s)) -gt 3 ] || ! grep -q "surpassed the max number of requests" "$DIR/pc.body"; then
    not_ok "Procore 429 shape (call $i)" "$hdr $(cat "$DIR/pc.body")"; break
  fi
  if grep -qi '^Retry-After:' <<<"$hdr"; then retry_after=$((retry_after + 1)); fi
done
[ "$i" = 12 ] && ok "Procore: 429, X-Rate-Limit-Limit, Remaining 0, Reset 1-3 s past Date, the rate body"
if [ "$retry_after" -gt 0 ] && [ "$retry_after" -lt 12 ]; then ok "Procore: Retry-After on some 429s only ($retry_after of 12)"; else not_ok "Retry-After on some" "$retry_after of 12"; fi

# --- NetSuite: the concurrency-limit 429, JSON error body, no Retry-After -------------------------
hdr=$(curl -s -D - -o "$DIR/ns.body" -X POST "$NS_URL/services/rest/query/v1/suiteql" \
  -H 'Authorization: Bearer x' -H 'Prefer: transient' -H 'Content-Type: application/json' -d '{"q":"SELECT id FROM vendor"}')
expect_eq "$(head -1 <<<"$hdr" | awk '{print $2}')" 429 "NetSuite: 429"
expect_eq "$(jq -r '."o:errorDetails"[0]."o:errorCode"' "$DIR/ns.body")" CONCURRENCY_LIMIT_EXCEEDED "NetSuite: the concurrency-limit error body"
if grep -qi '^Retry-After:' <<<"$hdr"; then not_ok "NetSuite sends no Retry-After" "$hdr"; else ok "NetSuite sends no Retry-After"; fi
expect_eq "$(ns_admin GET /_sandbox/stats | jq .rejected_429)" 1 "NetSuite counts the injected 429"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$NS_URL/_sandbox/stats")" 200 "admin routes get no faults"

# --- 429 is its own band: a GET drawn into the "lost" band (lost applies to writes) is answered
pc_admin POST /_sandbox/faults '{"faults":"pc:lost=1"}' >/dev/null
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$PC_URL/rest/v1.0/vendors?company_id=$company" \
  -H "Authorization: Bearer $tok" -H "Procore-Company-Id: $company")" 200 "pc:lost=1 without 429: a GET is answered 200"

# --- the connector retries them as the headers say -----------------------------------------------
ns_admin POST /_sandbox/faults '{"faults":"ns:429=0.25"}' >/dev/null
pc_admin POST /_sandbox/faults '{"faults":"pc:429=0.25"}' >/dev/null
reset_stats
"$BIN" sync acme --flow vendors >"$DIR/sync.out" 2>"$DIR/sync.err" && rc=0 || rc=$?
expect_eq "$rc" 0 "sync vendors completes through 25% 429s on both sides"
# costs: many NetSuite writes (journal entries), 15% of them answered 429
world_costs_mappings acme
ns_admin POST /_sandbox/faults '{"faults":"ns:429=0.15"}' >/dev/null
pc_admin POST /_sandbox/faults '{"faults":""}' >/dev/null
"$BIN" sync acme --flow costs >>"$DIR/sync.out" 2>>"$DIR/sync.err" && rc=0 || rc=$?
expect_eq "$rc" 0 "sync costs completes through 15% NetSuite 429s"
# NetSuite's pushes are off here: every 429 in the stats was answered to the connector
nsinj=$(ns_admin GET /_sandbox/stats | jq .rejected_429)
pcinj=$(pc_admin GET /_sandbox/stats | jq .rejected_429)
grep 'msg="http retry"' "$DIR/sync.err" >"$DIR/retries" || true
nsret=$(grep 'upstream=netsuite' "$DIR/retries" | grep -c 'reason=429' || true)
pcret=$(grep 'upstream=procore' "$DIR/retries" | grep -c 'reason=429' || true)
if [ "$nsinj" -gt 0 ] && [ "$pcinj" -gt 0 ]; then ok "429s were injected on both sides (NetSuite $nsinj, Procore $pcinj)"; else not_ok "429s injected" "ns $nsinj pc $pcinj"; fi
expect_eq "$nsret" "$nsinj" "every NetSuite 429 is retried and logged"
expect_eq "$pcret" "$pcinj" "every Procore 429 is retried and logged"
# Procore: the wait is at least what X-Rate-Limit-Reset / Retry-After asked (>= 1 s);
# NetSuite has no header: jittered backoff
short=$(grep 'upstream=procore' "$DIR/retries" | grep 'reason=429' | sed 's/.*wait_ms=\([0-9]*\).*/\1/' | awk '$1 < 1000' | wc -l)
expect_eq "$short" 0 "Procore 429 retries wait out the reset the headers give (none under 1 s)"
pcstats=$(pc_admin GET /_sandbox/stats)
expect_eq "$(jq '.status["429"] // 0' <<<"$pcstats")" "$pcinj" "the Procore stats count each injected 429 under its status"
finish
