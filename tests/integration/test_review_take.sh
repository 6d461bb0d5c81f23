#!/usr/bin/env bash
# Issue 23 (CLI), the remaining resolutions against the sandbox: a budget
# and a cost-code conflict parked under setting review.conflicts and
# settled with `review resolve --take netsuite|procore` (the next run writes
# the chosen side's value to the other, audited as a conflict with both
# values); a cost code only in Procore under master netsuite copied with
# --take procore or kept apart with --ignore; vendors-back's ambiguous
# Procore vendors linked to a NetSuite vendor (checked to exist), created or
# ignored.  Each decision is audited with who and why, and a resolved item
# never reappears.  Usage: test_review_take.sh BINARY
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
company=$(jq .procore.company_id "$DATA/credentials.json")
projects=$(jq -r '.projects[].procore_project_id' "$DATA/seed.json")
nproj=$(jq '.projects | length' "$DATA/seed.json")
p1=$(head -1 <<<"$projects")

item_of() { # SOURCE_REF: the review item's id
  "$BIN" review list acme --all --json | jq --arg s "$1" '[.[] | select(.source_ref == $s)][0].id'
}
open_of() { # SOURCE_REF: how many open items have it
  "$BIN" review list acme --json | jq --arg s "$1" '[.[] | select(.source_ref == $s)] | length'
}
audit_resolve() { # SOURCE_REF: "action arg|by|why" of its resolve audit row
  sql "select json_extract(payload, '$.action') || ' ' || coalesce(json_extract(payload, '$.arg'), '-') || '|' || json_extract(payload, '$.by') || '|' || json_extract(payload, '$.why') from audit where action = 'resolve' and source_ref = '$1' order by id desc limit 1"
}
writes() { jq '.calls.netsuite.writes + .calls.procore.writes' <<<"$OUT"; }
parked() { # SOURCE_REF: how many park rows of the last run's plan have it
  jq --arg s "$1" '[.plan[] | select(.action == "park" and .source == $s)] | length' <<<"$OUT"
}

# === budgets: a conflict parked, NetSuite's figure taken ===========================================
P=$(jq '.projects[0].procore_project_id' "$DATA/seed.json")
J=$(jq '.projects[0].netsuite_job_id' "$DATA/seed.json")
DEP=$(jq '.projects[0].department_id' "$DATA/seed.json")
CLS=$(jq '.projects[0].class_id' "$DATA/seed.json")
LOC=$(jq '.projects[0].location_id' "$DATA/seed.json")
SEG=$(awk -F, '$1 == "01-100" {print $2}' "$DATA/mappings/cost-code-segment.csv")
ACCT_L=$(awk -F, '$1 == "01-100" && $2 == "L" {print $3}' "$DATA/mappings/cost-code-account.csv")
TITLE="NetSuite budget (ml-connector)"
bli_field() { # CODE FIELD: the budget line of CODE in project P (ids > 2^53: python)
  pc_admin GET /_sandbox/state/budget_line_items | python3 -c "
import json, sys
from decimal import Decimal
for b in json.load(sys.stdin):
    if b['_project_id'] == $P and b['cost_code']['full_code'] == '$1':
        v = b
        for k in '$2'.split('.'): v = v[k]
        print(int(Decimal(str(v)) * 100) if '$2'.endswith('budget') or '$2'.endswith('amount') else v); break"
}
ns_total() {
  ns_admin GET /_sandbox/netsuite/dump/budgets |
    jq "[.rows[] | select(.customer == $J and .cseg_mlc_costcode == $SEG) | .total] | if length == 1 then .[0] else \"\(length) lines\" end"
}
ns_set() { # AMOUNT: a NetSuite user imports the budget line of 01-100 L
  ns_admin POST /_sandbox/netsuite/records/budgetImport \
    "{\"account\":{\"id\":\"$ACCT_L\"},\"year\":{\"id\":\"1\"},\"subsidiary\":{\"id\":\"1\"},\"customer\":{\"id\":\"$J\"},\"department\":{\"id\":\"$DEP\"},\"class\":{\"id\":\"$CLS\"},\"location\":{\"id\":\"$LOC\"},\"cseg_mlc_costcode\":{\"id\":\"$SEG\"},\"amount\":$1}" >/dev/null
}
pc_pending() { # WBS: the connector's budget changes not yet approved, in cents
  pc_api GET "/rest/v2.0/companies/$company/projects/$P/budget_changes/adjustment_line_items?per_page=100" | python3 -c "
import json, sys
from decimal import Decimal
print(sum(int(Decimal(str(a['amount'])) * 100) for a in json.load(sys.stdin)['data']
          if a['wbs_code_id'] == '$1' and a['budget_change_name'] == '$TITLE'
          and a['budget_change_status'] in ('draft', 'under_review')))"
}
sync_b() { run "$BIN" sync acme --flow budgets --json; }

BLI=$(bli_field 01-100 id)
WBS=$(bli_field 01-100 wbs_code.id)
sync_b
expect_rc 0 "budgets: the first run settles every line (master procore)"
"$BIN" tenant set acme --setting master.budgets='"both"' >/dev/null
"$BIN" tenant set acme --setting review.conflicts=true >/dev/null
sync_b
expect_eq "$(writes)" 0 "budgets: master both and review.conflicts, nothing to write"
pc_api PATCH "/rest/v1.0/budget_line_items/$BLI" "{\"project_id\":$P,\"budget_line_item\":{\"original_budget_amount\":40000.00}}" >/dev/null
ns_set 42000.00
rev=$(bli_field 01-100 revised_budget)
bkey="$P:01-100:L"
sync_b
expect_eq "$(parked "$bkey")" 1 "budgets: both sides changed, the line is parked"
expect_eq "$(jq .stats.conflicts <<<"$OUT")" 0 "budgets: no side won by ownership"
expect_eq "$(writes)" 0 "budgets: the conflict writes nothing"
expect_eq "$(ns_total)" 4200000 "budgets: NetSuite keeps its 42000.00"
bitem=$(item_of "$bkey")
run "$BIN" review show acme "$bitem" --json
expect_eq "$(jq -c .actions <<<"$OUT")" '["take","ignore"]' "budgets: a conflict takes take, ignore"
expect_eq "$(jq -c '.payload | [.netsuite, .procore]' <<<"$OUT")" "[4200000,$rev]" "budgets: the item has both figures in cents"
run "$BIN" review resolve acme "$bitem" --take sideways --by alice --why "typo"
expect_rc 1 "budgets: --take names a side"
run "$BIN" review resolve acme "$bitem" --take netsuite --by alice --why "the signed owner budget is in NetSuite"
expect_rc 0 "budgets: --take netsuite"
expect_eq "$(audit_resolve "$bkey")" "take netsuite|alice|the signed owner budget is in NetSuite" "budgets: the resolve audit row has who and why"
expect_eq "$(open_of "$bkey")" 0 "budgets: the item leaves the open list"
sync_b
expect_rc 0 "budgets: the next run applies the decision"
expect_eq "$(pc_pending "$WBS")" "$((4200000 - rev))" "budgets: Procore takes NetSuite's figure as a budget change of the difference, to the cent"
expect_eq "$(bli_field 01-100 original_budget_amount)" 4000000 "budgets: the original is not rewritten"
expect_eq "$(ns_total)" 4200000 "budgets: NetSuite is not written"
row=$(sql "select payload from audit where action = 'conflict' and source_ref = 'pc:budget:$bkey' order by id desc limit 1")
expect_eq "$(jq -c '{netsuite, procore, owner}' <<<"$row")" "{\"netsuite\":4200000,\"procore\":$rev,\"owner\":\"netsuite\"}" "budgets: audited as a conflict with both figures and the side taken"
expect_eq "$(sql "select state from review_decision where source_ref = '$bkey'")" applied "budgets: the decision is applied"
sync_b
expect_eq "$(writes)" 0 "budgets: then nothing"
expect_eq "$(parked "$bkey")$(open_of "$bkey")" 00 "budgets: the resolved line never reappears"

# === cost codes: a conflict parked, Procore's name taken ==========================================
SEGT=customrecord_cseg_mlc_costcode
ns_code() { # CODE: the NetSuite segment value as {id,name,isinactive,externalid}, or null
  ns_admin GET /_sandbox/netsuite/dump/$SEGT |
    jq -c --arg c "$1" '[.rows[] | select(.externalid == $c or (.name | startswith($c + " ")))][0]'
}
pc_names() { # CODE: the names the linked projects give it, unique
  pc_admin GET /_sandbox/state/cost_codes |
    jq -r --arg c "$1" --argjson ps "$(jq -c '[.projects[].procore_project_id]' "$DATA/seed.json")" \
      '[.[] | select(.full_code == $c and .deleted_at == null and (._project_id as $p | $ps | index($p))) | .name] | unique | join(",")'
}
pc_count() { # CODE: how many linked projects hold it
  pc_admin GET /_sandbox/state/cost_codes |
    jq --arg c "$1" --argjson ps "$(jq -c '[.projects[].procore_project_id]' "$DATA/seed.json")" \
      '[.[] | select(.full_code == $c and .deleted_at == null and (._project_id as $p | $ps | index($p)))] | length'
}
sync_cc() { run "$BIN" sync acme --flow cost-codes --json; }
sync_cc
expect_rc 0 "cost codes: the first run"
cid=$(ns_code 03-300 | jq .id)
ccid=$(pc_api GET "/rest/v1.0/cost_codes?project_id=$p1&per_page=1000" | jq '[.[] | select(.full_code == "03-300")][0].id')
ns_admin PATCH "/_sandbox/netsuite/records/$SEGT/$cid" '{"name":"03-300 Concrete (NS)"}' >/dev/null
pc_api PATCH "/rest/v1.0/cost_codes/sync?project_id=$p1" "{\"updates\":[{\"id\":$ccid,\"name\":\"Concrete (PC)\"}]}" >/dev/null
sync_cc
expect_eq "$(parked cost_code:03-300)" 1 "cost codes: both sides renamed, the code is parked"
expect_eq "$(writes)" 0 "cost codes: the conflict writes nothing"
citem=$(item_of cost_code:03-300)
run "$BIN" review show acme "$citem" --json
expect_eq "$(jq -c .actions <<<"$OUT")" '["take","ignore"]' "cost codes: a conflict takes take, ignore"
run "$BIN" review resolve acme "$citem" --take procore --by bob --why "the field renamed it on purpose"
expect_rc 0 "cost codes: --take procore"
expect_eq "$(audit_resolve cost_code:03-300)" "take procore|bob|the field renamed it on purpose" "cost codes: the resolve audit row has who and why"
sync_cc
expect_rc 0 "cost codes: the next run applies the decision"
expect_eq "$(ns_code 03-300 | jq -r .name)" "03-300 Concrete (PC)" "cost codes: NetSuite takes Procore's name"
expect_eq "$(pc_names 03-300)" "Concrete (PC)" "cost codes: every project has it"
row=$(sql "select payload from audit where action = 'conflict' and source_ref = 'cost_code:03-300' order by id desc limit 1")
expect_eq "$(jq -r '.netsuite + " | " + .procore + " | " + .owner' <<<"$row")" "Concrete (NS) | Concrete (PC) | procore" "cost codes: audited as a conflict with both values and the side taken"
sync_cc
expect_eq "$(writes)" 0 "cost codes: then nothing"
expect_eq "$(parked cost_code:03-300)$(open_of cost_code:03-300)" 00 "cost codes: the resolved conflict never reappears"

# === cost codes: only in Procore under master netsuite, copied or kept apart ========================
"$BIN" tenant set acme --setting master.cost_codes='"netsuite"' >/dev/null
div03=$(pc_api GET "/rest/v1.0/cost_codes?project_id=$p1&per_page=1000" | jq '[.[] | select(.full_code == "03")][0].id')
pc_api PATCH "/rest/v1.0/cost_codes/sync?project_id=$p1" "{\"updates\":[{\"code\":\"460\",\"name\":\"Grout\",\"parent_id\":$div03},{\"code\":\"470\",\"name\":\"Field Trial Mix\",\"parent_id\":$div03}]}" >/dev/null
sync_cc
expect_eq "$(parked cost_code:03-460)$(parked cost_code:03-470)" 11 "one-sided: both Procore-only codes are parked"
g=$(item_of cost_code:03-460) t=$(item_of cost_code:03-470)
run "$BIN" review show acme "$g" --json
expect_eq "$(jq -c .actions <<<"$OUT")" '["take","ignore"]' "one-sided: take, ignore"
run "$BIN" review resolve acme "$g" --take netsuite --by carol --why "wrong side"
expect_rc 1 "one-sided: --take of the side that lacks the code is refused"
if grep -q "only in procore" <<<"$ERR"; then ok "one-sided: the refusal says where the code is"; else not_ok "refusal text" "$ERR"; fi
run "$BIN" review resolve acme "$g" --take procore --by carol --why "grout is a real cost code"
expect_rc 0 "one-sided: --take procore"
run "$BIN" review resolve acme "$t" --ignore --by carol --why "a trial, not a cost code"
expect_rc 0 "one-sided: --ignore"
expect_eq "$(audit_resolve cost_code:03-460)|$(audit_resolve cost_code:03-470)" "take procore|carol|grout is a real cost code|ignore -|carol|a trial, not a cost code" "one-sided: both resolve audit rows have who and why"
sync_cc
expect_rc 0 "one-sided: the next run applies the decisions"
g_ns=$(ns_code 03-460)
expect_eq "$(jq -r '.name + " " + .externalid + " " + .isinactive' <<<"$g_ns")" "03-460 Grout 03-460 F" "one-sided: the taken code is created in NetSuite"
expect_eq "$(pc_count 03-460)" "$nproj" "one-sided: and reaches every linked project"
expect_eq "$(sql "select json_extract(target, '$.segment_value') from mappings where kind = 'cost-code-segment' and source_key = '03-460'")" "$(jq .id <<<"$g_ns")" "one-sided: the segment mapping names the new value"
expect_eq "$(ns_code 03-470)" null "one-sided: the ignored code is not in NetSuite"
expect_eq "$(pc_count 03-470)" 1 "one-sided: and stays in its one project"
expect_eq "$(sql "select count(*) from review_decision where source_ref in ('cost_code:03-460', 'cost_code:03-470') and state = 'applied'")" 2 "one-sided: both decisions are applied"
sync_cc
expect_eq "$(writes)" 0 "one-sided: then nothing"
expect_eq "$(parked cost_code:03-460)$(parked cost_code:03-470)$(open_of cost_code:03-460)$(open_of cost_code:03-470)" 0000 "one-sided: neither item reappears"

# === vendors-back: ambiguous Procore vendors linked, created, ignored ===============================
"$BIN" tenant set acme --setting vendors_back.enabled=true >/dev/null
ns_vendor() { ns_admin POST /_sandbox/netsuite/records/vendor "{\"companyName\":\"$1\",\"subsidiary\":{\"id\":\"1\"}}" | jq -r .id; }
pc_vendor() { pc_api POST /rest/v1.0/vendors "{\"company_id\":$company,\"vendor\":{\"name\":\"$1\"}}" | jq .id; }
ns_named() { ns_admin GET /_sandbox/netsuite/dump/vendor | jq -c --arg re "$1" '[.rows[] | select(.companyname | test($re; "i"))]'; }
qa=$(ns_vendor "Quartz Masonry LLC")
ns_vendor "QUARTZ MASONRY INC" >/dev/null
ns_vendor "Onyx Tile LLC" >/dev/null
ns_vendor "ONYX TILE INC" >/dev/null
ns_vendor "Basalt Paving LLC" >/dev/null
ns_vendor "BASALT PAVING INC" >/dev/null
q=$(pc_vendor "Quartz Masonry") o=$(pc_vendor "Onyx Tile") b=$(pc_vendor "Basalt Paving")
run "$BIN" sync acme --flow vendors-back --json
expect_rc 0 "vendors-back: the run"
expect_eq "$(parked "pc:vendor:$q")$(parked "pc:vendor:$o")$(parked "pc:vendor:$b")" 111 "vendors-back: the three ambiguous vendors are parked"
qi=$(item_of "pc:vendor:$q") oi=$(item_of "pc:vendor:$o") bi=$(item_of "pc:vendor:$b")
run "$BIN" review show acme "$qi" --json
expect_eq "$(jq -c .actions <<<"$OUT")" '["link","create","ignore"]' "vendors-back: link, create, ignore"
run "$BIN" review resolve acme "$qi" --link 999999999 --by dan --why "typo"
expect_rc 1 "vendors-back: a link to a vendor NetSuite does not have is refused"
if grep -q "NetSuite has no vendor 999999999" <<<"$ERR"; then ok "vendors-back: the refusal names the id"; else not_ok "refusal text" "$ERR"; fi
expect_eq "$(open_of "pc:vendor:$q")" 1 "vendors-back: a refused decision leaves the item open"
run "$BIN" review resolve acme "$qi" --link "$qa" --by dan --why "same tax id as the LLC"
expect_rc 0 "vendors-back: --link"
run "$BIN" review resolve acme "$oi" --create --by dan --why "a different company"
expect_rc 0 "vendors-back: --create"
run "$BIN" review resolve acme "$bi" --ignore --by dan --why "closing"
expect_rc 0 "vendors-back: --ignore"
expect_eq "$(audit_resolve "pc:vendor:$q")" "link $qa|dan|same tax id as the LLC" "vendors-back: the resolve audit row has who and why"
run "$BIN" sync acme --flow vendors-back --json
expect_rc 0 "vendors-back: the next run applies the decisions"
expect_eq "$(sql "select netsuite_key from id_map where entity = 'vendor' and procore_key = '$q'")" "$qa" "vendors-back: linked to the chosen NetSuite vendor (id map)"
expect_eq "$(pc_admin GET /_sandbox/state/vendors | jq -r --argjson i "$q" '.[] | select(.id == $i) | .origin_id')" "ns:vendor:$qa" "vendors-back: and the Procore vendor carries its origin_id"
expect_eq "$(ns_named '^quartz masonry' | jq length)" 2 "vendors-back: no Quartz Masonry made"
expect_eq "$(ns_named '^onyx tile' | jq -c --arg e "pc:$company:vendor:$o" '[length, ([.[] | select(.externalid == $e)] | length)]')" "[3,1]" "vendors-back: --create made one NetSuite vendor keyed by the Procore vendor"
expect_eq "$(ns_named '^basalt paving' | jq length)" 2 "vendors-back: --ignore wrote nothing"
expect_eq "$(sql "select count(*) from review_decision where flow = 'vendors-back' and state = 'applied'")" 3 "vendors-back: each decision is applied"
run "$BIN" sync acme --flow vendors-back --full --json
expect_rc 0 "vendors-back: a full run"
expect_eq "$(parked "pc:vendor:$q")$(parked "pc:vendor:$o")$(parked "pc:vendor:$b")" 000 "vendors-back: no resolved vendor is parked again"
expect_eq "$(open_of "pc:vendor:$q")$(open_of "pc:vendor:$o")$(open_of "pc:vendor:$b")" 000 "vendors-back: resolved vendors never reappear"
expect_eq "$(ns_named '^onyx tile' | jq length)" 3 "vendors-back: the created vendor is not made twice"

finish
