#!/usr/bin/env bash
# Issue 18 (INV) against the sandbox: an approved Procore requisition
# becomes one NetSuite vendor bill against its commitment's PO (flow
# sub-invoices, master.requisitions=procore): lines by cost code to the
# cent, the retention on its own line, exactly one bill under pc:lost and
# ns:lost, 0 writes on a rerun, an edit after approval updates the bill,
# and the direction setting refuses to run both flows.
# Usage: test_sub_invoices.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
world_start
world_tenant acme
world_costs_mappings acme
DB=$WORK/ml-connector.db
sql() { store_sql "$DB" "$1"; }
company=$(jq .procore.company_id "$DATA/credentials.json")
tok=$(pc_token)
# the retainage payable (2300, OthCurrLiab in the sandbox chart)
ret_acct=$(ns_admin GET /_sandbox/netsuite/dump/account | jq '.rows[] | select(.acctnumber == "2300") | .id')
printf 'document_type,account\nrequisition.retainage,%s\n' "$ret_acct" >"$WORK/ret.csv"
"$BIN" mapping import acme offset-account "$WORK/ret.csv" >/dev/null
for f in vendors purchase-orders; do "$BIN" sync acme --flow $f >/dev/null 2>&1 || true; done

# --- the direction setting -----------------------------------------------------------------------
out=$("$BIN" sync acme --flow sub-invoices 2>/dev/null)
grep -q "skipped: master.requisitions is netsuite" <<<"$out" && ok "default netsuite: sub-invoices says it skipped" || not_ok "skip reason" "$out"
grep -q "twice" <<<"$out" && ok "and why (double counting)" || not_ok "why" "$out"
"$BIN" tenant set acme --setting master.requisitions='"procore"' >/dev/null
out=$("$BIN" sync acme --flow requisitions --json 2>/dev/null)
expect_eq "$(jq -r '.plan[0].reason' <<<"$out" | cut -c1-40)" "skipped: master.requisitions is procore " "procore: requisitions says it skipped"
expect_eq "$(jq '.calls.netsuite.reads + .calls.procore.reads' <<<"$out")" 0 "and reads nothing"
"$BIN" tenant set acme --setting master.requisitions='"both"' >/dev/null
run "$BIN" sync acme --flow sub-invoices
if [ "$RC" -ne 0 ]; then ok "an unknown direction is refused"; else not_ok "unknown direction" "$OUT"; fi
"$BIN" tenant set acme --setting master.requisitions='"procore"' >/dev/null

# --- an approved requisition with items on a synced commitment ---------------------------------
k=$(sql "select procore_key from id_map where entity = 'po' and procore_key is not null order by netsuite_key limit 1")
po=$(sql "select netsuite_key from id_map where entity = 'po' and procore_key = '$k'")
project=$(pc_admin GET /_sandbox/state/purchase_order_contracts | jq --argjson k "$k" '.[] | select(.id == $k) | ._project_id')
open=$(pc_admin GET /_sandbox/state/billing_periods | jq --argjson p "$project" '[.[] | select(.project_id == $p and .status == "open")] | length')
if [ "$open" = 0 ]; then
  pc_api POST "/rest/v1.0/projects/$project/billing_periods" '{"billing_period":{"start_date":"2026-11-01","end_date":"2026-11-30","due_date":"2026-12-10","status":"open"}}' >/dev/null
fi
req=$(pc_api POST /rest/v1.0/requisitions "{\"project_id\":$project,\"commitment_id\":$k,\"requisition\":{\"invoice_number\":\"SUB-77\",\"billing_date\":\"2026-03-15\"}}" | jq .id)
items=$(pc_api GET "/rest/v1.0/requisitions/$req/contract_items?project_id=$project")
i1=$(jq '.[0].id' <<<"$items"); i2=$(jq '.[1].id' <<<"$items")
pc_api PATCH "/rest/v1.0/requisitions/$req/bulk_item_update?project_id=$project" "{\"requisition_items\":[{\"id\":$i1,\"item_type\":\"contract_item\",\"work_completed_this_period\":\"1234.56\",\"work_completed_retainage_retained_this_period\":\"123.46\"},{\"id\":$i2,\"item_type\":\"contract_item\",\"work_completed_this_period\":\"100.01\",\"work_completed_retainage_retained_this_period\":\"0.00\"}]}" >/dev/null
pc_api PATCH "/rest/v1.0/requisitions/$req" "{\"project_id\":$project,\"commitment_id\":$k,\"requisition\":{\"status\":\"approved\"}}" >/dev/null
eid="pc:$company:requisition:$req"

# --- the flow under lost answers on both sides ---------------------------------------------------
pc_admin POST /_sandbox/faults '{"faults":"pc:lost=0.3"}' >/dev/null
ns_admin POST /_sandbox/faults '{"faults":"ns:lost=0.3"}' >/dev/null
for i in 1 2 3 4 5 6 7 8; do "$BIN" sync acme --flow sub-invoices --full >/dev/null 2>&1 && break || true; done
pc_admin POST /_sandbox/faults '{"faults":""}' >/dev/null
ns_admin POST /_sandbox/faults '{"faults":""}' >/dev/null
run "$BIN" sync acme --flow sub-invoices --full --json
expect_rc 0 "sub-invoices settle after lost answers"
bills=$(ns_admin GET /_sandbox/netsuite/dump/transaction | jq -c --arg e "$eid" '[.rows[] | select(.externalid == $e)]')
expect_eq "$(jq length <<<"$bills")" 1 "exactly one vendor bill for the requisition"
bill=$(jq '.[0].id' <<<"$bills")
expect_eq "$(jq -r '.[0].type' <<<"$bills")" "VendBill" "a vendor bill"
vendor=$(ns_admin GET /_sandbox/netsuite/dump/transaction | jq --argjson p "$po" '.rows[] | select(.id == $p) | .entity')
expect_eq "$(jq '.[0].entity' <<<"$bills")" "$vendor" "the PO's vendor"
expect_eq "$(jq -r '.[0].trandate' <<<"$bills" | cut -c1-10)" "2026-03-15" "dated the billing date"
expect_eq "$(jq -r '.[0].tranid' <<<"$bills")" "SUB-77" "the invoice number as the bill's number"
lines=$(ns_admin GET /_sandbox/netsuite/dump/transactionline | jq -c --argjson b "$bill" '[.rows[] | select(.transaction == $b and .mainline == "F")]')
expect_eq "$(jq -c '[.[] | .foreignamount * 100 | round] | sort' <<<"$lines")" "[-12346,10001,123456]" "lines to the cent: two cost codes and the retention"
expect_eq "$(jq --argjson a "$ret_acct" '[.[] | select(.expenseaccount == $a) | .foreignamount * 100 | round] | .[0]' <<<"$lines")" "-12346" "the retention on its own line, on the retainage payable"
link=$(jq --argjson p "$project" '.projects[] | select(.procore_project_id == $p)' "$DATA/seed.json")
expect_eq "$(jq -c '[.[] | .department] | unique' <<<"$lines")" "[$(jq .department_id <<<"$link")]" "every line on the link's department"
expect_eq "$(jq -r '.[0].foreigntotal' <<<"$bills")" "1211.11" "the bill's total is what is payable now"
expect_eq "$(sql "select count(*) from review where entity = 'sub-invoice' and source_ref = '$eid' and state = 'open'")" 0 "not parked"

# --- a rerun writes nothing; an edit after approval updates the same bill --------------------------
reset_stats
run "$BIN" sync acme --flow sub-invoices --full --json
expect_eq "$(ns_calls 'PUT|PATCH|DELETE|POST .*record')" 0 "a rerun writes nothing to NetSuite"
expect_eq "$(pc_calls 'PATCH|POST /rest')" 0 "nor to Procore"
pc_api PATCH "/rest/v1.0/requisitions/$req/bulk_item_update?project_id=$project" "{\"requisition_items\":[{\"id\":$i2,\"work_completed_this_period\":\"100.02\",\"work_completed_retainage_retained_this_period\":\"0.00\"}]}" >/dev/null
run "$BIN" sync acme --flow sub-invoices --json
expect_eq "$(jq .stats.updated <<<"$OUT")" 1 "an edit after approval updates the bill (period open)"
expect_eq "$(ns_admin GET /_sandbox/netsuite/dump/transaction | jq -c --arg e "$eid" '[.rows[] | select(.externalid == $e) | .foreigntotal]')" "[1211.12]" "still one bill, a cent more"

finish
