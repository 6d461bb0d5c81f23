#!/usr/bin/env bash
# Issue 8, mode daily: one journal entry per project per day.
# Usage: test_flow_costs_daily.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
world_start
world_tenant acme
world_costs_mappings acme
"$BIN" tenant set acme --setting costs.mode='"daily"' >/dev/null
# the figure counts direct costs; payment applications post per document (test_flow_costs)
"$BIN" tenant set acme --setting costs.payment_applications=false >/dev/null
company=$(jq .procore.company_id "$DATA/credentials.json")

# project-days with approved costs, from the sandbox's own state
days=$(pc_admin GET /_sandbox/state/direct_costs | jq --argjson c "$company" \
  '[.[] | select(._company_id == $c and .status == "approved") | "\(._project_id)|\(.direct_cost_date)"] | unique | length')

run "$BIN" sync acme --flow costs --dry-run --json
expect_rc 0 "daily dry run"
expect_eq "$(ns_calls 'PUT|POST /services/rest/record')" 0 "dry run writes nothing"
reset_stats
run "$BIN" sync acme --flow costs --json
expect_rc 0 "daily initial load"
expect_le "$(ns_calls 'PUT|POST /services/rest/record')" "$days" "NetSuite writes <= project-days with approved costs"
jes=$(ns_admin GET /_sandbox/netsuite/dump/transaction | jq --arg p "pc:$company:" '[.rows[] | select(.type == "Journal" and (.externalid // "" | startswith($p)))] | length')
expect_eq "$jes" "$days" "one journal entry per project-day"
if ns_admin GET /_sandbox/netsuite/dump/transaction | jq -e '[.rows[] | select(.type == "Journal") | .externalid] | all(test(":je:[0-9]{4}-[0-9]{2}-[0-9]{2}$"))' >/dev/null; then
  ok "externalIds are per project-day"; else not_ok "externalIds are per project-day"; fi
run "$BIN" reconcile acme
expect_rc 0 "reconcile ties out in daily mode"
reset_stats
run "$BIN" sync acme --flow costs
expect_eq "$(ns_calls 'PUT|POST /services/rest/record')" 0 "second run writes nothing"

# a new approved cost on a day that already has an entry: that day's entry is rewritten
project=$(jq '.projects[0].procore_project_id' "$DATA/seed.json")
day=$(pc_admin GET /_sandbox/state/direct_costs | jq -r --argjson p "$project" '[.[] | select(._project_id == $p and .status == "approved")][0].direct_cost_date')
cc=$(pc_admin GET /_sandbox/state/cost_codes | jq --argjson p "$project" '[.[] | select(.biller_id == $p and .full_code == "03-300")][0].id')
lit=$(pc_admin GET /_sandbox/state/line_item_types | jq '[.[] | select(.code == "M")][0].id')
vendor=$(pc_admin GET /_sandbox/state/vendors | jq --argjson c "$company" '[.[] | select(._company_id == $c)][0].id')
dc=$(pc_admin POST /_sandbox/direct_costs "{\"project_id\":$project,\"invoice_number\":\"DAY-1\",\"vendor_id\":$vendor,\"direct_cost_type\":\"expense\",\"direct_cost_date\":\"$day\",\"line_items\":[{\"amount\":\"123.45\",\"cost_code_id\":$cc,\"line_item_type_id\":$lit}]}" | jq .id)
pc_admin POST "/_sandbox/direct_costs/$dc/approve" >/dev/null
reset_stats
run "$BIN" sync acme --flow costs --json
expect_eq "$(ns_calls 'PUT /services/rest/record')" 1 "one write for the touched day"
expect_eq "$(jq '[.plan[] | select(.action == "update")] | length' <<<"$OUT")" 1 "the day's entry is updated"
run "$BIN" reconcile acme
expect_rc 0 "reconcile ties out after the new cost"
finish
