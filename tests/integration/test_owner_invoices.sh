#!/usr/bin/env bash
# Issue 18 (owner invoices) against the sandbox: the simulator's locks on
# records an ERP owns, and owner invoice contract items posted by cost code
# (revenue, receivable, retainage) to the cent, under lost answers, with 0
# writes on a rerun, nothing written back to Procore, reconcile tying out.
# Usage: test_owner_invoices.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
world_start
world_tenant acme
world_costs_mappings acme
company=$(jq .procore.company_id "$DATA/credentials.json")
project=$(jq '.projects[0].procore_project_id' "$DATA/seed.json")
tok=$(pc_token)
# status of an API call (the body is not needed)
pc_status() {
  curl -s -o /dev/null -w '%{http_code}' -X "$1" "$PC_URL$2" -H "Authorization: Bearer $tok" \
    -H "Procore-Company-Id: $company" -H 'Content-Type: application/json' ${3:+-d "$3"}
}
je_of() { ns_admin GET /_sandbox/netsuite/dump/transaction | jq -c "[.rows[] | select(.externalid == \"$1\")]"; }
cents() { jq -r "$1 | tonumber * 100 | round"; }

pas=$(pc_admin GET /_sandbox/state/payment_applications | jq -c --argjson p "$project" '[.[] | select(._project_id == $p)]')
pa=$(jq -c '[.[] | select(.status == "approved")][0]' <<<"$pas")
pa2=$(jq -c '[.[] | select(.status != "approved")][0]' <<<"$pas")
paid=$(jq .id <<<"$pa")
prime=$(jq .contract.id <<<"$pa")

# --- simulator: prime contract lines by cost code, contract items on the show ------------------
plines=$(pc_api GET "/rest/v1.0/prime_contracts/$prime/line_items?project_id=$project")
expect_eq "$(jq '[.[] | .cost_code.full_code | select(. != null)] | length > 1' <<<"$plines")" true "the prime contract's lines carry cost codes"
expect_eq "$(jq '[.[] | .amount | tonumber * 100 | round] | add' <<<"$plines")" \
  "$(pc_api GET "/rest/v1.0/prime_contract/$prime?project_id=$project" | cents .grand_total)" "the lines sum to the contract"
expect_eq "$(pc_api GET "/rest/v2.0/companies/$company/projects/$project/prime_contracts/$prime/line_items" | jq '.data | length')" \
  "$(jq length <<<"$plines")" "v2.0 lists the same lines"
show=$(pc_api GET "/rest/v1.0/payment_applications/$paid?project_id=$project")
items=$(jq -c '.line_items' <<<"$show")
expect_eq "$(jq length <<<"$items")" "$(jq length <<<"$plines")" "the owner invoice has one contract item per prime contract line"
gross=$(cents .total_amount_accrued_this_period <<<"$pa")
expect_eq "$(jq '[.[] | .work_completed_this_period | tonumber * 100 | round] | add' <<<"$items")" "$gross" "its items sum to its header"

# --- simulator: origin_id locks ---------------------------------------------------------------
pa2id=$(jq .id <<<"$pa2")
expect_eq "$(pc_status PATCH "/rest/v1.0/prime_contracts/$prime/payment_applications/$pa2id" "{\"project_id\":$project,\"payment_application\":{\"invoice_number\":\"OI-EDIT\"}}")" 200 "an owner invoice without origin_id can be updated"
expect_eq "$(pc_status PATCH "/rest/v1.0/prime_contracts/$prime/payment_applications/$pa2id" "{\"project_id\":$project,\"payment_application\":{\"origin_id\":\"erp:oi:$pa2id\"}}")" 200 "an ERP marks it with its origin_id"
expect_eq "$(pc_status PATCH "/rest/v1.0/prime_contracts/$prime/payment_applications/$pa2id" "{\"project_id\":$project,\"payment_application\":{\"invoice_number\":\"OI-AGAIN\"}}")" 422 "then an update answers 422"
li2=$(pc_api GET "/rest/v1.0/payment_applications/$pa2id?project_id=$project" | jq '.line_items[0].id')
expect_eq "$(pc_status PATCH "/rest/v1.0/prime_contracts/$prime/payment_application_line_items/$li2" "{\"project_id\":$project,\"payment_application_line_item\":{\"work_completed_this_period\":\"1.00\"}}")" 422 "and so does an update of its line items"
pay=$(pc_api GET "/rest/v1.0/contract_payments?project_id=$project&contract_id=$prime" | jq '.[0].id')
expect_eq "$(pc_status PATCH "/rest/v1.0/contract_payments/$pay" "{\"project_id\":$project,\"contract_id\":$prime,\"contract_payment\":{\"origin_id\":\"erp:pay:$pay\"}}")" 200 "a payment takes its origin_id"
expect_eq "$(pc_status PATCH "/rest/v1.0/contract_payments/$pay" "{\"project_id\":$project,\"contract_id\":$prime,\"contract_payment\":{\"amount\":\"1.00\"}}")" 422 "a synced payment refuses its amount"
expect_eq "$(pc_status PATCH "/rest/v1.0/contract_payments/$pay" "{\"project_id\":$project,\"contract_id\":$prime,\"contract_payment\":{\"origin_data\":\"batch 7\"}}")" 200 "but takes origin_data"

# --- flow: the contract items posted by cost code, under lost answers ---------------------------
pc_admin POST /_sandbox/faults '{"faults":"pc:lost=0.3"}' >/dev/null
ns_admin POST /_sandbox/faults '{"faults":"ns:lost=0.3"}' >/dev/null
for i in 1 2 3 4 5 6 7 8 9 10; do "$BIN" sync acme --flow costs >/dev/null 2>&1 && break || true; done
pc_admin POST /_sandbox/faults '{"faults":""}' >/dev/null
ns_admin POST /_sandbox/faults '{"faults":""}' >/dev/null
run "$BIN" sync acme --flow costs --json
expect_rc 0 "costs settle after lost answers"
je=$(je_of "pc:$company:pa:$paid")
expect_eq "$(jq length <<<"$je")" 1 "one journal entry for the owner invoice"
tal=$(ns_admin GET /_sandbox/netsuite/dump/transactionaccountingline | jq -c --argjson t "$(jq '.[0].id' <<<"$je")" '[.rows[] | select(.transaction == $t)]')
tl=$(ns_admin GET /_sandbox/netsuite/dump/transactionline | jq -c --argjson t "$(jq '.[0].id' <<<"$je")" '[.rows[] | select(.transaction == $t and .mainline == "F")]')
rev=$(grep '^payment_application.credit,' "$DATA/mappings/offset-account.csv" | cut -d, -f2)
ar=$(grep '^payment_application.debit,' "$DATA/mappings/offset-account.csv" | cut -d, -f2)
ret=$(grep '^payment_application.retainage,' "$DATA/mappings/offset-account.csv" | cut -d, -f2)
held=$(jq '[.[] | .work_completed_retainage_retained_this_period | tonumber * 100 | round] | add' <<<"$items")
expect_eq "$(jq --argjson a "$rev" '[.[] | select(.account == $a) | .credit * 100 | round] | add' <<<"$tal")" "$gross" "revenue credited with the work billed, to the cent"
expect_eq "$(jq --argjson a "$ar" '[.[] | select(.account == $a) | .debit * 100 | round] | add' <<<"$tal")" "$((gross - held))" "receivable debited with the work billed less retainage"
expect_eq "$(jq --argjson a "$ret" '[.[] | select(.account == $a) | .debit * 100 | round] | add' <<<"$tal")" "$held" "retainage receivable debited with the retainage"
expect_eq "$(jq --argjson a "$rev" '[.[] | select(.account == $a)] | length' <<<"$tal")" "$(jq '[.[] | select((.work_completed_this_period | tonumber) != 0)] | length' <<<"$items")" "one revenue line per contract item"
expect_eq "$(jq '[.[] | select((.cseg_mlc_costcode // 0) > 0)] | length' <<<"$tl")" "$(jq 'length' <<<"$tl")" "every line carries a cost-code segment value"
expect_eq "$(jq '[.[] | .cseg_mlc_costcode] | unique | length' <<<"$tl")" "$(jq '[.[] | .cost_code.full_code] | unique | length' <<<"$items")" "the lines are split over the items' cost codes"
expect_eq "$(pc_admin GET /_sandbox/state/payment_applications | jq --argjson i "$paid" '[.[] | select(.id == $i)][0].origin_id')" null "nothing written back to the owner invoice"

reset_stats
run "$BIN" sync acme --flow costs --json
expect_rc 0 "rerun"
expect_eq "$(ns_calls '^(PUT|POST|PATCH|DELETE) /services/rest/record')" 0 "rerun: 0 NetSuite writes"
expect_eq "$(pc_calls '^(POST|PATCH|PUT|DELETE) /rest')" 0 "rerun: 0 Procore writes"
run "$BIN" reconcile acme
expect_rc 0 "reconcile (scope cost) ties out with owner invoice lines posted"

# --- a Procore-side edit after posting: the open period's entry is re-upserted ----------------
li=$(jq '.[0].id' <<<"$items")
was=$(jq '.[0].work_completed_this_period | tonumber * 100 | round' <<<"$items")
pc_api PATCH "/rest/v1.0/prime_contracts/$prime/payment_application_line_items/$li" "{\"project_id\":$project,\"payment_application_line_item\":{\"work_completed_this_period\":\"$(( (was + 1234) / 100 )).$(printf '%02d' $(( (was + 1234) % 100 )))\",\"work_completed_retainage_retained_this_period\":\"0.00\"}}" >/dev/null
reset_stats
run "$BIN" sync acme --flow costs --json
expect_rc 0 "the edited owner invoice is posted again"
je=$(je_of "pc:$company:pa:$paid")
adj=$(je_of "pc:$company:pa:$paid:adj:1")
n=$(( $(jq length <<<"$je") + $(jq length <<<"$adj") ))
expect_le "$(ns_calls 'PUT /services/rest/record')" 1 "one write for the edit"
tid=$(jq 'if length > 0 then .[0].id else 0 end' <<<"$adj")
[ "$tid" = 0 ] && tid=$(jq '.[0].id' <<<"$je")
tal=$(ns_admin GET /_sandbox/netsuite/dump/transactionaccountingline | jq -c --argjson t "$tid" '[.rows[] | select(.transaction == $t)]')
newgross=$(pc_api GET "/rest/v1.0/payment_applications/$paid?project_id=$project" | cents .total_amount_accrued_this_period)
expect_eq "$newgross" "$((gross + 1234))" "the header follows its items"
if [ "$(jq length <<<"$adj")" = 1 ]; then
  expect_eq "$(jq --argjson a "$rev" '[.[] | select(.account == $a) | .credit * 100 | round] | add' <<<"$tal")" 1234 "the adjustment credits revenue with the 12.34 added"
else
  expect_eq "$(jq --argjson a "$rev" '[.[] | select(.account == $a) | .credit * 100 | round] | add' <<<"$tal")" "$newgross" "the entry carries the new revenue"
fi
expect_eq "$n" 1 "still one entry for the invoice (no duplicate)"

# --- lines that do not sum to the header park with the difference -----------------------------
pc_admin POST /_sandbox/payment_applications "{\"project_id\":$project,\"amount\":\"1000.01\"}" >/dev/null
new=$(pc_admin GET /_sandbox/state/payment_applications | jq --argjson p "$project" '[.[] | select(._project_id == $p)] | last')
pc_admin POST "/_sandbox/payment_applications/$(jq .id <<<"$new")/approve" >/dev/null
run "$BIN" sync acme --flow costs --json
expect_eq "$(jq '[.plan[] | select(.action == "park")] | length' <<<"$OUT")" 0 "a new invoice whose lines tie is posted, not parked"
expect_eq "$(jq length <<<"$(je_of "pc:$company:pa:$(jq .id <<<"$new")")")" 1 "and has its entry"
finish
