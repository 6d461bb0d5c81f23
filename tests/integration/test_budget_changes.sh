#!/usr/bin/env bash
# Issue 18, budgets through Budget Changes, on the seeded locked budget
# (the second project, MBG-2402, whose approved budget change moved 1500.00
# from its 01-500 line to its 01-100 line): Procore's revised figure counts
# approved budget changes; NetSuite's changes reach the locked budget as one
# budget change per run (Draft), never as a write of a line's original; a line
# the locked budget lacks is added at 0 and takes a budget change; lost answers
# on either side never make a second write.
# Usage: test_budget_changes.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
world_start
world_tenant acme
world_costs_mappings acme
"$BIN" tenant set acme --setting budgets.year='"FY 2026"' >/dev/null
tok=$(pc_token)
CO=$(jq .procore.company_id "$DATA/credentials.json")
TITLE="NetSuite budget (ml-connector)"

P=$(jq '.projects[1].procore_project_id' "$DATA/seed.json")
J=$(jq '.projects[1].netsuite_job_id' "$DATA/seed.json")
DEP=$(jq '.projects[1].department_id' "$DATA/seed.json")
CLS=$(jq '.projects[1].class_id' "$DATA/seed.json")
LOC=$(jq '.projects[1].location_id' "$DATA/seed.json")
seg() { awk -F, -v c="$1" '$1 == c {print $2}' "$DATA/mappings/cost-code-segment.csv"; }
acct() { awk -F, -v c="$1" -v t="$2" '$1 == c && $2 == t {print $3}' "$DATA/mappings/cost-code-account.csv"; }
bli() { # CODE -> "id original_cents revised_cents wbs" of the project's line for CODE
  pc_admin GET /_sandbox/state/budget_line_items | python3 -c "
import json, sys
from decimal import Decimal
c = lambda v: int(Decimal(str(v)) * 100)
for b in json.load(sys.stdin):
    if b['_project_id'] == $P and b['cost_code']['full_code'] == '$1' and b['line_item_type']['name'] == '$2':
        print(b['id'], c(b['original_budget_amount']), c(b['revised_budget']), b['wbs_code']['id'])"
}
ns_total() { # ACCOUNT SEGMENT -> the job's budget line total in cents
  ns_admin GET /_sandbox/netsuite/dump/budgets |
    jq "[.rows[] | select(.customer == $J and .account == $1 and .cseg_mlc_costcode == $2) | .total] | if length == 1 then .[0] else \"\(length) lines\" end"
}
ns_set() { # ACCOUNT SEGMENT AMOUNT: a NetSuite user imports a budget line
  ns_admin POST /_sandbox/netsuite/records/budgetImport \
    "{\"account\":{\"id\":\"$1\"},\"year\":{\"id\":\"1\"},\"subsidiary\":{\"id\":\"1\"},\"customer\":{\"id\":\"$J\"},\"department\":{\"id\":\"$DEP\"},\"class\":{\"id\":\"$CLS\"},\"location\":{\"id\":\"$LOC\"},\"cseg_mlc_costcode\":{\"id\":\"$2\"},\"amount\":$3}" >/dev/null
}
ours() { # WBS STATUS -> the connector's adjustments in budget changes of that status, in cents
  pc_api GET "/rest/v2.0/companies/$CO/projects/$P/budget_changes/adjustment_line_items?per_page=100" | python3 -c "
import json, sys
from decimal import Decimal
print(sum(int(Decimal(str(a['amount'])) * 100) for a in json.load(sys.stdin)['data']
          if a['wbs_code_id'] == '$1' and a['budget_change_name'] == '$TITLE' and a['budget_change_status'] == '$2'))"
}
writes() { jq '.calls.netsuite.writes + .calls.procore.writes' <<<"$OUT"; }
sync() { run "$BIN" sync acme --flow budgets --json "$@"; }
settle() { # runs until a run succeeds (at most 12), then lifts the faults
  local i
  for i in $(seq 1 12); do "$BIN" sync acme --flow budgets >/dev/null 2>&1 && break || true; done
  pc_admin POST /_sandbox/faults '{"faults":""}' >/dev/null
  ns_admin POST /_sandbox/faults '{"faults":""}' >/dev/null
}

S1=$(seg 01-100) S5=$(seg 01-500) A1=$(acct 01-100 L) A5=$(acct 01-500 S) AM=$(acct 01-100 M)
read -r L1 O1 R1 W1 <<<"$(bli 01-100 Labor)"
read -r L5 O5 R5 W5 <<<"$(bli 01-500 Subcontract)"
expect_eq "$R1" "$((O1 + 150000))" "seeded: 01-100's revised budget counts the approved budget change (+1500.00)"
expect_eq "$R5" "$((O5 - 150000))" "seeded: 01-500's revised budget counts its side of it (-1500.00)"
expect_eq "$(bli 01-100 Material)" "" "seeded: the locked budget has no 01-100 Material line"
# the locked budget: Procore refuses a write of the original
lock=$(curl -s -o /dev/null -w '%{http_code}' -X PATCH "$PC_URL/rest/v1.0/budget_line_items/$L1" -H "Authorization: Bearer $tok" \
  -H "Procore-Company-Id: $CO" -H 'Content-Type: application/json' -d "{\"project_id\":$P,\"budget_line_item\":{\"original_budget_amount\":1}}")
expect_eq "$lock" 422 "the seeded budget is locked: its original is read-only"

# --- master procore (the default), NetSuite answers lost: the revised figures, once ----------------
ns_admin POST /_sandbox/faults '{"faults":"ns:lost=0.3"}' >/dev/null
settle
reset_stats
sync
expect_rc 0 "settles after lost NetSuite answers"
expect_eq "$(writes)" 0 "then a rerun writes nothing"
expect_eq "$(ns_total "$A1" "$S1")" "$R1" "NetSuite has 01-100's revised budget, approved change included, to the cent"
expect_eq "$(ns_total "$A5" "$S5")" "$R5" "NetSuite has 01-500's revised budget, to the cent"

# a Procore user approves another budget change: NetSuite follows
pc_admin POST "/_sandbox/projects/$P/budget_changes" "{\"status\":\"approved\",\"title\":\"Owner CO 7\",\"adjustment_line_items\":[{\"wbs_code_id\":$W1,\"amount\":\"100.01\"}]}" >/dev/null
sync
expect_eq "$(ns_total "$A1" "$S1")" "$((R1 + 10001))" "an approved budget change reaches NetSuite (+100.01)"
expect_eq "$(jq '.calls.netsuite.writes' <<<"$OUT")" 1 "one NetSuite write"
pc_admin POST "/_sandbox/projects/$P/budget_changes" "{\"status\":\"draft\",\"title\":\"Proposal\",\"adjustment_line_items\":[{\"wbs_code_id\":$W1,\"amount\":\"999.00\"}]}" >/dev/null
sync
expect_eq "$(writes)" 0 "someone else's draft budget change does not count"

# --- master netsuite, Procore answers lost: one budget change, never an original -------------------
"$BIN" tenant set acme --setting master.budgets='"netsuite"' >/dev/null
R1=$((R1 + 10001))
ns_set "$A1" "$S1" "$(python3 -c "print(f'{($R1 + 123456) / 100:.2f}')")"
ns_set "$A5" "$S5" "$(python3 -c "print(f'{($R5 - 9999) / 100:.2f}')")"
ns_set "$AM" "$S1" 2500.25
reset_stats
pc_admin POST /_sandbox/faults '{"faults":"pc:lost=0.5"}' >/dev/null
settle
expect_eq "$(pc_calls 'PATCH /rest/v1.0/budget_line_items')" 0 "no budget line is ever patched"
reset_stats
sync
expect_rc 0 "settles after lost Procore answers"
expect_eq "$(writes)" 0 "then a rerun writes nothing"
expect_eq "$(ours "$W1" draft)" 123456 "01-100: one draft adjustment of +1234.56, not two"
expect_eq "$(ours "$W5" draft)" -9999 "01-500: one draft adjustment of -99.99"
read -r LM OM RM WM <<<"$(bli 01-100 Material)"
[ -n "$LM" ] && ok "the locked budget got the 01-100 Material line" || not_ok "01-100 Material line"
expect_eq "$OM" 0 "added at an original of 0 (the locked budget refuses another)"
expect_eq "$(ours "$WM" draft)" 250025 "and a draft adjustment of 2500.25"
read -r _ o1 r1 _ <<<"$(bli 01-100 Labor)"
expect_eq "$o1" "$O1" "01-100's original is untouched"
expect_eq "$r1" "$R1" "its revised budget waits for the approval"

# approved in Procore: the revised budget is NetSuite's figure, and nothing moves
for id in $(pc_api GET "/rest/v1.0/projects/$P/budget_changes" | jq -r --arg t "$TITLE" '.data[] | select(.title == $t) | .id'); do
  pc_admin PATCH "/_sandbox/projects/$P/budget_changes/$id" '{"status":"approved"}' >/dev/null
done
read -r _ _ r1 _ <<<"$(bli 01-100 Labor)"
expect_eq "$r1" "$((R1 + 123456))" "approved: 01-100's revised budget is NetSuite's figure to the cent"
sync
expect_eq "$(writes)" 0 "approving changes nothing to write"
# an approved budget change is locked: the next difference is a new one
ns_set "$A1" "$S1" "$(python3 -c "print(f'{($R1 + 123456 + 1) / 100:.2f}')")"
sync
expect_eq "$(ours "$W1" draft)" 1 "a later NetSuite change of one cent is a new draft budget change"
expect_eq "$(jq '.calls.procore.writes' <<<"$OUT")" 1 "one Procore write"

finish
