#!/usr/bin/env bash
# Issue 7 against the sandbox: NetSuite vendors, purchase orders and vendor
# bills into Procore vendors, commitments and requisitions.
# Usage: test_flow_commitments.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
world_start
world_tenant acme
DB=$WORK/ml-connector.db
sql() { store_sql "$DB" "$1"; }

# --- dry run writes nothing anywhere --------------------------------------------------------
reset_stats
run "$BIN" sync acme --flow vendors --dry-run --json
expect_rc 0 "vendors dry run"
expect_eq "$(pc_calls 'PATCH|POST /rest')" 0 "dry run: no Procore write"
expect_eq "$(sql 'select count(*) from id_map')" 0 "dry run: no id_map row"
expect_eq "$(sql 'select count(*) from watermarks')" 0 "dry run: no watermark"
expect_eq "$(sql 'select count(*) from audit')" 0 "dry run: no audit row"
planned=$(jq '.stats.created + .stats.updated' <<<"$OUT")

# --- vendors: initial load in ceil(n/1000) sync calls -----------------------------------------
ns_vendors=$(ns_admin GET /_sandbox/netsuite/dump/vendor | jq '.rows | length')
reset_stats
run "$BIN" sync acme --flow vendors --json
expect_rc 0 "vendors initial load"
expect_eq "$(jq '.stats.created + .stats.updated' <<<"$OUT")" "$planned" "the dry run planned what the load did"
expect_le "$(pc_calls 'PATCH /rest/v1.0/vendors/sync')" $(( (ns_vendors + 999) / 1000 )) "vendor writes <= ceil(vendors/1000) calls"
company=$(jq .procore.company_id "$DATA/credentials.json")
# the sandbox state holds every company's objects; ours only
pcv=$(pc_admin GET /_sandbox/state/vendors | jq --argjson c "$company" '[.[] | select(._company_id == $c)]')
dups=$(jq '[.[] | select(.origin_id != null) | .origin_id] | group_by(.) | map(select(length > 1)) | length' <<<"$pcv")
expect_eq "$dups" 0 "no NetSuite vendor is in Procore twice"
# nor one company under two origin_ids: NetSuite's own near-duplicates are parked, not created
folded=$(jq -c '[.[] | .name | ascii_downcase | gsub("&"; " and ") | gsub("[^a-z0-9]+"; " ") | ltrimstr(" ") | rtrimstr(" ")
  | sub(" incorporated$"; " inc") | sub(" company$"; " co") | sub(" corporation$"; " corp") | sub(" limited$"; " ltd")]
  | group_by(.) | map(select(length > 1) | .[0])' <<<"$pcv")
expect_eq "$folded" "[]" "no company is in Procore twice by folded name"
linked=$(jq '[.[] | select(.origin_id != null and (.origin_id | startswith("ns:vendor:")))] | length' <<<"$pcv")
parked=$(jq '.stats.parked' <<<"$OUT")
expect_eq "$((linked + parked))" "$ns_vendors" "every NetSuite vendor is linked once or parked"
# the near-duplicate table (docs/reference/netsuite.md seed: "Acme Concrete, Inc." / "ACME CONCRETE INC")
acme=$(jq -r '[.[] | select(.name | ascii_downcase | test("^acme concrete"))] | length' <<<"$pcv")
expect_eq "$acme" 1 "one Acme Concrete in Procore"
for v in 301 302; do
  reason=$(jq -r ".plan[] | select(.source == \"ns:vendor:$v\") | .reason" <<<"$OUT")
  if grep -q "linked to another NetSuite vendor" <<<"$reason"; then ok "near-duplicate ns:vendor:$v parked"; else not_ok "near-duplicate ns:vendor:$v parked" "$reason"; fi
done
expect_eq "$(sql "select count(*) from review where state = 'open' and entity = 'vendor'")" "$parked" "parked vendors are in the review list"

# --- an ambiguous vendor: two Procore vendors share its name ---------------------------------
tok=$(curl -sf -X POST "$PC_URL/oauth/token" -d grant_type=client_credentials \
  -d client_id="$(jq -r .procore.client_id "$DATA/credentials.json")" \
  -d client_secret="$(jq -r .procore.client_secret "$DATA/credentials.json")" | jq -r .access_token)
for n in "Twin Peaks Welding, Inc." "TWIN PEAKS WELDING"; do
  curl -sf -X POST "$PC_URL/rest/v1.0/vendors" -H "Authorization: Bearer $tok" -H "Procore-Company-Id: $company" \
    -H 'Content-Type: application/json' -d "{\"company_id\":$company,\"vendor\":{\"name\":\"$n\"}}" >/dev/null
done
ns_admin POST /_sandbox/netsuite/records/vendor '{"companyName":"Twin Peaks Welding LLC","entityId":"Twin Peaks Welding LLC","subsidiary":{"id":"1"}}' >/dev/null
run "$BIN" sync acme --flow vendors --json
reason=$(jq -r '.plan[] | select(.reason != null and (.reason | test("Twin Peaks"))) | .reason' <<<"$OUT")
if grep -q "2 Procore vendors match the name" <<<"$reason"; then ok "ambiguous vendor parked with its candidates"; else not_ok "ambiguous vendor parked" "$reason"; fi
cands=$(sql "select candidates from review where reason like '%Twin Peaks%'" | jq length)
expect_eq "$cands" 2 "the review item lists both candidates"

# --- purchase orders -> commitments, exact to the cent ----------------------------------------
reset_stats
run "$BIN" sync acme --flow purchase-orders --json
expect_rc 0 "purchase orders initial load"
po_parked=$(jq '.stats.parked' <<<"$OUT")
ns_lines=$(ns_admin GET /_sandbox/netsuite/dump/transactionline)
ns_tx=$(ns_admin GET /_sandbox/netsuite/dump/transaction)
parked_pos=$(jq -c '[.plan[] | select(.action == "park" and .entity == "po") | .source | ltrimstr("ns:po:") | tonumber]' <<<"$OUT")
want=$(jq -r --argjson parked "$parked_pos" --argjson tx "$ns_tx" '
  ([$tx.rows[] | select(.type == "PurchOrd") | .id] - $parked) as $pos
  | [.rows[] | select(.mainline == "F" and .taxline == "F" and (.transaction as $t | $pos | index($t)))
     | "ns:poline:\(.transaction):\(.id) \((.netamount * 100) | round)"] | sort | .[]' <<<"$ns_lines")
got=$(pc_admin GET /_sandbox/state/commitment_line_items | jq -r '
  [.[] | select(.origin_id != null and (.origin_id | startswith("ns:poline:")))
   | "\(.origin_id) \(((.amount | tonumber) * 100) | round)"] | sort | .[]')
if [ "$want" = "$got" ]; then ok "every eligible PO line is in Procore once with its amount to the cent ($(wc -l <<<"$want") lines)"; else not_ok "PO lines match" "$(diff <(echo "$want") <(echo "$got") | head -5)"; fi
pos_in_pc=$(pc_admin GET /_sandbox/state/purchase_order_contracts | jq '[.[] | select(.origin_id != null) | .origin_id] | length')
ns_pos=$(jq '[.rows[] | select(.type == "PurchOrd")] | length' <<<"$ns_tx")
expect_eq "$((pos_in_pc + po_parked))" "$ns_pos" "every PO is a commitment once or parked"
reason=$(jq -r '[.plan[] | select(.action == "park")][0].reason' <<<"$OUT")
if [ -n "$reason" ] && [ "$reason" != null ]; then ok "parked POs carry a reason: $reason"; else not_ok "parked POs carry a reason"; fi

# --- requisitions, with lost responses: never a duplicate -------------------------------------
pc_admin POST /_sandbox/faults '{"faults":"pc:lost=0.3"}' >/dev/null
for i in 1 2 3 4 5 6; do "$BIN" sync acme --flow requisitions >/dev/null 2>&1 && break || true; done
pc_admin POST /_sandbox/faults '{"faults":""}' >/dev/null
run "$BIN" sync acme --flow requisitions --json
expect_rc 0 "requisitions settle after lost responses"
reqs=$(pc_admin GET /_sandbox/state/requisitions)
expect_eq "$(jq '[.[] | select(.origin_id != null) | .origin_id] | group_by(.) | map(select(length > 1)) | length' <<<"$reqs")" 0 "no requisition created twice under pc:lost"
# bills made from a PO: createdfrom is on their lines (transactionline), not on the header
bills=$(jq --argjson tx "$ns_tx" '([$tx.rows[] | select(.type == "VendBill") | .id]) as $b
  | [.rows[] | select(.createdfrom != null and (.transaction as $t | $b | index($t))) | .transaction] | unique | length' <<<"$ns_lines")
expect_eq "$(jq '[.rows[] | select(has("createdfrom"))] | length' <<<"$ns_tx")" 0 "transaction has no createdfrom column (NetSuite: transactionline only)"
req_made=$(jq '[.[] | select(.origin_id != null and (.origin_id | startswith("ns:bill:")))] | length' <<<"$reqs")
req_parked=$(sql "select count(*) from review where entity = 'requisition' and state = 'open'")
sql "select source_ref, reason from review where entity = 'requisition' limit 3"
expect_eq "$((req_made + req_parked))" "$bills" "every bill on a PO is a requisition once or parked"

# --- a second run writes nothing --------------------------------------------------------------
reset_stats
for f in vendors purchase-orders requisitions; do "$BIN" sync acme --flow $f >/dev/null 2>&1; done
expect_eq "$(pc_calls 'PATCH|POST /rest')" 0 "second run: 0 Procore write calls"

# --- what Procore holds for a PO line: its SOV line plus its change order lines (#18) ---------
# held ORIGIN...: one amount per origin, comma-separated
held() {
  pc_admin GET /_sandbox/state/commitment_line_items >"$WORK/sov.json"
  pc_admin GET /_sandbox/state/commitment_change_order_line_items >"$WORK/ccol.json"
  python3 - "$WORK/sov.json" "$WORK/ccol.json" "$@" <<'PY'
import json, sys
from decimal import Decimal
sov, cco = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
out = []
for o in sys.argv[3:]:
    t = sum((Decimal(x["amount"]) for x in sov if x.get("origin_id") == o), Decimal("0.00"))
    t += sum((Decimal(x["amount"]) for x in cco if (x.get("description") or "").split(" ")[0] == o), Decimal("0.00"))
    out.append(str(t))
print(",".join(out))
PY
}
cco_count() { pc_admin GET /_sandbox/state/commitment_change_orders | jq length; }

# --- one PO line edited in NetSuite: its commitment is past Draft (the simulator restricts
# non-draft edits by default), so one change order with one line carries the delta ----------
po=$(jq -r '[.rows[] | select(.type == "PurchOrd")][0].id' <<<"$ns_tx")
sov_before=$(pc_admin GET /_sandbox/state/commitment_line_items | jq -r ".[] | select(.origin_id == \"ns:poline:$po:1\") | .amount")
ns_admin PATCH "/_sandbox/netsuite/records/purchaseOrder/$po" '{"item":{"items":[{"line":1,"quantity":3,"rate":1000.10,"amount":3000.30}]}}' >/dev/null
reset_stats
run "$BIN" sync acme --flow purchase-orders --json
expect_rc 0 "an edit to a locked commitment"
expect_eq "$(pc_calls 'line_items/sync')" 0 "no in-place line write on a locked commitment"
expect_eq "$(pc_calls 'purchase_order_contracts/sync')" 0 "no header call"
expect_eq "$(pc_calls 'POST /rest/v1.0/projects/.*/commitment_change_orders')" 1 "one change order created"
expect_eq "$(pc_calls 'POST /rest/v2.0/.*/line_items')" 1 "one change order line"
expect_eq "$(pc_admin GET /_sandbox/state/commitment_line_items | jq -r ".[] | select(.origin_id == \"ns:poline:$po:1\") | .amount")" "$sov_before" "the locked SOV line is unchanged"
expect_eq "$(held "ns:poline:$po:1")" "3000.30" "SOV + change order = the new amount (3 x 1000.10) exact"
expect_eq "$(pc_admin GET /_sandbox/state/commitment_change_orders | jq -r '.[0].status')" "draft" "the change order is draft (commitments.change_order_status default)"
run "$BIN" sync acme --flow purchase-orders --json
expect_eq "$(jq '.calls.procore.writes' <<<"$OUT")" 0 "rerun: 0 writes"

# --- a line removed from a NetSuite PO: a negative change order line, once --------------------
po2=$(pc_admin GET /_sandbox/state/commitment_line_items | jq -r --arg p "$po" '[.[] | .origin_id // empty | select(startswith("ns:poline:")) | split(":")[2] | select(. != $p)] | group_by(.) | map(select(length >= 2)) | .[0][0]')
gone=$(ns_admin GET /_sandbox/netsuite/dump/transactionline | jq -r --argjson p "$po2" '[.rows[] | select(.transaction == $p and .mainline == "F" and .taxline != "T")] | max_by(.id) | .id')
keep=$(ns_admin GET /_sandbox/netsuite/dump/transactionline | jq -c --argjson p "$po2" --argjson g "$gone" '[.rows[] | select(.transaction == $p and .mainline == "F" and .taxline != "T" and .id != $g) | {line: .id, item: {id: (.item|tostring)}, quantity, rate, amount: .netamount, description: .memo, customer: {id: (.entity|tostring)}, cseg_mlc_costcode: {id: (.cseg_mlc_costcode|tostring)}} + (if .department then {department: {id: (.department|tostring)}} else {} end) + (if .class then {class: {id: (.class|tostring)}} else {} end) + (if .location then {location: {id: (.location|tostring)}} else {} end)]')
ns_admin PATCH "/_sandbox/netsuite/records/purchaseOrder/$po2?replace=item" "{\"item\":{\"items\":$keep}}" >/dev/null
n0=$(cco_count)
reset_stats
run "$BIN" sync acme --flow purchase-orders --json
expect_rc 0 "purchase-orders after a line removal"
expect_eq "$(jq -c '[.plan[] | select(.entity == "poline") | .action]' <<<"$OUT")" '["update"]' "only the removed line moves"
expect_eq "$(cco_count)" "$((n0 + 1))" "one change order for the removal"
expect_eq "$(held "ns:poline:$po2:$gone")" "0.00" "the removed line nets to zero (a negative change order line)"
ns_sum=$(ns_admin GET /_sandbox/netsuite/dump/transactionline | python3 -c "import json,sys; from decimal import Decimal; r=json.load(sys.stdin)['rows']; print(sum(Decimal(str(x['netamount'])) for x in r if x['transaction'] == $po2 and x['mainline'] == 'F' and x.get('taxline') != 'T'))")
origins=$(pc_admin GET /_sandbox/state/commitment_line_items | jq -r --arg p "ns:poline:$po2:" '[.[] | .origin_id // empty | select(startswith($p))] | .[]')
pc_sum=$(held $origins | tr ',' '\n' | python3 -c "import sys; from decimal import Decimal; print(sum(Decimal(l) for l in sys.stdin if l.strip()))")
expect_eq "$pc_sum" "$ns_sum" "the commitment's revised total is the PO's again"
run "$BIN" sync acme --flow purchase-orders --json
expect_eq "$(jq '.calls.procore.writes' <<<"$OUT")" 0 "the removal is written once"

# --- PO edits under lost responses on both sides: one change order, applied once -------------
for l in 2 3; do
  ns_admin PATCH "/_sandbox/netsuite/records/purchaseOrder/$po" "{\"item\":{\"items\":[{\"line\":$l,\"quantity\":2,\"rate\":50.05,\"amount\":100.10}]}}" >/dev/null
done
n0=$(cco_count)
pc_admin POST /_sandbox/faults '{"faults":"pc:lost=0.5"}' >/dev/null
ns_admin POST /_sandbox/faults '{"faults":"ns:lost=0.3"}' >/dev/null
for i in 1 2 3 4 5 6 7 8; do "$BIN" sync acme --flow purchase-orders >/dev/null 2>&1 && break || true; done
pc_admin POST /_sandbox/faults '{"faults":""}' >/dev/null
ns_admin POST /_sandbox/faults '{"faults":""}' >/dev/null
run "$BIN" sync acme --flow purchase-orders --json
expect_rc 0 "PO edits settle after lost responses"
expect_eq "$(cco_count)" "$((n0 + 1))" "never a second change order under ns:lost and pc:lost"
ccl=$(pc_admin GET /_sandbox/state/commitment_change_order_line_items)
expect_eq "$(jq '[.[] | select(.description != null) | "\(._holder_id) \(.description | split(" ")[0])"] | group_by(.) | map(select(length > 1)) | length' <<<"$ccl")" 0 "no change order line twice"
expect_eq "$(held "ns:poline:$po:2" "ns:poline:$po:3")" "100.10,100.10" "both edited lines arrived exact"
run "$BIN" sync acme --flow purchase-orders --json
expect_eq "$(jq '.calls.procore.writes' <<<"$OUT")" 0 "rerun after the faults: 0 writes"

# --- the watermark does not move past a failure ------------------------------------------------
before=$(sql "select value from watermarks where flow = 'vendors'")
ns_admin PATCH /_sandbox/netsuite/records/vendor/40 '{"phone":"916-555-0142"}' >/dev/null
pc_admin POST /_sandbox/faults '{"faults":"pc:5xx=1.0"}' >/dev/null
run "$BIN" sync acme --flow vendors
expect_rc 1 "vendors fail while Procore answers 5xx"
expect_eq "$(sql "select value from watermarks where flow = 'vendors'")" "$before" "watermark unchanged after the failure"
pc_admin POST /_sandbox/faults '{"faults":""}' >/dev/null
run "$BIN" sync acme --flow vendors --json
expect_rc 0 "vendors succeed once Procore is back"
expect_eq "$(jq '.stats.updated' <<<"$OUT")" 1 "the edited vendor is updated"
phone=$(pc_admin GET /_sandbox/state/vendors | jq -r '.[] | select(.origin_id == "ns:vendor:40") | .business_phone')
expect_eq "$phone" "916-555-0142" "the edit reached Procore"
expect_eq "$(sql "select group_concat(status) from (select status from runs where flow = 'vendors' order by id desc limit 2) as r")" "ok,error" "the failed run is on record as failed"
finish
