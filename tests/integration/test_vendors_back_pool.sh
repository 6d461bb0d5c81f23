#!/usr/bin/env bash
# Issue 20, "NetSuite's pool kept full": vendors-back sends its NetSuite
# writes concurrently through the account's pool.  With sandbox latency, a
# bulk of new Procore vendors fills the pool (the sandbox's max_in_flight
# reaches the pool's size and never passes it; no 429 of our own making),
# keeps it busy while the bulk write lasts (write_busy, a time-weighted
# ratio robust to machine speed), and the records are applied in order:
# each vendor made once in NetSuite, linked both ways, audited once.  Under
# lost replies and 5xx answers every vendor still ends up exactly once.
# Usage: test_vendors_back_pool.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
world_start
world_tenant acme
DB=$WORK/ml-connector.db
sql() { store_sql "$DB" "$1"; }
company=$(jq .procore.company_id "$DATA/credentials.json")
tok=$(pc_token)
ns_upserts() { ns_calls '^PUT /services/rest/record'; }
# prefix: the vendors named "<prefix> NN ..." in NetSuite / Procore
ns_named() { ns_admin GET /_sandbox/netsuite/dump/vendor | jq -c --arg re "$1" '[.rows[] | select(.companyname | test($re; "i"))]'; }
pc_named() { pc_admin GET /_sandbox/state/vendors | jq -c --argjson c "$company" --arg re "$1" '[.[] | select(._company_id == $c and (.name | test($re; "i")))]'; }
pc_vendors() { # PREFIX COUNT: vendors made in Procore's UI (no origin_id)
  local i
  for i in $(seq -w 1 "$2"); do
    pc_api POST /rest/v1.0/vendors "{\"company_id\":$company,\"vendor\":{\"name\":\"$1 $i Supply Co\"}}" >/dev/null
  done
}
# each_once PREFIX COUNT NAME: every vendor of the bulk is in NetSuite once, its
# Procore vendor carries the link back, and the id map holds the pair once
each_once() {
  local ns pc
  ns=$(ns_named "^$1 ")
  pc=$(pc_named "^$1 ")
  expect_eq "$(jq length <<<"$ns")" "$2" "$3: $2 vendors in NetSuite"
  expect_eq "$(jq '[.[].companyname | ascii_downcase] | unique | length' <<<"$ns")" "$2" "$3: each of them once"
  expect_eq "$(jq '[.[] | .externalid] | map(select(test("^pc:[0-9]+:vendor:[0-9]+$"))) | unique | length' <<<"$ns")" "$2" "$3: each with its own externalId"
  expect_eq "$(jq --argjson ns "$ns" '[.[] | select(.origin_id as $o | $ns | any("ns:vendor:\(.id)" == $o))] | length' <<<"$pc")" "$2" "$3: every Procore vendor linked to its NetSuite vendor"
  expect_eq "$(sql "select count(*) from id_map where entity = 'vendor' and procore_key in ($(jq -r '[.[].id | "\u0027\(.)\u0027"] | join(",")' <<<"$pc"))")" "$2" "$3: one id map row each"
}

"$BIN" tenant set acme --setting vendors_back.enabled=true >/dev/null
run "$BIN" sync acme --flow vendors --json
expect_rc 0 "forward load"
run "$BIN" sync acme --flow vendors-back --json
expect_rc 0 "vendors-back load"
"$BIN" sync acme --flow vendors-back >/dev/null 2>&1 || true # the echoes of the load

# --- a bulk of 60 new Procore vendors: 60 upserts (and 60 reads back) -----------------------
pc_vendors "Pool Bulk" 60
ns_admin POST /_sandbox/faults '{"faults":"","latency_ms":30}' >/dev/null
reset_stats
run "$BIN" sync acme --flow vendors-back --json
expect_rc 0 "bulk vendors-back"
ns_admin POST /_sandbox/faults '{"faults":"","latency_ms":0}' >/dev/null
busy=$(ns_admin GET /_sandbox/busy)
stats=$(ns_admin GET /_sandbox/stats)
limit=$(jq .limit <<<"$busy")
expect_eq "$(jq .stats.created <<<"$OUT")" 60 "60 vendors created"
expect_eq "$(ns_upserts)" 60 "60 NetSuite upserts, none sent twice"
expect_eq "$(jq .max_in_flight <<<"$busy")" "$limit" "the pool was full: $limit requests in flight at once"
expect_eq "$(jq .max_concurrency <<<"$stats")" "$limit" "and never more than the pool's $limit"
expect_eq "$(jq .rejected_429 <<<"$stats")" 0 "no 429 of our own making"
wb=$(jq '.write_busy * 100 | floor' <<<"$busy")
if [ "$wb" -ge 90 ]; then ok "the pool was kept busy while the bulk write lasted ($wb%)"; else not_ok "pool busy while writing" "write_busy $wb% < 90%: $busy"; fi
each_once "Pool Bulk" 60 "bulk"
bulk_run=$(sql "select max(run_id) from audit where flow = 'vendors-back'")
expect_eq "$(sql "select count(*) from audit where run_id = $bulk_run and action = 'create'")" 60 "one create audit row per vendor"
expect_eq "$(sql "select count(*) from audit where run_id = $bulk_run and action = 'create' and (attempt is null or attempt < 1 or request_summary not like 'PUT /services/rest/record/v1/vendor/eid:%')")" 0 "each create's audit row names its own upsert"
# in order: the audit rows follow the order Procore lists the vendors in (the order read)
listed=$(pc_api GET "/rest/v1.0/vendors?company_id=$company&per_page=1000" | jq -r '.[] | select(.name | test("^Pool Bulk ")) | "pc:vendor:\(.id)"')
expect_eq "$(sql "select source_ref from audit where run_id = $bulk_run and action = 'create' order by id")" "$listed" "records applied in the order they were read"

# --- faults: lost replies and 5xx on NetSuite; every vendor still exactly once ----------------
pc_vendors "Pool Fault" 40
ns_admin POST /_sandbox/faults '{"faults":"ns:lost=0.1,ns:5xx=0.1","latency_ms":5}' >/dev/null
reset_stats
run "$BIN" sync acme --flow vendors-back --json
echo "# faulted run: exit $RC, $(jq -c .stats <<<"$OUT" 2>/dev/null || echo "{}")"
sent=$(ns_upserts)
ns_admin POST /_sandbox/faults '{"faults":"","latency_ms":0}' >/dev/null
[ "$sent" -gt 40 ] && ok "the faults hit the upserts ($sent sent for 40 vendors)" || not_ok "faults hit the upserts" "only $sent upserts sent"
for _ in 1 2 3; do
  run "$BIN" sync acme --flow vendors-back --json
  [ "$RC" -eq 0 ] && break
done
expect_rc 0 "vendors-back after the faults"
each_once "Pool Fault" 40 "faults"
expect_eq "$(sql "select count(*) from (select source_ref from audit where flow = 'vendors-back' and action = 'create' group by source_ref having count(*) > 1) as twice")" 0 "no vendor audited as created twice"
run "$BIN" sync acme --flow vendors-back --json
expect_rc 0 "rerun"
expect_eq "$(jq .stats.created <<<"$OUT")" 0 "a rerun creates nothing"
finish
