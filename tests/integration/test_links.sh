#!/usr/bin/env bash
# Issue 16 section 3 against the sandbox: project links that carry what
# NetSuite needs.
#  - `project link` with only --procore-project and --netsuite-job reads the
#    job's subsidiary and customer; the costs flow posts journal entries that
#    carry that subsidiary;
#  - a mismatching --subsidiary is refused, and so is any link when NetSuite
#    cannot be reached; neither saves anything;
#  - a link made before this change (no subsidiary): mapping check and ping
#    report it with the fix, and the costs flow sends nothing for it;
#  - an inactive department, a department not available to the job's
#    subsidiary (and one made available by "include children"), a missing
#    job and a Procore project not in the company: mapping check exits 1,
#    ping fails, each with the exact fix.
# Usage: test_links.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
world_start
world_tenant acme # links every seeded project with the seed's --subsidiary: checked, accepted
world_costs_mappings acme
DB=$WORK/ml-connector.db
sql() { store_sql "$DB" "$1"; }
company=$(jq .procore.company_id "$DATA/credentials.json")
p0=$(jq '.projects[0].procore_project_id' "$DATA/seed.json"); j0=$(jq '.projects[0].netsuite_job_id' "$DATA/seed.json")
p1=$(jq '.projects[1].procore_project_id' "$DATA/seed.json"); j1=$(jq '.projects[1].netsuite_job_id' "$DATA/seed.json")
p2=$(jq '.projects[2].procore_project_id' "$DATA/seed.json")
link_of() { "$BIN" project list acme --json | jq -c --argjson p "$1" '.[] | select(.procore_project_id == $p)'; }
job_row() { ns_admin GET /_sandbox/netsuite/dump/job | jq -c --argjson j "$1" '.rows[] | select(.id == $j)'; }
expect_eq "$("$BIN" project list acme --json | jq '[.[] | select(.subsidiary_id == null)] | length')" 0 \
  "links made with a matching --subsidiary are kept"
# keep two projects linked: the costs run below stays small
jq -r '.projects[2:][] | .procore_project_id' "$DATA/seed.json" | while read -r p; do
  "$BIN" project unlink acme --procore-project "$p" >/dev/null
done

# --- a link from the job alone --------------------------------------------------------------
run "$BIN" project link acme --procore-project "$p0" --netsuite-job "$j0"
expect_rc 0 "project link with only the project and the job"
sub=$(job_row "$j0" | jq .subsidiary); cust=$(job_row "$j0" | jq .parent)
expect_out "subsidiary $sub" "project link says which subsidiary it read"
expect_eq "$(link_of "$p0" | jq -c '[.subsidiary_id, .customer_id, .department_id]')" "[$sub,$cust,null]" \
  "the link carries the job's subsidiary and customer"
reset_stats
run "$BIN" sync acme --flow costs --json
expect_rc 0 "costs run for a link made from the job"
created=$(jq .stats.created <<<"$OUT")
if [ "$created" -gt 0 ]; then ok "journal entries posted ($created)"; else not_ok "journal entries posted" "$OUT"; fi
ids=$(ns_admin GET /_sandbox/netsuite/dump/transaction | jq -c --arg pre "pc:$company:" \
  '[.rows[] | select(.recordtype == "journalentry" and (.externalid // "" | startswith($pre))) | .id]')
subs=$(ns_admin GET /_sandbox/netsuite/dump/transactionline | jq -c --argjson ids "$ids" \
  '[.rows[] | select(.transaction as $t | $ids | index($t)) | .subsidiary] | unique')
expect_eq "$(jq length <<<"$ids")" "$created" "every posted entry is in NetSuite"
expect_eq "$subs" "[$sub]" "every line of the posted entries carries the job's subsidiary"

# --- refused links save nothing -------------------------------------------------------------
ns_admin POST /_sandbox/netsuite/records/subsidiary '{"name":"Meridian Nevada","parent":{"id":"1"}}' >/dev/null
sub2=$(ns_admin GET /_sandbox/netsuite/dump/subsidiary | jq '[.rows[] | select(.name == "Meridian Nevada")][0].id')
before=$(link_of "$p0")
run "$BIN" project link acme --procore-project "$p0" --netsuite-job "$j0" --subsidiary "$sub2"
expect_rc 1 "a --subsidiary the job does not have is refused"
expect_err "--subsidiary $sub2 does not match NetSuite job $j0, which belongs to subsidiary $sub" \
  "the refusal names both subsidiaries"
run "$BIN" project link acme --procore-project "$p0" --netsuite-job "$j1"
expect_rc 1 "a job linked to another project is refused"
run "$BIN" project link acme --procore-project "$p0" --netsuite-job 999999
expect_rc 1 "a job NetSuite does not have is refused"; expect_err "NetSuite has no job 999999" "the missing job is named"
"$BIN" tenant set acme --netsuite-url http://127.0.0.1:9 >/dev/null
run "$BIN" project link acme --procore-project "$p0" --netsuite-job "$j0"
expect_rc 1 "no link while NetSuite cannot be reached"; expect_err "nothing was saved" "the refusal says nothing was saved"
"$BIN" tenant set acme --netsuite-url "$NS_URL" >/dev/null
expect_eq "$(link_of "$p0")" "$before" "refused links left the stored link as it was"

# --- a link from before this change: no subsidiary ------------------------------------------
sql "UPDATE project_links SET subsidiary_id = NULL WHERE procore_project_id = $p0"
fix0="ml-connector project link acme --procore-project $p0 --netsuite-job $j0"
run "$BIN" mapping check acme --json
expect_rc 1 "mapping check fails on a link without a subsidiary"
expect_eq "$(jq -r --argjson p "$p0" '.bad_links[] | select(.procore_project_id == $p) | .fix' <<<"$OUT")" \
  "run \`$fix0\`" "the fix relinks from the job"
run "$BIN" ping acme
expect_rc 1 "ping fails on a link without a subsidiary"
if grep -qF -- "FAIL link.$p0" <<<"$OUT" && grep -qF -- "the link has no subsidiary" <<<"$OUT"; then
  ok "ping names the link"; else not_ok "ping names the link" "$OUT"; fi
reset_stats
run "$BIN" sync acme --flow costs --full
expect_rc 1 "the costs flow refuses a link without a subsidiary"
expect_out "the link has no subsidiary, so NetSuite would refuse its journal entries; run \`$fix0\`" \
  "with the fix"
expect_eq "$(ns_calls 'PUT /services/rest/record')" 0 "no journal entry was sent"
run "$BIN" project link acme --procore-project "$p0" --netsuite-job "$j0"
expect_rc 0 "relinking fixes it"

# --- dimensions NetSuite would refuse --------------------------------------------------------
# project 0: an inactive department
ns_admin PATCH /_sandbox/netsuite/records/department/3 '{"isInactive":true}' >/dev/null
"$BIN" project link acme --procore-project "$p0" --netsuite-job "$j0" --department 3 --class 1 >/dev/null
# project 1: its job moved to a child subsidiary; department 2 is listed for the parent only
ns_admin PATCH "/_sandbox/netsuite/records/job/$j1" "{\"subsidiary\":{\"id\":\"$sub2\"}}" >/dev/null
run "$BIN" project link acme --procore-project "$p1" --netsuite-job "$j1" --department 2
expect_out "subsidiary $sub2" "a relink reads the job's new subsidiary"
# project 2: its job is gone from NetSuite, and its Procore id is not in the company
"$BIN" project link acme --procore-project "$p2" --netsuite-job "$(jq '.projects[2].netsuite_job_id' "$DATA/seed.json")" >/dev/null
sql "UPDATE project_links SET netsuite_job_id = 999999, procore_project_id = 1 WHERE procore_project_id = $p2"
run "$BIN" mapping check acme --json
expect_rc 1 "mapping check exits 1 on bad links"
bad() { jq -r --argjson p "$1" '.bad_links[] | select(.procore_project_id == $p) | .detail' <<<"$OUT"; }
expect_eq "$(bad "$p0")" "project $p0 -> job $j0: department 3 is inactive; run \`ml-connector project link acme --procore-project $p0 --netsuite-job $j0 --department <id> --class 1\`" \
  "an inactive department, with the fix"
expect_eq "$(bad "$p1")" "project $p1 -> job $j1: department 2 is not available to subsidiary $sub2; run \`ml-connector project link acme --procore-project $p1 --netsuite-job $j1 --department <id>\`" \
  "a department not available to the job's subsidiary, with the fix"
d1=$(bad 1)
if grep -qF "job 999999 does not exist in NetSuite" <<<"$d1" && grep -qF -- "--netsuite-job <id>" <<<"$d1" &&
  grep -qF "Procore project 1 is not in company $company" <<<"$d1" &&
  grep -qF "\`ml-connector project unlink acme --procore-project 1\`" <<<"$d1"; then
  ok "a missing job and a Procore project outside the company, with their fixes"
else not_ok "missing job and Procore project" "$d1"; fi
run "$BIN" ping acme --json
expect_rc 1 "ping fails on bad links"
expect_eq "$(jq -c '[.checks[] | select(.check | startswith("link.")) | select(.ok | not) | .check] | sort' <<<"$OUT")" \
  "$(jq -nc --arg a "link.$p0" --arg b "link.$p1" '[$a, $b, "link.1"] | sort')" "ping fails exactly the bad links"
if jq -e --argjson p "$p0" '.checks[] | select(.check == "link.\($p)") | .detail | contains("department 3 is inactive; run `ml-connector project link")' <<<"$OUT" >/dev/null; then
  ok "ping gives the fix"; else not_ok "ping gives the fix" "$OUT"; fi
# include children: department 2 listed for the parent reaches the child subsidiary
ns_admin PATCH /_sandbox/netsuite/records/department/2 '{"includeChildren":true}' >/dev/null
ns_admin PATCH /_sandbox/netsuite/records/department/3 '{"isInactive":false}' >/dev/null
sql "DELETE FROM project_links WHERE procore_project_id = 1"
run "$BIN" mapping check acme --json
expect_eq "$(jq -c '.bad_links' <<<"$OUT")" "[]" "include children and a reactivated department clear the links"
run "$BIN" ping acme
if grep -qF -- "ok   link.$p1" <<<"$OUT"; then ok "ping passes the fixed link"; else not_ok "ping passes the fixed link" "$OUT"; fi
finish
