#!/usr/bin/env bash
# Issue 18 (REQ2): reconcile --scope billed against the sandbox.  Billed to
# date per commitment line ties after a sync (amounts to the cent against
# NetSuite's bill lines and Procore's items); a bill edited after its
# requisition is locked is parked and explains its row; an item billed in
# Procore by an admin shows as a difference and exits 1.
# Usage: test_reconcile_billed.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
world_start
world_tenant acme
company=$(jq .procore.company_id "$DATA/credentials.json")
tok=$(pc_token)
for f in vendors purchase-orders requisitions; do "$BIN" sync acme --flow $f >/dev/null 2>&1 || true; done

# --- ties after a sync -------------------------------------------------------------------------
run "$BIN" reconcile acme --scope billed --format json
expect_rc 0 "billed ties out after a sync"
rep=$OUT
expect_eq "$(jq -r .scope <<<"$rep")" billed "the billed report"
expect_eq "$(jq .differences <<<"$rep")" 0 "no difference"
rows=$(jq '[.rows[] | select(.procore != "0.00")] | length' <<<"$rep")
if [ "$rows" -gt 0 ]; then ok "$rows commitment lines billed on both sides"; else not_ok "lines billed" "none: $rep"; fi
# NetSuite's column is every bill line from a PO on a linked job, to the cent
jobs=$(jq '[.projects[].netsuite_job_id]' "$DATA/seed.json")
want=$(ns_admin GET /_sandbox/netsuite/dump/transactionline | jq --argjson j "$jobs" \
  '[.rows[] | select(.mainline == "F" and .createdfrom != null and (.entity as $e | $j | index($e))) | .netamount * 100 | round] | add')
got=$(jq '[.rows[].netsuite | tonumber * 100 | round] | add' <<<"$rep")
expect_eq "$got" "$want" "the NetSuite column sums the bill lines to the cent"
# Procore's column is the work completed on the requisitions of connector-made commitments
want=$(pc_admin GET /_sandbox/state/requisition_items | jq '[.[] | .work_completed_this_period | tonumber * 100 | round] | add')
got=$(jq '[.rows[].procore | tonumber * 100 | round] | add' <<<"$rep")
expect_eq "$got" "$want" "the Procore column sums the requisition items to the cent"
expect_eq "$(jq '[.rows[] | select((.netsuite | tonumber) - (.parked | tonumber) != (.procore | tonumber))] | length' <<<"$rep")" 0 "every row: NetSuite less parked is Procore"
nparked=$(jq '.parked_bills | length' <<<"$rep")
expect_eq "$nparked" "$(store_sql "$WORK/ml-connector.db" "select count(*) from review where entity = 'requisition' and state = 'open'")" "the parked bills are listed"
run "$BIN" reconcile acme --scope billed
expect_rc 0 "table"
expect_out "commitment lines tie out" "the table counts the lines that tie"
run "$BIN" reconcile acme --scope billed --format csv
expect_out "project_id,line,line_item_id,netsuite,procore,variance,parked,cause,parked_bills" "csv header"
run "$BIN" reconcile acme --scope billed --period 2026-01
expect_rc 1 "billed to date takes no period"
run "$BIN" reconcile acme --scope nope
expect_rc 2 "an unknown scope is a usage error"

# --- a bill edited after its requisition is locked: parked, and it explains its rows ------------
reqs=$(pc_admin GET /_sandbox/state/requisitions)
bill=$(jq -r '[.[] | select((.origin_id // "") | startswith("ns:bill:"))] | sort_by(.id) | .[0].origin_id | ltrimstr("ns:bill:")' <<<"$reqs")
line=$(ns_admin GET /_sandbox/netsuite/dump/transactionline | jq --argjson b "$bill" '[.rows[] | select(.transaction == $b and .mainline == "F")][0]')
ns_admin PATCH "/_sandbox/netsuite/records/vendorBill/$bill" "{\"item\":{\"items\":[{\"line\":$(jq .id <<<"$line"),\"quantity\":1,\"rate\":100.10,\"amount\":100.10}]}}" >/dev/null
"$BIN" sync acme --flow requisitions >/dev/null 2>&1 || true
run "$BIN" reconcile acme --scope billed --format json
expect_rc 0 "a parked bill explains its difference"
key="ns:poline:$(jq .createdfrom <<<"$line"):$(jq .id <<<"$line")"
row=$(jq -c --arg k "$key" '[.rows[] | select(.line == $k)][0]' <<<"$OUT")
expect_eq "$(jq -r '.parked_bills | join(",")' <<<"$row")" "ns:bill:$bill" "the row names the parked bill"
old=$(jq -r '.netamount * 100 | round' <<<"$line")
expect_eq "$(jq -r '.variance | tonumber * 100 | round' <<<"$row")" "$((10010 - old))" "its variance is the edit, to the cent"
expect_eq "$(jq -r .parked <<<"$row")" "$(jq -r .variance <<<"$row")" "all of it explained by the park"

# --- an item billed in Procore by an admin: a difference, exit 1 --------------------------------
rid=$(jq -r --arg o "ns:bill:$bill" '[.[] | select(.origin_id == $o)][0] | "\(.id) \(.project_id) \(.commitment_id)"' <<<"$reqs")
read -r rid pid cid <<<"$rid"
new=$(curl -sf -X POST "$PC_URL/rest/v1.0/requisitions" -H "Authorization: Bearer $tok" -H "Procore-Company-Id: $company" \
  -H 'Content-Type: application/json' -d "{\"project_id\":$pid,\"commitment_id\":$cid,\"requisition\":{\"invoice_number\":\"PC-ADMIN-1\"}}" | jq .id)
item=$(pc_api GET "/rest/v1.0/requisitions/$new/contract_items?project_id=$pid" | jq -c '.[0]')
pc_api PATCH "/rest/v1.0/requisitions/$new/bulk_item_update?project_id=$pid" \
  "{\"requisition_items\":[{\"id\":$(jq .id <<<"$item"),\"item_type\":\"contract_item\",\"work_completed_this_period\":\"12.34\"}]}" >/dev/null
run "$BIN" reconcile acme --scope billed --format json
expect_rc 1 "an admin's item in Procore is a difference: exit 1"
expect_eq "$(jq .differences <<<"$OUT")" 1 "one difference"
row=$(jq -c --argjson li "$(jq .line_item_id <<<"$item")" '[.rows[] | select(.line_item_id == $li)][0]' <<<"$OUT")
grep -q "Procore's requisitions hold more" <<<"$(jq -r .cause <<<"$row")" && ok "with its cause" || not_ok "cause" "$row"
before=$(jq -c --arg l "$(jq -r .line <<<"$row")" '[.rows[] | select(.line == $l)][0]' <<<"$rep")
expect_eq "$(jq -r '(.procore | tonumber * 100 | round)' <<<"$row")" "$(( $(jq -r '(.procore | tonumber * 100 | round)' <<<"$before") + 1234 ))" "Procore's column grew by the item, to the cent"
run "$BIN" reconcile acme --scope billed
expect_rc 1 "the table exits 1 too"
expect_out "Procore's requisitions hold more" "and names the cause"
finish
