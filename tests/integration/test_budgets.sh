#!/usr/bin/env bash
# Issue 9, budgets: Procore budget per cost code <-> NetSuite budget lines,
# direction per tenant (master.budgets), owner wins on a conflict (audited
# with both values), no ping-pong, dry run writes nothing.
# Issue 18: Procore's figure counts approved budget changes (and the
# connector's own still pending); NetSuite's changes reach an existing
# Procore line as a budget change, never as a rewrite of the original.
# Usage: test_budgets.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
world_start
world_tenant acme
world_costs_mappings acme
"$BIN" tenant set acme --setting budgets.year='"FY 2026"' >/dev/null
DB=$WORK/ml-connector.db
sql() { store_sql "$DB" "$1"; }
tok=$(pc_token)

# The first project (MBG-2401), whose NetSuite job has seeded budget lines.
P=$(jq '.projects[0].procore_project_id' "$DATA/seed.json")
J=$(jq '.projects[0].netsuite_job_id' "$DATA/seed.json")
DEP=$(jq '.projects[0].department_id' "$DATA/seed.json")
CLS=$(jq '.projects[0].class_id' "$DATA/seed.json")
LOC=$(jq '.projects[0].location_id' "$DATA/seed.json")
SEG=$(awk -F, '$1 == "01-100" {print $2}' "$DATA/mappings/cost-code-segment.csv")
SEG3=$(awk -F, '$1 == "02-400" {print $2}' "$DATA/mappings/cost-code-segment.csv")
ACCT_L=$(awk -F, '$1 == "01-100" && $2 == "L" {print $3}' "$DATA/mappings/cost-code-account.csv")
# Procore ids are > 2^53 in places: python, not jq, picks them
pc_line() { # CODE -> budget line item id in project P
  pc_admin GET /_sandbox/state/budget_line_items | python3 -c "
import json, sys
for b in json.load(sys.stdin):
    if b['_project_id'] == $P and b['cost_code']['full_code'] == '$1':
        print(b['id']); break"
}
pc_original() { # BLI -> original budget in cents
  pc_admin GET /_sandbox/state/budget_line_items | python3 -c "
import json, sys
from decimal import Decimal
for b in json.load(sys.stdin):
    if b['id'] == $1: print(int(Decimal(str(b['original_budget_amount'])) * 100))"
}
ns_total() { # SEGMENT -> the job's FY budget line total in cents (stored as cents)
  ns_admin GET /_sandbox/netsuite/dump/budgets |
    jq "[.rows[] | select(.customer == $J and .cseg_mlc_costcode == $1) | .total] | if length == 1 then .[0] else \"\(length) lines\" end"
}
ns_set() { # SEGMENT AMOUNT: a NetSuite user imports a budget line (same criteria: replaced)
  ns_admin POST /_sandbox/netsuite/records/budgetImport \
    "{\"account\":{\"id\":\"$ACCT_L\"},\"year\":{\"id\":\"1\"},\"subsidiary\":{\"id\":\"1\"},\"customer\":{\"id\":\"$J\"},\"department\":{\"id\":\"$DEP\"},\"class\":{\"id\":\"$CLS\"},\"location\":{\"id\":\"$LOC\"},\"cseg_mlc_costcode\":{\"id\":\"$1\"},\"amount\":$2}" >/dev/null
}
pc_wbs() { # BLI -> its WBS code id
  pc_admin GET /_sandbox/state/budget_line_items | python3 -c "
import json, sys
for b in json.load(sys.stdin):
    if b['id'] == $1: print(b['wbs_code']['id'])"
}
CO=$(jq .procore.company_id "$DATA/credentials.json")
TITLE="NetSuite budget (ml-connector)"
pc_pending() { # WBS -> the connector's budget changes not yet approved, in cents
  pc_api GET "/rest/v2.0/companies/$CO/projects/$P/budget_changes/adjustment_line_items?per_page=100" | python3 -c "
import json, sys
from decimal import Decimal
print(sum(int(Decimal(str(a['amount'])) * 100) for a in json.load(sys.stdin)['data']
          if a['wbs_code_id'] == '$1' and a['budget_change_name'] == '$TITLE'
          and a['budget_change_status'] in ('draft', 'under_review')))"
}
pc_revised() { # BLI -> its revised budget (original + approved budget changes) in cents
  pc_admin GET /_sandbox/state/budget_line_items | python3 -c "
import json, sys
from decimal import Decimal
for b in json.load(sys.stdin):
    if b['id'] == $1: print(int(Decimal(str(b['revised_budget'])) * 100))"
}
approve_ours() { # a Procore user approves the connector's draft budget changes
  for id in $(pc_api GET "/rest/v1.0/projects/$P/budget_changes" | jq -r --arg t "$TITLE" '.data[] | select(.title == $t and .status == "draft") | .id'); do
    pc_admin PATCH "/_sandbox/projects/$P/budget_changes/$id" '{"status":"approved"}' >/dev/null
  done
}
pc_set() { # BLI AMOUNT: a Procore user edits the original budget (the budget is unlocked)
  pc_api PATCH "/rest/v1.0/budget_line_items/$1" "{\"project_id\":$P,\"budget_line_item\":{\"original_budget_amount\":$2}}" >/dev/null
}
writes() { jq '.calls.netsuite.writes + .calls.procore.writes' <<<"$OUT"; }
sync() { run "$BIN" sync acme --flow budgets --json "$@"; }

BLI=$(pc_line 01-100)
[ -n "$BLI" ] && ok "Procore has a budget line for 01-100" || not_ok "Procore budget line for 01-100"
WBS=$(pc_wbs "$BLI")
pc_before=$(pc_admin GET /_sandbox/state/budget_line_items | md5sum)
ns_before=$(ns_admin GET /_sandbox/netsuite/dump/budgets | md5sum)

# --- (5) a dry run writes nothing anywhere ---------------------------------------------------
reset_stats
sync --dry-run
expect_rc 0 "budgets dry run"
planned=$(jq '.stats.created + .stats.updated' <<<"$OUT")
[ "$planned" -gt 0 ] && ok "the dry run plans writes ($planned)" || not_ok "the dry run plans writes"
expect_eq "$(ns_calls 'POST /services/rest/record')" 0 "dry run: no NetSuite write"
expect_eq "$(pc_calls 'PATCH|POST /rest')" 0 "dry run: no Procore write"
expect_eq "$(ns_admin GET /_sandbox/netsuite/dump/budgets | md5sum)" "$ns_before" "dry run: NetSuite budgets unchanged"
expect_eq "$(pc_admin GET /_sandbox/state/budget_line_items | md5sum)" "$pc_before" "dry run: Procore budget unchanged"
expect_eq "$(sql 'select count(*) from md_base')" 0 "dry run: no base row"
expect_eq "$(sql 'select count(*) from audit')" 0 "dry run: no audit row"

# --- (1) master procore (the default) ----------------------------------------------------------
pc_3=$(pc_original "$(pc_line 02-400)")
[ "$(ns_total "$SEG3")" != "$pc_3" ] && ok "seeded: 02-400 differs between the two sides" || not_ok "seeded difference"
sync
expect_rc 0 "budgets first run"
expect_eq "$(jq '.stats.created + .stats.updated' <<<"$OUT")" "$planned" "the run did what the dry run planned"
expect_eq "$(jq '.calls.netsuite.writes' <<<"$OUT")" "$planned" "one budgetImport per planned line"
expect_eq "$(jq '.calls.procore.writes' <<<"$OUT")" 0 "master procore: Procore is not written"
expect_eq "$(ns_total "$SEG3")" "$pc_3" "02-400: NetSuite now has Procore's figure"
sync
expect_eq "$(writes)" 0 "second run writes nothing"

pc_set "$BLI" 12345.67
sync
expect_eq "$(ns_total "$SEG")" 1234567 "a Procore budget of 12345.67 is in NetSuite to the cent"
expect_eq "$(writes)" 1 "one write for one changed line"
sync
# the flow reads NetSuite's total back through SuiteQL: a rendering off by a cent would write again
expect_eq "$(writes)" 0 "unchanged: no write (NetSuite's decimal reads back exact)"

# a Procore user approves a budget change of +250.50 on the line (#18: Budget
# Changes replaced the Budget Modifications this step used to make)
pc_admin POST "/_sandbox/projects/$P/budget_changes" "{\"status\":\"approved\",\"title\":\"Owner change 1\",\"adjustment_line_items\":[{\"wbs_code_id\":$WBS,\"amount\":\"250.50\"}]}" >/dev/null
sync
expect_eq "$(ns_total "$SEG")" 1259617 "an approved budget change updates NetSuite to original + approved changes"
expect_eq "$(jq -r '[.plan[] | select(.action == "update")] | length' <<<"$OUT")" 1 "the approved budget change is an update"
sync
expect_eq "$(writes)" 0 "after the budget change: no write"
months=$(ns_admin GET /_sandbox/netsuite/dump/budgetsmachine | jq "[.rows[] | select(.budget == $(ns_admin GET /_sandbox/netsuite/dump/budgets | jq "[.rows[] | select(.customer == $J and .cseg_mlc_costcode == $SEG)][0].id")) | .amount] | [length, add]")
expect_eq "$(jq -c . <<<"$months")" "[12,1259617]" "the amount is spread over twelve periods, adding up to the cent"

# --- (2) master netsuite ------------------------------------------------------------------------
# #18: NetSuite's figure reaches an existing Procore line as a Draft budget change of the
# difference; the original is never rewritten (it used to be: original = NetSuite - modifications).
"$BIN" tenant set acme --setting master.budgets='"netsuite"' >/dev/null
ns_set "$SEG" 20000.00
reset_stats
sync
expect_rc 0 "master netsuite run"
expect_eq "$(pc_original "$BLI")" 1234567 "master netsuite: Procore's original is not rewritten"
expect_eq "$(pc_pending "$WBS")" 740383 "NetSuite 20000.00 -> a draft budget change of 7403.83 (12345.67 + 250.50 approved)"
expect_eq "$(jq '.calls.procore.writes' <<<"$OUT")" 1 "one Procore write (the budget change)"
expect_eq "$(pc_calls 'PATCH /rest/v1.0/budget_line_items')" 0 "no budget line is written"
expect_eq "$(jq '.calls.netsuite.writes' <<<"$OUT")" 0 "master netsuite: NetSuite is not written"
sync
expect_eq "$(writes)" 0 "the draft counts: a rerun proposes nothing"
pc_set "$BLI" 5.00
sync
expect_eq "$(pc_pending "$WBS")" 1974450 "master netsuite: a Procore edit is answered by a budget change (20000.00 - 5.00 - 250.50 in drafts)"
expect_eq "$(pc_original "$BLI")" 500 "and the original stays the user's"
expect_eq "$(ns_total "$SEG")" 2000000 "master netsuite: NetSuite keeps its figure"
sync
expect_eq "$(writes)" 0 "master netsuite: second run writes nothing"
approve_ours
expect_eq "$(pc_revised "$BLI")" 2000000 "approved in Procore: the revised budget is NetSuite's 20000.00"
expect_eq "$(pc_pending "$WBS")" 0 "nothing pending"
sync
expect_eq "$(writes)" 0 "approving the connector's budget changes changes nothing"

# --- (3) master both: changes flow both ways, a conflict goes to the owner -----------------------
"$BIN" tenant set acme --setting master.budgets='"both"' >/dev/null
sync
expect_eq "$(writes)" 0 "switching to both: nothing to write"
pc_set "$BLI" 30000.00
sync
expect_eq "$(ns_total "$SEG")" 4999500 "both: a Procore change (original 30000.00 + approved changes 19995.00) reaches NetSuite"
expect_eq "$(writes)" 1 "both: one write for the Procore change"
sync
expect_eq "$(writes)" 0 "both: then nothing (no ping-pong)"
ns_set "$SEG" 31000.00
sync
expect_eq "$(pc_pending "$WBS")" -1899500 "both: a NetSuite change (31000.00) reaches Procore as a budget change of -18995.00"
expect_eq "$(pc_original "$BLI")" 3000000 "both: the original is not rewritten"
expect_eq "$(writes)" 1 "both: one write for the NetSuite change"
sync
expect_eq "$(writes)" 0 "both: then nothing (no ping-pong)"

# Procore's figure is now 40000.00 + 19995.00 - 18995.00 = 41000.00
pc_set "$BLI" 40000.00
ns_set "$SEG" 42000.00
sync
expect_eq "$(jq '.stats.conflicts' <<<"$OUT")" 1 "both changed: one conflict"
expect_eq "$(ns_total "$SEG")" 4100000 "both changed: the owner (procore) wins in NetSuite"
expect_eq "$(pc_original "$BLI")" 4000000 "both changed: Procore keeps its figure"
expect_eq "$(pc_pending "$WBS")" -1899500 "both changed: no budget change for the loser"
run "$BIN" audit list acme --flow budgets --json
conflict=$(jq -c '[.[] | select(.action == "conflict")][0].payload | {netsuite, procore, owner}' <<<"$OUT")
expect_eq "$conflict" '{"netsuite":4200000,"procore":4100000,"owner":"procore"}' "the audit trail has the conflict with both values"
sync
expect_eq "$(writes)" 0 "after the conflict: nothing"

"$BIN" tenant set acme --setting owners.budgets.amount='"netsuite"' >/dev/null
pc_set "$BLI" 50000.00
ns_set "$SEG" 52000.00
sync
expect_eq "$(pc_pending "$WBS")" -1799500 "owner netsuite: NetSuite's 52000.00 wins in Procore (a budget change of +1000.00)"
expect_eq "$(pc_original "$BLI")" 5000000 "owner netsuite: the original stays the user's"
expect_eq "$(ns_total "$SEG")" 5200000 "owner netsuite: NetSuite keeps its figure"
"$BIN" tenant set acme --setting owners.budgets.amount='"procore"' >/dev/null

# --- (4) no ping-pong: alternating changes, each run writes the change and then nothing ----------
for i in 1 2 3; do
  pc_set "$BLI" "6000$i.00"
  sync
  expect_eq "$(writes)" 1 "round $i: the Procore change is one write"
  sync
  expect_eq "$(writes)" 0 "round $i: the echo is not a change"
  ns_set "$SEG" "8${i}000.00"
  sync
  expect_eq "$(writes)" 1 "round $i: the NetSuite change is one write (a budget change)"
  sync
  expect_eq "$(writes)" 0 "round $i: the echo is not a change"
done
expect_eq "$(ns_total "$SEG")" 8300000 "NetSuite ends with the last change"
expect_eq "$(pc_original "$BLI")" 6000300 "Procore's original is the last Procore edit"
expect_eq "$(( $(pc_revised "$BLI") + $(pc_pending "$WBS") ))" 8300000 "Procore's revised budget + the pending budget changes: the last change (83000.00)"

# --- a dry run in both mode writes nothing either ------------------------------------------------
pc_set "$BLI" 123.45
reset_stats
sync --dry-run
expect_eq "$(jq '.stats.updated' <<<"$OUT")" 1 "dry run (both): one update planned"
expect_eq "$(ns_calls 'POST /services/rest/record')" 0 "dry run (both): no NetSuite write"
expect_eq "$(ns_total "$SEG")" 8300000 "dry run (both): NetSuite unchanged"

# --- a line the connector cannot place is parked on the review list ---------------------------------
sql "delete from mappings where kind = 'cost-code-segment' and source_key = '01-100'"
sync
if jq -e '.plan[] | select(.action == "park" and (.reason | test("01-100")))' <<<"$OUT" >/dev/null; then ok "a line without a segment mapping is parked"; else not_ok "park" "$(jq -c .plan <<<"$OUT")"; fi
run "$BIN" review list acme --json
if jq -e '.[] | select(.entity == "budget" and (.reason | test("01-100")))' <<<"$OUT" >/dev/null; then ok "and is on the review list"; else not_ok "budget on review list" "$OUT"; fi
"$BIN" mapping import acme cost-code-segment "$DATA/mappings/cost-code-segment.csv" >/dev/null
sync
expect_rc 0 "mapped again"
expect_eq "$(sql "select count(*) from review where entity = 'budget' and state = 'open' and reason like '%01-100%'")" 0 "the review item is resolved once the line is placed"

finish
