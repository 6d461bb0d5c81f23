#!/usr/bin/env bash
# Issue 9 against the sandbox: cost codes both ways between the NetSuite
# cost-code segment and every linked Procore project's cost codes.
# Usage: test_cost_codes.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
world_start
world_tenant acme
world_costs_mappings acme
DB=$WORK/ml-connector.db
sql() { store_sql "$DB" "$1"; }
tok=$(pc_token)
company=$(jq .procore.company_id "$DATA/credentials.json")
nproj=$(jq '.projects | length' "$DATA/seed.json")
projects=$(jq -r '.projects[].procore_project_id' "$DATA/seed.json")
p1=$(head -1 <<<"$projects")
SEG=customrecord_cseg_mlc_costcode

# ns_code CODE: the NetSuite segment value of a code as {id,name,isinactive}, or null
ns_code() {
  ns_admin GET /_sandbox/netsuite/dump/$SEG |
    jq -c --arg c "$1" '[.rows[] | select(.externalid == $c or (.name | startswith($c + " ")))][0]'
}
# pc_codes CODE: "project name" for every linked project holding the code (deleted ones not listed)
pc_codes() {
  pc_admin GET /_sandbox/state/cost_codes |
    jq -r --arg c "$1" --argjson ps "$(jq -c '[.projects[].procore_project_id]' "$DATA/seed.json")" \
      '.[] | select(.full_code == $c and .deleted_at == null and (._project_id as $p | $ps | index($p))) | "\(._project_id) \(.name)"'
}
# std_code CODE: the company standard list's code as {id,name} (null when not there)
std_code() {
  local l
  l=$(pc_api GET "/rest/v1.0/standard_cost_code_lists?company_id=$company" | jq '[.[] | select(.is_erp_list)][0].id')
  pc_api GET "/rest/v1.0/standard_cost_codes?company_id=$company&standard_cost_code_list_id=$l&per_page=1000" |
    jq -c --arg c "$1" '[.[] | select(.full_code == $c)][0]'
}
pc_code_id() { # PROJECT CODE
  pc_api GET "/rest/v1.0/cost_codes?project_id=$1&per_page=1000" | jq --arg c "$2" '[.[] | select(.full_code == $c)][0].id'
}
writes() { # the --json result's writes on both sides
  jq '.calls.netsuite.writes + .calls.procore.writes' <<<"$OUT"
}
sync_cc() { run "$BIN" sync acme --flow cost-codes --json; }

# --- the seeded contractor agrees on both sides ------------------------------------------------
sync_cc
expect_rc 0 "first run"
expect_eq "$(writes)" 0 "seeded codes agree: no write"
expect_eq "$(jq .stats.read <<<"$OUT")" "$(jq '.netsuite_cost_code_segments | length' "$DATA/seed.json")" "every seeded code read once"

# --- NetSuite division values are groupings, not codes: no copy beside Procore's divisions ----------
ns_admin POST /_sandbox/netsuite/records/$SEG '{"name":"03 Concrete"}' >/dev/null
grp=$(ns_admin POST /_sandbox/netsuite/records/$SEG '{"name":"31 Earthwork Group"}' | jq -r .id)
c31=$(ns_admin GET /_sandbox/netsuite/dump/$SEG | jq -r '[.rows[] | select(.externalid // "" | startswith("31-"))][0].id')
ns_admin PATCH "/_sandbox/netsuite/records/$SEG/$c31" "{\"parent\":{\"id\":\"$grp\"}}" >/dev/null
sync_cc
expect_rc 0 "division values"
expect_eq "$(writes)" 0 "a NetSuite value naming a Procore division, or grouping others, is written nowhere"
expect_eq "$(pc_admin GET /_sandbox/state/cost_codes | jq --argjson c "$company" '[.[] | select(._company_id == $c and .deleted_at == null and (.full_code == "03" or .full_code == "31"))] | group_by(._project_id) | map(length) | unique | tostring' -r)" "[2]" "each project keeps one division 03 and one 31"

# --- dry run writes nothing ---------------------------------------------------------------------
ns_admin POST /_sandbox/netsuite/records/$SEG '{"name":"07-550 Sheet Metal Roofing"}' >/dev/null
audit0=$(sql 'select count(*) from audit')
reset_stats
run "$BIN" sync acme --flow cost-codes --dry-run --json
expect_rc 0 "dry run"
expect_eq "$(jq '[.plan[] | select(.action == "create")] | length' <<<"$OUT")" 1 "dry run plans one create"
expect_eq "$(pc_calls '(PATCH|POST|DELETE) /rest')" 0 "dry run: no Procore write"
expect_eq "$(sql 'select count(*) from audit')" "$audit0" "dry run: no audit row"
expect_eq "$(pc_codes 07-550 | wc -l)" 0 "dry run: the code is not in Procore"

# --- a code created in NetSuite reaches every linked project, division first --------------------
reset_stats
sync_cc
expect_rc 0 "NetSuite code pushed"
expect_eq "$(pc_codes 07-550 | wc -l)" "$nproj" "the NetSuite code is in every linked project"
expect_eq "$(pc_codes 07-550 | cut -d' ' -f2- | sort -u)" "Sheet Metal Roofing" "with its name (code prefix stripped)"
expect_eq "$(std_code 07-550 | jq -r .name)" "Sheet Metal Roofing" "and in the company's standard cost code list"
nsid=$(ns_code 07-550 | jq .id)
expect_eq "$(sql "select json_extract(target, '$.segment_value') from mappings where kind = 'cost-code-segment' and source_key = '07-550'")" "$nsid" "mapping cost-code-segment updated"
origin=$(pc_api GET "/rest/v1.0/cost_codes?project_id=$p1&per_page=1000" | jq -r '.[] | select(.full_code == "07-550") | .origin_id')
expect_eq "$origin" "ns:costcode:$nsid:$p1" "origin_id names the NetSuite value and the project"
sync_cc
expect_eq "$(writes)" 0 "second run writes nothing (no echo)"

# a code in a division no project has yet: the division is created first
ns_admin POST /_sandbox/netsuite/records/$SEG '{"name":"48-100 Solar Photovoltaic"}' >/dev/null
sync_cc
expect_eq "$(pc_codes 48-100 | wc -l)" "$nproj" "a code of a new division reaches every project"
divs=0
for p in $projects; do
  pc_api GET "/rest/v1.0/cost_codes?project_id=$p&per_page=1000" | jq -e '.[] | select(.full_code == "48" and .parent == null)' >/dev/null && divs=$((divs + 1))
done
expect_eq "$divs" "$nproj" "under a new division 48 in every project"
sync_cc
expect_eq "$(writes)" 0 "the new division is not read back as a cost code"

# --- lost answers on both sides: retried and rerun, nothing is created twice -----------------------
ns_admin POST /_sandbox/netsuite/records/$SEG '{"name":"49-100 Lost Answers"}' >/dev/null
pc_admin POST /_sandbox/faults '{"faults":"pc:lost=0.4"}' >/dev/null
ns_admin POST /_sandbox/faults '{"faults":"ns:lost=0.3"}' >/dev/null
for i in 1 2 3 4 5 6 7 8 9 10; do "$BIN" sync acme --flow cost-codes >/dev/null 2>&1 && break || true; done
pc_admin POST /_sandbox/faults '{"faults":""}' >/dev/null
ns_admin POST /_sandbox/faults '{"faults":""}' >/dev/null
sync_cc
expect_rc 0 "settles after lost answers"
st=$(pc_admin GET /_sandbox/state/cost_codes)
expect_eq "$(jq -r --argjson c "$company" '[.[] | select(._company_id == $c and .deleted_at == null and (.full_code == "49" or .full_code == "49-100"))] | group_by(._project_id) | map(length) | unique | tostring' <<<"$st")" "[2]" "each project has division 49 and 49-100 exactly once"
expect_eq "$(pc_admin GET /_sandbox/state/standard_cost_codes | jq '[.[] | select(.deleted_at == null and (.full_code == "49" or .full_code == "49-100"))] | length')" 2 "and so does the standard list"
expect_eq "$(pc_codes 49-100 | wc -l)" "$nproj" "in every linked project"

# --- a code created in one Procore project reaches NetSuite and the other projects ---------------
div03=$(pc_api GET "/rest/v1.0/cost_codes?project_id=$p1&per_page=1000" | jq '[.[] | select(.full_code == "03")][0].id')
pc_api PATCH "/rest/v1.0/cost_codes/sync?project_id=$p1" "{\"updates\":[{\"code\":\"450\",\"name\":\"Precast Concrete Stairs\",\"parent_id\":$div03}]}" >/dev/null
reset_stats
sync_cc
expect_rc 0 "Procore code pulled"
n=$(ns_code 03-450)
expect_eq "$(jq -r .name <<<"$n")" "03-450 Precast Concrete Stairs" "NetSuite value created with code and name"
expect_eq "$(jq -r .externalid <<<"$n")" "03-450" "externalId is the code"
expect_eq "$(pc_codes 03-450 | wc -l)" "$nproj" "the other projects got it too"
expect_eq "$(std_code 03-450 | jq -r .name)" "Precast Concrete Stairs" "and the standard list"
expect_eq "$(sql "select json_extract(target, '$.segment_value') from mappings where kind = 'cost-code-segment' and source_key = '03-450'")" "$(jq .id <<<"$n")" "mapping updated for the Procore code"
sync_cc
expect_eq "$(writes)" 0 "nothing comes back"

# --- mapping drift: the new codes have no GL account mapping --------------------------------------
run "$BIN" mapping check acme --json
expect_rc 1 "mapping check reports drift"
expect_eq "$(jq -c '[.unmapped_cost_codes[] | select(. == "03-450" or . == "07-550")] | sort' <<<"$OUT")" '["03-450","07-550"]' "both new codes listed unmapped"

# --- rename and deactivate, from each side ------------------------------------------------------
ns_admin PATCH "/_sandbox/netsuite/records/$SEG/$nsid" '{"name":"07-550 Metal Roofing and Flashing"}' >/dev/null
reset_stats
sync_cc
expect_eq "$(pc_codes 07-550 | cut -d' ' -f2- | sort -u)" "Metal Roofing and Flashing" "NetSuite rename reaches every project"
expect_eq "$(pc_calls 'PATCH /rest/v1.0/cost_codes/sync')" "$nproj" "one sync call per project"
id=$(pc_code_id "$p1" 03-450)
pc_api PATCH "/rest/v1.0/cost_codes/sync?project_id=$p1" "{\"updates\":[{\"id\":$id,\"name\":\"Precast Stairs and Landings\"}]}" >/dev/null
sync_cc
expect_eq "$(ns_code 03-450 | jq -r .name)" "03-450 Precast Stairs and Landings" "Procore rename reaches NetSuite"
expect_eq "$(pc_codes 03-450 | cut -d' ' -f2- | sort -u)" "Precast Stairs and Landings" "and the other projects"
ns_admin PATCH "/_sandbox/netsuite/records/$SEG/$nsid" '{"isInactive":true}' >/dev/null
sync_cc
expect_eq "$(pc_codes 07-550 | wc -l)" 0 "inactive in NetSuite: removed from every project"
expect_eq "$(std_code 07-550)" null "and from the standard list"
pc_api DELETE "/rest/v1.0/cost_codes/$id?project_id=$p1" >/dev/null
sync_cc
expect_eq "$(ns_code 03-450 | jq -r .isinactive)" "T" "removed in Procore: inactive in NetSuite"
expect_eq "$(pc_codes 03-450 | wc -l)" 0 "and removed from the other projects"
sync_cc
expect_eq "$(writes)" 0 "deactivations settle"
ns_admin PATCH "/_sandbox/netsuite/records/$SEG/$nsid" '{"isInactive":false}' >/dev/null
sync_cc
expect_eq "$(pc_codes 07-550 | wc -l)" "$nproj" "reactivated in NetSuite: back in every project"

# --- conflict: both sides rename; the owner (NetSuite by default) wins, audited ------------------
cid=$(ns_code 03-300 | jq .id)
ns_admin PATCH "/_sandbox/netsuite/records/$SEG/$cid" '{"name":"03-300 Cast-in-Place Concrete (NS)"}' >/dev/null
id=$(pc_code_id "$p1" 03-300)
pc_api PATCH "/rest/v1.0/cost_codes/sync?project_id=$p1" "{\"updates\":[{\"id\":$id,\"name\":\"Cast-in-Place Concrete (PC)\"}]}" >/dev/null
sync_cc
expect_eq "$(jq .stats.conflicts <<<"$OUT")" 1 "one conflict"
expect_eq "$(pc_codes 03-300 | cut -d' ' -f2- | sort -u)" "Cast-in-Place Concrete (NS)" "NetSuite owns the name: its value everywhere"
row=$(sql "select payload from audit where action = 'conflict' and source_ref = 'cost_code:03-300' order by id desc limit 1")
expect_eq "$(jq -r '.netsuite + " | " + .procore + " | " + .owner' <<<"$row")" "Cast-in-Place Concrete (NS) | Cast-in-Place Concrete (PC) | netsuite" "the audit row has both values and the owner"
aid=$(sql "select id from audit where action = 'conflict' and source_ref = 'cost_code:03-300' order by id desc limit 1")
run "$BIN" audit show "$aid"
expect_rc 0 "audit show the conflict"
if grep -q 'Cast-in-Place Concrete (PC)' <<<"$OUT"; then ok "audit show prints the losing value"; else not_ok "audit show" "$OUT"; fi
"$BIN" tenant set acme --setting owners.cost_codes.name='"procore"' >/dev/null
ns_admin PATCH "/_sandbox/netsuite/records/$SEG/$cid" '{"name":"03-300 Concrete NS2"}' >/dev/null
pc_api PATCH "/rest/v1.0/cost_codes/sync?project_id=$p1" "{\"updates\":[{\"id\":$id,\"name\":\"Concrete PC2\"}]}" >/dev/null
sync_cc
expect_eq "$(ns_code 03-300 | jq -r .name)" "03-300 Concrete PC2" "owner set to procore: Procore's name wins"
expect_eq "$(pc_codes 03-300 | cut -d' ' -f2- | sort -u)" "Concrete PC2" "in every project"

# --- Procore refuses the writes: nothing is lost, the next run writes them -----------------------
ns_admin PATCH "/_sandbox/netsuite/records/$SEG/$nsid" '{"name":"07-550 Roofing (retry)"}' >/dev/null
pc_admin POST /_sandbox/faults '{"faults":"pc:reject=1.0"}' >/dev/null
sync_cc
expect_rc 1 "refused writes fail the run"
expect_eq "$(jq '.stats.failed > 0' <<<"$OUT")" true "the failures are counted"
expect_eq "$(sql "select json_extract(base, '$.name') from md_base where type = 'cost_codes' and key = '07-550'")" "Metal Roofing and Flashing" "the agreed value stays the old one"
pc_admin POST /_sandbox/faults '{"faults":""}' >/dev/null
sync_cc
expect_rc 0 "the next run"
expect_eq "$(pc_codes 07-550 | cut -d' ' -f2- | sort -u)" "Roofing (retry)" "writes the rename to every project"
sync_cc
expect_eq "$(writes)" 0 "and then nothing"

# --- a rename in the company standard list reaches NetSuite and the projects ------------------------
sid=$(std_code 03-300 | jq .id)
lid=$(pc_api GET "/rest/v1.0/standard_cost_code_lists?company_id=$company" | jq '[.[] | select(.is_erp_list)][0].id')
pc_admin PATCH /_sandbox/standard_cost_codes/sync "{\"company_id\":$company,\"standard_cost_code_list_id\":$lid,\"updates\":[{\"id\":$sid,\"name\":\"Concrete Std\"}]}" >/dev/null
sync_cc
expect_eq "$(ns_code 03-300 | jq -r .name)" "03-300 Concrete Std" "a standard list rename reaches NetSuite"
expect_eq "$(pc_codes 03-300 | cut -d' ' -f2- | sort -u)" "Concrete Std" "and every project"

# --- no ping-pong: ten alternating changes, each settles in one run ------------------------------
bad=0
for i in 1 2 3 4 5 6 7 8 9 10; do
  if [ $((i % 2)) -eq 1 ]; then
    ns_admin PATCH "/_sandbox/netsuite/records/$SEG/$cid" "{\"name\":\"03-300 Concrete round $i\"}" >/dev/null
    want=$((nproj + 1)) # one rename per project and the standard list
  else
    pc_api PATCH "/rest/v1.0/cost_codes/sync?project_id=$p1" "{\"updates\":[{\"id\":$id,\"name\":\"Concrete round $i\"}]}" >/dev/null
    want=$((nproj + 1)) # NetSuite, the other projects and the standard list
  fi
  sync_cc
  [ "$(writes)" -eq "$want" ] || { bad=1; echo "    round $i: $(writes) writes, wanted $want"; }
  sync_cc
  [ "$(writes)" -eq 0 ] || { bad=1; echo "    round $i: the change came back ($(writes) writes)"; }
done
expect_eq "$bad" 0 "ten alternating changes: each written once, none comes back"
expect_eq "$(ns_code 03-300 | jq -r .name)" "03-300 Concrete round 10" "the last change stands in NetSuite"
expect_eq "$(pc_codes 03-300 | cut -d' ' -f2- | sort -u)" "Concrete round 10" "and in every project"

# --- master netsuite: a Procore-only code is parked, not copied ---------------------------------
"$BIN" tenant set acme --setting master.cost_codes='"netsuite"' >/dev/null
pc_api PATCH "/rest/v1.0/cost_codes/sync?project_id=$p1" "{\"updates\":[{\"code\":\"460\",\"name\":\"Grout\",\"parent_id\":$div03}]}" >/dev/null
sync_cc
expect_eq "$(jq .stats.parked <<<"$OUT")" 1 "parked"
expect_eq "$(ns_code 03-460)" null "not created in NetSuite"
run "$BIN" review list acme --json
if jq -e '.[] | select(.source_ref == "cost_code:03-460")' <<<"$OUT" >/dev/null; then ok "in the review list"; else not_ok "review" "$OUT"; fi
"$BIN" tenant set acme --setting master.cost_codes='"sideways"' >/dev/null
sync_cc
expect_rc 1 "a bad master setting fails the run"
if grep -q "master.cost_codes" <<<"$ERR$OUT"; then ok "the error names the setting"; else not_ok "bad setting message" "$ERR"; fi
"$BIN" tenant set acme --setting master.cost_codes='"both"' >/dev/null
sync_cc
expect_eq "$(ns_code 03-460 | jq -r .name)" "03-460 Grout" "master both again: the parked code reaches NetSuite"
expect_eq "$(sql "select state from review where source_ref = 'cost_code:03-460'")" resolved "and its review item is resolved"

# --- GL accounts: the chart of accounts into the catalog, mapped accounts checked ---------------
nacct=$(ns_admin GET /_sandbox/netsuite/dump/account | jq '.rows | length')
run "$BIN" sync acme --flow accounts --json
expect_rc 0 "accounts flow"
expect_eq "$(jq .stats.read <<<"$OUT")" "$nacct" "every account read"
expect_eq "$(sql 'select count(*) from account_catalog')" "$nacct" "into the catalog"
expect_eq "$(jq .stats.parked <<<"$OUT")" 0 "the sandbox's mappings are all postable"
acct=$(grep '^03-300,M,' "$DATA/mappings/cost-code-account.csv" | cut -d, -f3)
ns_admin PATCH "/_sandbox/netsuite/records/account/$acct" '{"isInactive":true}' >/dev/null
run "$BIN" sync acme --flow accounts --json
if jq -e '.plan[] | select(.action == "park" and .source == "cost-code-account:03-300|M")' <<<"$OUT" >/dev/null; then ok "a mapping to an inactive account is parked"; else not_ok "inactive account" "$OUT"; fi
expect_eq "$(sql "select inactive from account_catalog where account_id = $acct")" 1 "the catalog knows it is inactive"
expect_eq "$(sql "select state from review where source_ref = 'cost-code-account:03-300|M'")" open "on the review list"
ns_admin PATCH "/_sandbox/netsuite/records/account/$acct" '{"isInactive":false}' >/dev/null
run "$BIN" sync acme --flow accounts --json
expect_eq "$(jq .stats.parked <<<"$OUT")" 0 "active again: nothing parked"
expect_eq "$(sql "select state from review where source_ref = 'cost-code-account:03-300|M'")" resolved "and the review item is resolved"

finish
