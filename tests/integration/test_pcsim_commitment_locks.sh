#!/usr/bin/env bash
# Issue 18 (CCO part) against the Procore simulator: the SOV and contract company of
# locked commitments and change orders (docs/reference/procore/webhook-payloads.md 6.1),
# the "Restrict non-draft edits" company setting, change orders with v2.0 lines and the
# commitment's revised value.
# Usage: test_pcsim_commitment_locks.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
world_start
company=$(jq .procore.company_id "$DATA/credentials.json")
tok=$(pc_token)
# api METHOD PATH [BODY]: prints "STATUS BODY" (4xx included)
api() {
  curl -sg -o "$WORLD/body" -w '%{http_code}' -X "$1" "$PC_URL$2" -H "Authorization: Bearer $tok" \
    -H "Procore-Company-Id: $company" -H 'Content-Type: application/json' ${3:+-d "$3"} >"$WORLD/code"
  echo "$(cat "$WORLD/code") $(cat "$WORLD/body")"
}
project=$(pc_admin GET /_sandbox/state/projects | jq --argjson c "$company" '[.[] | select(._company_id == $c)][0].id')
cc=$(pc_admin GET /_sandbox/state/cost_codes | jq --argjson p "$project" '[.[] | select(._project_id == $p and .parent != null)][0].id // ([.[] | select(._project_id == $p)][-1].id)')
lit=$(pc_admin GET /_sandbox/state/line_item_types | jq --argjson c "$company" '[.[] | select(._company_id == $c)][0].id')
vendors=$(pc_admin GET /_sandbox/state/vendors | jq -c --argjson c "$company" '[.[] | select(._company_id == $c) | .id][0:2]')
v1=$(jq '.[0]' <<<"$vendors"); v2=$(jq '.[1]' <<<"$vendors")

# a Draft commitment takes lines; the same in Submitted does not (restrict on by default)
r=$(api POST /rest/v1.0/purchase_order_contracts "{\"project_id\":$project,\"purchase_order_contract\":{\"title\":\"lock test\",\"status\":\"Draft\",\"vendor_id\":$v1}}")
expect_eq "${r%% *}" 201 "a Draft commitment is created"
po=$(jq .id <<<"${r#* }")
r=$(api POST "/rest/v1.0/purchase_order_contracts/$po/line_items" "{\"project_id\":$project,\"line_item\":{\"amount\":\"1000.00\",\"cost_code_id\":$cc,\"line_item_type_id\":$lit}}")
expect_eq "${r%% *}" 201 "Draft: a line is added in place"
line=$(jq .id <<<"${r#* }")
r=$(api PATCH "/rest/v1.0/purchase_order_contracts/$po" "{\"project_id\":$project,\"purchase_order_contract\":{\"status\":\"Submitted\"}}")
expect_eq "${r%% *}" 200 "its status moves to Submitted"
r=$(api POST "/rest/v1.0/purchase_order_contracts/$po/line_items" "{\"project_id\":$project,\"line_item\":{\"amount\":\"5.00\",\"cost_code_id\":$cc,\"line_item_type_id\":$lit}}")
expect_eq "${r%% *}" 422 "Submitted under the restrict setting: a new line is refused with 422"
if grep -q "change order" <<<"$(jq -r '.errors.base[0]' <<<"${r#* }")"; then ok "the 422 names the way out"; else not_ok "the 422 names the way out" "${r#* }"; fi
r=$(api PATCH "/rest/v1.0/purchase_order_contracts/$po/line_items/sync?project_id=$project" "{\"updates\":[{\"id\":$line,\"amount\":\"2000.00\"}]}")
expect_eq "$(jq -r '"\(.entities | length),\(.errors | length)"' <<<"${r#* }")" "0,1" "sync: the locked line is a per-record error"
r=$(api PATCH "/rest/v1.0/purchase_order_contracts/$po" "{\"project_id\":$project,\"purchase_order_contract\":{\"vendor_id\":$v2}}")
expect_eq "${r%% *}" 422 "the contract company of a locked commitment cannot change"
r=$(api PATCH "/rest/v1.0/purchase_order_contracts/$po" "{\"project_id\":$project,\"purchase_order_contract\":{\"title\":\"lock test, renamed\"}}")
expect_eq "${r%% *}" 200 "other header fields still change"

# the setting off: Submitted is editable, Approved stays locked
expect_eq "$(pc_admin POST "/_sandbox/companies/$company/commitment_settings" '{"restrict_non_draft":false}' | jq .restrict_non_draft)" false "restrict setting off"
r=$(api PATCH "/rest/v1.0/purchase_order_contracts/$po/line_items/sync?project_id=$project" "{\"updates\":[{\"id\":$line,\"amount\":\"1200.00\"}]}")
expect_eq "$(jq '.errors | length' <<<"${r#* }")" 0 "setting off: a Submitted commitment's line is edited"
api PATCH "/rest/v1.0/purchase_order_contracts/$po" "{\"project_id\":$project,\"purchase_order_contract\":{\"status\":\"Approved\"}}" >/dev/null
r=$(api PATCH "/rest/v1.0/purchase_order_contracts/$po/line_items/sync?project_id=$project" "{\"updates\":[{\"id\":$line,\"amount\":\"1300.00\"}]}")
expect_eq "$(jq '.errors | length' <<<"${r#* }")" 1 "Approved: locked whatever the setting"
pc_admin POST "/_sandbox/companies/$company/commitment_settings" '{"restrict_non_draft":true}' >/dev/null

# change orders: v1.0 header, v2.0 lines, the revised value counts approved ones only
r=$(api POST "/rest/v1.0/projects/$project/commitment_change_orders" "{\"change_order\":{\"contract_id\":$po,\"number\":\"CO-1\",\"title\":\"more\"}}")
expect_eq "${r%% *}" 201 "a change order is created"
cco=$(jq .id <<<"${r#* }")
expect_eq "$(jq -r .status <<<"${r#* }")" draft "in draft"
wbs=$(pc_admin GET /_sandbox/state/commitment_line_items | jq -r --argjson l "$line" '.[] | select(.id == $l) | .wbs_code.id')
li="/rest/v2.0/companies/$company/projects/$project/commitment_change_orders/$cco/line_items"
r=$(api POST "$li" "{\"amount\":\"-250.25\",\"description\":\"less\"}")
expect_eq "${r%% *}" 400 "a line without wbs_code_id (required by the endpoint file) is refused"
r=$(api POST "$li" "{\"amount\":\"-250.25\",\"wbs_code_id\":\"$wbs\",\"commitment_line_item_id\":\"$line\",\"description\":\"less\"}")
expect_eq "${r%% *}" 201 "a negative change order line"
expect_eq "$(jq -r '.data.id | type' <<<"${r#* }")" string "v2.0 ids are strings"
cl=$(jq -r .data.id <<<"${r#* }")
r=$(api GET "/rest/v1.0/commitments/$po?project_id=$project")
expect_eq "$(jq -r '[.grand_total, .approved_change_orders, .revised_contract] | join(",")' <<<"${r#* }")" "1200.00,0.00,1200.00" "a draft change order does not revise the commitment"
r=$(api PATCH "/rest/v1.0/projects/$project/commitment_change_orders/$cco" '{"change_order":{"status":"approved"}}')
expect_eq "${r%% *}" 200 "the change order is approved"
r=$(api GET "/rest/v1.0/commitments/$po?project_id=$project")
expect_eq "$(jq -r '[.grand_total, .approved_change_orders, .revised_contract] | join(",")' <<<"${r#* }")" "1200.00,-250.25,949.75" "revised = original + approved change orders, to the cent"
r=$(api PATCH "$li/$cl" '{"amount":"-1.00"}')
expect_eq "${r%% *}" 422 "an approved change order's lines are locked"
r=$(api GET "/rest/v1.0/projects/$project/commitment_change_orders?filters[contract_id]=$po")
expect_eq "$(jq -r '[.[] | .number] | join(",")' <<<"${r#* }")" "CO-1" "the contract's change orders by filters[contract_id]"
finish
