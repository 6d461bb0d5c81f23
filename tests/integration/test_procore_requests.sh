#!/usr/bin/env bash
# Issue 16 section 2: every Procore request the connector makes, as Procore
# documents it.  Runs the main flows over a seeded sandbox, takes pcsim's
# request log (GET /_sandbox/requests) and hands it to the checker in
# tests/unit/test_procore_requests.c (built beside BINARY), which matches
# each request to its endpoint file in docs/reference/procore/endpoints/
# and checks path, query and body against it (the exceptions are listed
# and explained in that file).
# Usage: test_procore_requests.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
CHECK=$(dirname "$BIN")/test_procore_requests
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
[ -x "$CHECK" ] || { echo "FAIL: the checker $CHECK is not built" >&2; exit 1; }
# the checks are about what is sent, not about pacing: a generous rate limit keeps it quick
world_start --pc-rate 100000/h,10000/10s
world_tenant acme
world_costs_mappings acme
"$BIN" tenant set acme --setting budgets.year='"FY 2026"' >/dev/null
"$BIN" tenant set acme --setting costs.use_segment=true >/dev/null
printf 'Bearer conformance-hook-secret' | "$BIN" secret set acme webhook.procore_authorization >/dev/null
pc_admin DELETE /_sandbox/requests >/dev/null

# A field user's approved direct cost, so the costs flow has something to read and post.
company=$(jq .procore.company_id "$DATA/credentials.json")
project=$(jq '.projects[0].procore_project_id' "$DATA/seed.json")
cc=$(pc_admin GET /_sandbox/state/cost_codes | jq --argjson p "$project" '[.[] | select(.biller_id == $p and .full_code == "03-300")][0].id')
lit=$(pc_admin GET /_sandbox/state/line_item_types | jq '[.[] | select(.code == "M")][0].id')
vendor=$(pc_admin GET /_sandbox/state/vendors | jq --argjson c "$company" '[.[] | select(._company_id == $c)][0].id')
dc=$(pc_admin POST /_sandbox/direct_costs "$(jq -nc --argjson p "$project" --argjson v "$vendor" --argjson cc "$cc" --argjson lit "$lit" \
  '{project_id: $p, invoice_number: "CONF-1", vendor_id: $v, direct_cost_type: "invoice", direct_cost_date: "2026-03-02",
    line_items: [{amount: "125.40", cost_code_id: $cc, line_item_type_id: $lit}]}')" | jq .id)
pc_admin POST "/_sandbox/direct_costs/$dc/approve" >/dev/null

run "$BIN" mapping check acme
expect_rc 0 "mapping check"

# Changes that make the two-way flows write to Procore too: a new NetSuite cost code (project
# and standard lists), a Procore vendor (vendors-back links it back), NetSuite the master of
# budgets (Procore budget changes made: #18, no budget line is rewritten), and one bill-free PO
# vendor left as seeded.
ns_admin POST /_sandbox/netsuite/records/customrecord_cseg_mlc_costcode '{"name":"07-560 Conformance Flashing"}' >/dev/null
tok=$(pc_token)
pc_api POST /rest/v1.0/vendors "{\"company_id\":$company,\"vendor\":{\"name\":\"Conformance Glazing LLC\"}}" >/dev/null
"$BIN" tenant set acme --setting master.budgets='"netsuite"' >/dev/null

run "$BIN" ping acme
expect_rc 0 "ping"
for f in vendors purchase-orders requisitions vendors-back costs cost-codes budgets; do
  run "$BIN" sync acme --flow "$f" --json
  expect_rc 0 "sync --flow $f"
done
run "$BIN" reconcile acme
expect_out "rows tie out" "reconcile reads both sides"
run "$BIN" webhook register acme --url "http://127.0.0.1:9/webhooks/procore/acme"
expect_rc 0 "webhook register"

pc_admin GET /_sandbox/requests >"$WORLD/requests.json"
expect_eq "$(jq .dropped "$WORLD/requests.json")" 0 "the request log kept every request"
n=$(jq '.requests | length' "$WORLD/requests.json")
if [ "$n" -gt 50 ]; then ok "the flows made $n Procore requests"; else not_ok "requests logged" "only $n"; fi
for r in 'PATCH /rest/v1.0/vendors/sync' 'PATCH /rest/v1.0/purchase_order_contracts/sync' 'POST /rest/v1.0/requisitions' \
  'GET /rest/v1.0/projects/{project_id}/direct_costs' 'GET /rest/v1.0/budget_views/{budget_view_id}/detail_rows' \
  'GET /rest/v1.0/cost_codes' 'POST /rest/v1.0/webhooks/hooks' 'GET /rest/v1.0/companies' \
  'PATCH /rest/v1.0/cost_codes/sync' 'PATCH /rest/v1.0/standard_cost_codes/sync' \
  'POST /rest/v1.0/projects/{project_id}/budget_changes' \
  'GET /rest/v2.0/companies/{company_id}/projects/{project_id}/budget_changes/adjustment_line_items'; do
  c=$(jq --arg r "$r" '[.requests[] | select("\(.method) \(.route)" == $r)] | length' "$WORLD/requests.json")
  if [ "$c" -gt 0 ]; then ok "logged: $r ($c)"; else not_ok "logged: $r" "none"; fi
done
run env MLC_PROCORE_REQUEST_LOG="$WORLD/requests.json" "$CHECK"
expect_rc 0 "every request conforms to its endpoint file"
[ "$RC" -eq 0 ] || sed -n '/RUN.*test_request_log/,$p' <<<"$OUT" | head -80
stop
finish
