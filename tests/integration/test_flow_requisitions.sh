#!/usr/bin/env bash
# Issue 18 (REQ) against the sandbox: the Procore simulator's requisition
# rules (billing periods, the origin_id lock, the non-admin rule, items) and
# the requisitions flow that follows them under pc:lost and ns:lost.
# Usage: test_flow_requisitions.sh BINARY
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
# pc_code METHOD PATH [BODY]: the HTTP status; the body in $WORK/body.json
pc_code() {
  curl -s -o "$WORK/body.json" -w '%{http_code}' -X "$1" "$PC_URL$2" -H "Authorization: Bearer $tok" \
    -H "Procore-Company-Id: $company" -H 'Content-Type: application/json' ${3:+-d "$3"}
}

# --- the simulator's rules -------------------------------------------------------------------
projects=$(pc_admin GET /_sandbox/state/projects | jq --argjson c "$company" '[.[] | select(._company_id == $c) | .id]')
p1=$(jq '.[0]' <<<"$projects")
p2=$(jq '.[1]' <<<"$projects")
bps=$(pc_admin GET /_sandbox/state/billing_periods)
expect_eq "$(jq --argjson p "$p1" '[.[] | select(.project_id == $p) | .status] | sort | join(",")' -r <<<"$bps")" "closed,open" "seed: project 1 has a closed and an open billing period"
expect_eq "$(jq --argjson p "$p2" '[.[] | select(.project_id == $p) | .status] | join(",")' -r <<<"$bps")" "closed" "seed: project 2 has a closed one only"
code=$(pc_code POST "/rest/v1.0/projects/$p1/billing_periods" '{"billing_period":{"start_date":"2026-05-01","end_date":"2026-05-31","due_date":"2026-06-10","status":"open"}}')
expect_eq "$code" 422 "a second open billing period is refused"
grep -q "only one billing period can be open" <<<"$(cat "$WORK/body.json")" && ok "with the reason" || not_ok "reason" "$(cat "$WORK/body.json")"
code=$(pc_code POST "/rest/v1.0/projects/$p1/billing_periods" '{"billing_period":{"start_date":"2026-01-15","end_date":"2026-03-15","due_date":"2026-03-20","status":"closed"}}')
expect_eq "$code" 422 "an overlapping billing period is refused"
wo2=$(pc_admin GET /_sandbox/state/work_order_contracts | jq --argjson p "$p2" '[.[] | select(._project_id == $p)][0].id')
code=$(pc_code POST /rest/v1.0/requisitions "{\"project_id\":$p2,\"commitment_id\":$wo2,\"requisition\":{\"invoice_number\":\"T-1\"}}")
expect_eq "$code" 422 "a requisition without an open billing period is refused"
code=$(pc_code POST "/rest/v1.0/projects/$p2/billing_periods" '{"billing_period":{"start_date":"2026-04-01","end_date":"2026-04-30","due_date":"2026-05-10","status":"open"}}')
expect_eq "$code" 201 "a billing period is created"
bp=$(jq .id "$WORK/body.json")
code=$(pc_code POST /rest/v1.0/requisitions "{\"project_id\":$p2,\"commitment_id\":$wo2,\"requisition\":{\"invoice_number\":\"T-1\"}}")
expect_eq "$code" 201 "then the requisition is created"
req=$(jq .id "$WORK/body.json")
expect_eq "$(jq .period_id "$WORK/body.json")" "$bp" "in the open period"
expect_eq "$(jq -r .requisition_start "$WORK/body.json")" "2026-04-01" "with its dates"
pc_code GET "/rest/v1.0/requisitions/$req/contract_items?project_id=$p2" >/dev/null
items=$(cat "$WORK/body.json")
nlines=$(pc_admin GET /_sandbox/state/commitment_line_items | jq --argjson w "$wo2" '[.[] | select(._holder_id == $w)] | length')
expect_eq "$(jq length <<<"$items")" "$nlines" "one contract item per commitment line"
it=$(jq '.[0].id' <<<"$items")
code=$(pc_code PATCH "/rest/v1.0/requisitions/$req/bulk_item_update?project_id=$p2" "{\"requisition_items\":[{\"id\":$it,\"item_type\":\"contract_item\",\"work_completed_this_period\":\"1234.56\",\"work_completed_retainage_retained_this_period\":\"123.46\"}]}")
expect_eq "$code" 200 "bulk_item_update"
pc_code GET "/rest/v1.0/requisitions/$req?project_id=$p2" >/dev/null
expect_eq "$(jq -r .total_claimed_amount "$WORK/body.json")" "1234.56" "the requisition's claim is its items'"
code=$(pc_code PATCH "/rest/v1.0/requisitions/$req/bulk_item_update?project_id=$p2" "{\"requisition_items\":[{\"id\":$it,\"work_completed_this_period\":\"0\",\"work_completed_retainage_retained_this_period\":\"5.00\"}]}")
expect_eq "$code" 422 "retainage without work completed is refused"
code=$(pc_code PATCH "/rest/v1.0/requisitions/$req/contract_items/$it?project_id=$p2" '{"requisition_contract_item":{"work_completed_this_period":"1000.00"}}')
expect_eq "$code" 200 "the deprecated single-item PATCH still answers"
# the non-admin rule: only the most recent, in draft or revise_and_resubmit
pc_admin POST "/_sandbox/companies/$company/requisition_permissions" '{"admin":false}' >/dev/null
older=$(pc_admin GET /_sandbox/state/requisitions | jq --argjson w "$wo2" '[.[] | select(.commitment_id == $w)] | sort_by(.number) | .[0].id')
code=$(pc_code PATCH "/rest/v1.0/requisitions/$older" "{\"project_id\":$p2,\"commitment_id\":$wo2,\"requisition\":{\"comment\":\"x\"}}")
expect_eq "$code" 403 "non-admin: an older requisition cannot be updated"
code=$(pc_code PATCH "/rest/v1.0/requisitions/$req/bulk_item_update?project_id=$p2" "{\"requisition_items\":[{\"id\":$it,\"work_completed_this_period\":\"10.00\",\"work_completed_retainage_retained_this_period\":\"1.00\"}]}")
expect_eq "$code" 422 "non-admin: retainage is admin only"
code=$(pc_code PATCH "/rest/v1.0/requisitions/$req" "{\"project_id\":$p2,\"commitment_id\":$wo2,\"requisition\":{\"comment\":\"ok\"}}")
expect_eq "$code" 200 "non-admin: the most recent draft can be updated"
pc_admin POST "/_sandbox/companies/$company/requisition_permissions" '{"admin":true}' >/dev/null
# the origin_id lock
code=$(pc_code PATCH "/rest/v1.0/requisitions/$req" "{\"project_id\":$p2,\"commitment_id\":$wo2,\"requisition\":{\"origin_id\":\"test:1\"}}")
expect_eq "$code" 200 "origin_id set"
code=$(pc_code PATCH "/rest/v1.0/requisitions/$req" "{\"project_id\":$p2,\"commitment_id\":$wo2,\"requisition\":{\"comment\":\"late\"}}")
expect_eq "$code" 422 "a requisition with an origin_id is immutable (admin too)"
code=$(pc_code PATCH "/rest/v1.0/requisitions/$req/bulk_item_update?project_id=$p2" "{\"requisition_items\":[{\"id\":$it,\"work_completed_this_period\":\"1.00\"}]}")
expect_eq "$code" 422 "its items too"

# --- the flow under lost answers on both sides -------------------------------------------------
for f in vendors purchase-orders; do "$BIN" sync acme --flow $f >/dev/null 2>&1 || true; done
pc_admin POST /_sandbox/faults '{"faults":"pc:lost=0.3"}' >/dev/null
ns_admin POST /_sandbox/faults '{"faults":"ns:lost=0.2"}' >/dev/null
for i in 1 2 3 4 5 6 7 8; do "$BIN" sync acme --flow requisitions >/dev/null 2>&1 && break || true; done
pc_admin POST /_sandbox/faults '{"faults":""}' >/dev/null
ns_admin POST /_sandbox/faults '{"faults":""}' >/dev/null
run "$BIN" sync acme --flow requisitions --json
expect_rc 0 "requisitions settle after lost answers"
reqs=$(pc_admin GET /_sandbox/state/requisitions)
made=$(jq '[.[] | select((.origin_id // "") | startswith("ns:bill:"))] | length' <<<"$reqs")
if [ "$made" -gt 0 ]; then ok "$made requisitions made from bills"; else not_ok "requisitions made" "none"; fi
expect_eq "$(jq '[.[] | select((.origin_data // "") | startswith("ns:bill:")) | .origin_data] | group_by(.) | map(select(length > 1)) | length' <<<"$reqs")" 0 "no bill has two requisitions"
expect_eq "$(jq '[.[] | select((.origin_data // "") | startswith("ns:bill:")) | select(.origin_id == null)] | length' <<<"$reqs")" 0 "every requisition begun is marked"
# amounts to the cent: each requisition's items are its bill's lines
lines=$(ns_admin GET /_sandbox/netsuite/dump/transactionline)
items=$(pc_admin GET /_sandbox/state/requisition_items)
want=$(jq -r --argjson r "$reqs" '($r | map(select((.origin_id // "") | startswith("ns:bill:"))) | map(.origin_id | ltrimstr("ns:bill:") | tonumber)) as $b
  | [.rows[] | select(.mainline == "F" and (.transaction as $t | $b | index($t)))] | group_by(.transaction)
  | map("\(.[0].transaction) \((map(.netamount * 100 | round) | add))") | sort | .[]' <<<"$lines")
got=$(jq -r --argjson r "$reqs" '($r | map(select((.origin_id // "") | startswith("ns:bill:"))) | map({key: (.id | tostring), value: (.origin_id | ltrimstr("ns:bill:"))}) | from_entries) as $m
  | [.[] | select($m[._holder_id | tostring])] | group_by(._holder_id)
  | map("\($m[.[0]._holder_id | tostring]) \((map(.work_completed_this_period | tonumber * 100 | round) | add))") | sort | .[]' <<<"$items")
if [ -n "$want" ] && [ "$want" = "$got" ]; then ok "every requisition's items sum to its bill to the cent ($(wc -l <<<"$want") bills)"; else not_ok "items match bills" "$(diff <(echo "$want") <(echo "$got") | head -5)"; fi
parked=$(sql "select count(*) from review where entity = 'requisition' and state = 'open'")
reasons=$(sql "select reason from review where entity = 'requisition' and state = 'open'")
if [ "$parked" -eq 0 ]; then ok "no bill parked"
elif grep -q "billing period" <<<"$reasons"; then ok "parked bills name the billing period ($parked)"
else not_ok "park reasons" "$reasons"; fi
reset_stats
run "$BIN" sync acme --flow requisitions --json
expect_eq "$(pc_calls 'PATCH|POST /rest')" 0 "a rerun writes nothing"

# --- a bill edited in NetSuite after its requisition is locked -------------------------------
# The edit keeps the lines' createdfrom (nssim), so the next run reads the bill again and parks it
# with the way out; Procore is not written (no 422 loop), and a rerun parks it once, still silent.
bill=$(jq -r '[.[] | select((.origin_id // "") | startswith("ns:bill:"))] | sort_by(.id) | .[0].origin_id | ltrimstr("ns:bill:")' <<<"$reqs")
rid=$(jq -r --arg o "ns:bill:$bill" '[.[] | select(.origin_id == $o)][0].id' <<<"$reqs")
before=$(pc_admin GET /_sandbox/state/requisition_items | jq -c --argjson r "$rid" '[.[] | select(._holder_id == $r) | .work_completed_this_period] | sort')
line=$(ns_admin GET /_sandbox/netsuite/dump/transactionline | jq --argjson b "$bill" '[.rows[] | select(.transaction == $b and .mainline == "F")][0].id')
ns_admin PATCH "/_sandbox/netsuite/records/vendorBill/$bill" "{\"item\":{\"items\":[{\"line\":$line,\"quantity\":1,\"rate\":100.10,\"amount\":100.10}]}}" >/dev/null
expect_eq "$(ns_admin GET /_sandbox/netsuite/dump/transactionline | jq --argjson b "$bill" '[.rows[] | select(.transaction == $b and .mainline == "F" and .createdfrom == null)] | length')" 0 "the edited bill's lines still name their PO"
reset_stats
run "$BIN" sync acme --flow requisitions --json
expect_rc 0 "the run after the edit succeeds"
expect_eq "$(jq -r --arg s "ns:bill:$bill" '[.plan[]? | select(.source == $s) | .action] | join(",")' <<<"$OUT")" "park" "the edited bill is read and parked"
why=$(sql "select reason from review where entity = 'requisition' and state = 'open' and source_ref = 'ns:bill:$bill'")
grep -q "requisition $rid was locked.*enter a change order or bill it on the next requisition" <<<"$why" && ok "the review names the lock and the way out" || not_ok "park reason" "$why"
expect_eq "$(pc_calls 'PATCH|POST /rest')" 0 "nothing is written to the locked requisition"
reset_stats
run "$BIN" sync acme --flow requisitions --json
expect_eq "$(pc_calls 'PATCH|POST /rest')" 0 "a rerun writes nothing either"
expect_eq "$(sql "select count(*) from review where entity = 'requisition' and state = 'open' and source_ref = 'ns:bill:$bill'")" 1 "one review item for the bill"
expect_eq "$(pc_admin GET /_sandbox/state/requisition_items | jq -c --argjson r "$rid" '[.[] | select(._holder_id == $r) | .work_completed_this_period] | sort')" "$before" "the locked requisition's items are unchanged"

finish
