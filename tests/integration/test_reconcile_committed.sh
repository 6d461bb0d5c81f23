#!/usr/bin/env bash
# Issue 18: reconcile --scope committed against the sandbox.  Each NetSuite
# PO total against its Procore commitment's original + approved + pending
# change orders, read back from both systems: ties after a sync, shows the
# exact difference (exit 1) when a change order is missing or voided, and
# ties again after the next sync; approved and pending apart, to the cent.
# Usage: test_reconcile_committed.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
world_start
world_tenant acme
DB=$WORK/ml-connector.db
tok=$(pc_token)

rec() { run "$BIN" reconcile acme --scope committed --format json; }
# row PO FIELD: one field of the PO's row
row() { jq -r --argjson p "$1" ".rows[] | select(.po_id == \$p and .commitment_id != 0) | .$2" <<<"$OUT"; }
# dec EXPR: exact decimal arithmetic on amounts
dec() { python3 -c "from decimal import Decimal as D; print($1)"; }
ns_po_total() { # the PO's line amounts from NetSuite's own tables
  ns_admin GET /_sandbox/netsuite/dump/transactionline | python3 -c "
import json, sys
from decimal import Decimal
r = json.load(sys.stdin)['rows']
print(sum((Decimal(str(x['netamount'])) for x in r if x['transaction'] == $1 and x['mainline'] == 'F' and x.get('taxline') != 'T'), Decimal('0.00')))"
}

# --- the options ---------------------------------------------------------------------------
run "$BIN" reconcile acme --scope spent
expect_rc 2 "an unknown scope is a usage error"
expect_err "--scope must be cost, committed or billed" "the usage error names the scopes"
run "$BIN" reconcile acme --scope committed --period 2026-11
expect_rc 1 "--period is refused for the committed scope"
expect_err "a commitment has no period" "and says why"

# --- after a sync: every PO in Procore ties, parked ones are listed apart -------------------
for f in vendors purchase-orders; do "$BIN" sync acme --flow $f >/dev/null 2>&1; done
rec
expect_rc 0 "committed reconcile ties out after a sync"
expect_eq "$(jq .differences <<<"$OUT")" 0 "no difference"
parked=$(store_sql "$DB" "select count(*) from review where state = 'open' and entity = 'po'")
expect_eq "$(jq .parked <<<"$OUT")" "$parked" "every parked PO is listed apart ($parked)"
expect_eq "$(jq '[.rows[] | select(.parked)] | map(.commitment_id) | unique' -c <<<"$OUT")" "[0]" "a parked PO has no commitment"
pos_in_pc=$(pc_admin GET /_sandbox/state/purchase_order_contracts | jq '[.[] | select(.origin_id != null and (.origin_id | startswith("ns:po:")))] | length')
expect_eq "$(jq '[.rows[] | select(.parked | not)] | length' <<<"$OUT")" "$pos_in_pc" "one compared row per commitment the connector made"
expect_eq "$(jq '[.rows[] | select(.parked | not) | select(.netsuite != .procore or .variance != "0.00")] | length' <<<"$OUT")" 0 "NetSuite and Procore figures equal on every compared row"
expect_eq "$(jq -r '.ties_on' <<<"$OUT")" "original + approved + pending change orders" "the report says what ties"

# the PO test_flow_commitments edits: its first line, on an Approved commitment
po=$(ns_admin GET /_sandbox/netsuite/dump/transaction | jq -r '[.rows[] | select(.type == "PurchOrd")][0].id')
expect_eq "$(row "$po" netsuite)" "$(ns_po_total "$po")" "the NetSuite figure is the PO's line amounts, to the cent"
st=$(row "$po" status); if [ -n "$st" ] && [ "$st" != Draft ]; then ok "the PO's commitment is past Draft ($st: locked)"; else not_ok "commitment locked" "$st"; fi
orig=$(row "$po" original)
line1=$(ns_admin GET /_sandbox/netsuite/dump/transactionline | jq -r --argjson p "$po" '.rows[] | select(.transaction == $p and .id == 1) | .netamount')
delta=$(dec "D('3000.30') - D('$line1')")

# --- a PO edited in NetSuite, not synced yet: the change order is missing ------------------
ns_admin PATCH "/_sandbox/netsuite/records/purchaseOrder/$po" '{"item":{"items":[{"line":1,"quantity":3,"rate":1000.10,"amount":3000.30}]}}' >/dev/null
rec
expect_rc 1 "a PO changed without its change order: exit 1"
expect_eq "$(jq .differences <<<"$OUT")" 1 "exactly one difference"
expect_eq "$(row "$po" variance)" "$(dec "D('$delta').quantize(D('0.01'))")" "the variance is the edit's delta to the cent"
grep -q "change order is missing" <<<"$(row "$po" cause)" && ok "the cause names the missing change order" || not_ok "cause" "$(row "$po" cause)"
run "$BIN" reconcile acme --scope committed
expect_rc 1 "table: exit 1 too"
expect_out "original + approved + pending" "the table's header says what ties"
expect_out "$((pos_in_pc - 1)) of $pos_in_pc purchase orders tie out; $parked parked before reaching Procore" "the table's last line counts ties and parked POs apart"

# --- the next sync makes a draft change order: pending, to the cent -------------------------
"$BIN" sync acme --flow purchase-orders >/dev/null 2>&1
rec
expect_rc 0 "ties again after the next sync"
expect_eq "$(row "$po" original)" "$orig" "the original (locked SOV) is unchanged"
expect_eq "$(row "$po" approved)" "0.00" "nothing approved yet"
expect_eq "$(row "$po" pending)" "$(dec "D('$delta').quantize(D('0.01'))")" "the draft change order is pending, to the cent"
expect_eq "$(row "$po" revised)" "$orig" "Procore's revised value leaves the draft out"
expect_eq "$(row "$po" netsuite)" "$(ns_po_total "$po")" "the PO total is NetSuite's"
cco=$(pc_admin GET /_sandbox/state/commitment_change_orders | jq -r --argjson c "$(row "$po" commitment_id)" '[.[] | select(.contract_id == $c)][0].id')
project=$(row "$po" project_id)
run "$BIN" reconcile acme --scope committed --format csv
expect_rc 0 "csv ties too"
expect_out "project_id,po_id,po,commitment_id,commitment,status,netsuite,original,approved,pending,revised,procore,variance,cause" "csv header"
expect_eq "$(grep -c "^$project,$po," <<<"$OUT")" 1 "one csv row for the PO"

# --- approved in Procore: the amount moves from pending to approved --------------------------
pc_api PATCH "/rest/v1.0/projects/$project/commitment_change_orders/$cco" '{"change_order":{"status":"approved"}}' >/dev/null
rec
expect_rc 0 "an approved change order still ties"
expect_eq "$(row "$po" approved)" "$(dec "D('$delta').quantize(D('0.01'))")" "approved carries the delta"
expect_eq "$(row "$po" pending)" "0.00" "pending is empty"
expect_eq "$(row "$po" revised)" "$(dec "D('$orig') + D('$delta')")" "revised = original + approved"

# --- a change order voided in Procore: the difference shows, exact --------------------------
line2=$(ns_admin GET /_sandbox/netsuite/dump/transactionline | jq -r --argjson p "$po" '.rows[] | select(.transaction == $p and .id == 2) | .netamount // empty')
if [ -z "$line2" ]; then line=1; base=3000.30; else line=2; base=$line2; fi
ns_admin PATCH "/_sandbox/netsuite/records/purchaseOrder/$po" "{\"item\":{\"items\":[{\"line\":$line,\"quantity\":1,\"rate\":$(dec "D('$base') + D('250.25')"),\"amount\":$(dec "D('$base') + D('250.25')")}]}}" >/dev/null
"$BIN" sync acme --flow purchase-orders >/dev/null 2>&1
rec
expect_rc 0 "a second edit: a second change order, ties"
expect_eq "$(row "$po" pending)" "250.25" "the second change order is pending"
cco2=$(pc_admin GET /_sandbox/state/commitment_change_orders | jq -r --argjson c "$(row "$po" commitment_id)" '[.[] | select(.contract_id == $c and .status == "draft")][0].id')
pc_api PATCH "/rest/v1.0/projects/$project/commitment_change_orders/$cco2" '{"change_order":{"status":"void"}}' >/dev/null
rec
expect_rc 1 "a voided change order: exit 1"
expect_eq "$(row "$po" pending)" "0.00" "a void change order counts nowhere"
expect_eq "$(row "$po" variance)" "250.25" "the variance is the voided amount"
expect_eq "$(jq .differences <<<"$OUT")" 1 "only that PO differs"

# --- the next change to that line makes it whole again -------------------------------------
ns_admin PATCH "/_sandbox/netsuite/records/purchaseOrder/$po" "{\"item\":{\"items\":[{\"line\":$line,\"quantity\":1,\"rate\":$(dec "D('$base') + D('250.26')"),\"amount\":$(dec "D('$base') + D('250.26')")}]}}" >/dev/null
"$BIN" sync acme --flow purchase-orders >/dev/null 2>&1
rec
expect_rc 0 "ties again after the next sync"
expect_eq "$(row "$po" pending)" "250.26" "the new change order carries the voided amount and the edit"
expect_eq "$(row "$po" netsuite)" "$(ns_po_total "$po")" "the PO total is NetSuite's"

# --- one project only --------------------------------------------------------------------------
run "$BIN" reconcile acme --scope committed --project "$project" --format json
expect_rc 0 "--project ties"
expect_eq "$(jq -c '[.rows[].project_id] | unique' <<<"$OUT")" "[$project]" "only that project's rows"
finish
