#!/usr/bin/env bash
# Issue 21: every retry in the audit.  Writes go out under injected 5xx and
# connection resets (each side in turn); each audit row of a write carries
# the write's attempts and what each retried attempt got.  The sandbox
# counts what every route answered (/_sandbox/stats calls_status, faults
# included, 0 = connection dropped): the audit's attempts per write route
# must add up to the sandbox's requests to that route, and the retried
# answers must be exactly the sandbox's answers other than the last one.
# Usage: test_audit_retries.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
world_start
trap sandbox_cleanup EXIT
world_tenant acme
world_costs_mappings acme
DB=$WORK/ml-connector.db

# sandbox answers of write routes: "METHOD route code count" lines (token
# requests and SuiteQL queries are POSTs that only read)
sandbox_writes() { # URL
  curl -sf "$1/_sandbox/stats" | jq -r '.calls_status | to_entries[] | select(.key | test("^GET |/token$|/suiteql$") | not) |
    .key as $r | .value | to_entries[] | "\($r)\t\(.key)\t\(.value)"'
}

# check SIDE URL FLOW...: runs each flow under faults on SIDE, then compares
check() {
  local side=$1 url=$2 prefix sends attempts retried_sb retried_audit errors; shift 2
  prefix=$([ "$side" = ns ] && echo /services/ || echo /rest/)
  store_sql "$DB" "delete from audit"
  curl -sf -X POST "$NS_URL/_sandbox/reset-stats" >/dev/null
  curl -sf -X POST "$PC_URL/_sandbox/reset-stats" >/dev/null
  curl -sf -X POST "$url/_sandbox/faults" -d "{\"faults\":\"$side:5xx=0.1,$side:reset=0.05\"}" >/dev/null
  for f in "$@"; do "$BIN" sync acme --flow "$f" >>"$WORK/sync.log" 2>&1 || true; done
  curl -sf -X POST "$url/_sandbox/faults" -d '{"faults":""}' >/dev/null
  sandbox_writes "$url" >"$WORK/$side.answers"
  # the connector's writes to this side, from the audit
  store_sql "$DB" "select attempt || '|' || coalesce(request_summary, '') || '|' || result from audit
    where request_summary like '% $prefix%'" >"$WORK/$side.audit"
  sends=$(awk -F'\t' '{n += $3} END {print n + 0}' "$WORK/$side.answers")
  attempts=$(awk -F'|' '{n += $1} END {print n + 0}' "$WORK/$side.audit")
  errors=$(awk -F'|' '$3 == "error"' "$WORK/$side.audit" | wc -l)
  # what the sandbox answered other than 2xx, as the connector names it
  retried_sb=$(awk -F'\t' '$2 !~ /^2/ {for (i = 0; i < $3; i++) print ($2 == "0" ? "reset" : $2)}' "$WORK/$side.answers" | sort | paste -sd, -)
  retried_audit=$(sed -n 's/.*; retried //p' "$WORK/$side.audit" | cut -d'|' -f1 | tr , '\n' | sort | paste -sd, -)
  if [ "$sends" -gt 0 ]; then ok "$side: writes went out under faults ($sends requests)"; else not_ok "$side: writes went out" "none"; fi
  if [ -n "$retried_sb" ]; then ok "$side: faults hit writes ($retried_sb)"; else not_ok "$side: faults hit writes" "none injected"; fi
  expect_eq "$errors" 0 "$side: every write landed in the end"
  expect_eq "$attempts" "$sends" "$side: the audit's attempts add up to the sandbox's write requests"
  expect_eq "$retried_audit" "$retried_sb" "$side: the audit names every retried answer"
}

# requisitions stay out: their POST is not retried after a 5xx yet (issue 21, item 2)
check pc "$PC_URL" vendors cost-codes budgets purchase-orders
check ns "$NS_URL" costs
finish
