#!/usr/bin/env bash
# Issue 16 section 4: the cost-code dimension is decided from the NetSuite
# account.  World 1: an account without the segment (sandbox
# --netsuite-segment none): costs post with the cost code in the line memo,
# reconcile compares per project x GL account and ties out, an explicit
# costs.use_segment=true fails naming the setting, cost-codes parks one
# review item.  World 2: a segment with another script id, set per tenant:
# lines carry it and reconcile ties out per cost code.  Usage: BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"

# --- settings are checked when set ----------------------------------------------------------------
world_start --netsuite-segment none
world_tenant acme
world_costs_mappings acme
DB=$WORK/ml-connector.db
sql() { store_sql "$DB" "$1"; }
company=$(jq .procore.company_id "$DATA/credentials.json")
run "$BIN" tenant set acme --setting netsuite.cost_code_segment=cseg_mlc_costcode_too_long
expect_rc 1 "a script id over 19 characters is refused"
expect_err "netsuite.cost_code_segment" "the message names the setting"
expect_err "at most 19" "the message gives the limit"
run "$BIN" tenant set acme --setting netsuite.cost_code_segment=custrecord_code
expect_rc 1 "a script id without the cseg prefix is refused"
run "$BIN" tenant set acme --setting netsuite.cost_code_segment=cseg_Cost
expect_rc 1 "a script id with an upper-case letter is refused"
run "$BIN" tenant set acme --setting costs.use_segment=maybe
expect_rc 1 "costs.use_segment other than auto/true/false is refused"
expect_err "costs.use_segment" "the message names costs.use_segment"
expect_eq "$(sql "select json_extract(settings, '$.netsuite.cost_code_segment') is null and json_extract(settings, '$.costs.use_segment') is null from tenants where name = 'acme'")" 1 "refused settings are not stored"

# --- segment absent, costs.use_segment true: the run fails and says why ----------------------------
"$BIN" tenant set acme --setting costs.use_segment=true >/dev/null
run "$BIN" sync acme --flow costs
expect_rc 1 "use_segment=true without the segment fails the run"
if grep -qF "setting costs.use_segment is true but NetSuite has no custom segment 'cseg_mlc_costcode'" <<<"$OUT$ERR"; then
  ok "the error names the setting and the segment"; else not_ok "error names the setting" "$OUT $ERR"; fi
expect_eq "$(ns_admin GET /_sandbox/netsuite/dump/transaction | jq '[.rows[] | select(.type == "Journal")] | length')" 0 "nothing was posted"

# --- segment absent, auto: memo carries the code, reconcile per GL account ties out ----------------
"$BIN" tenant set acme --setting costs.use_segment=auto >/dev/null
run "$BIN" sync acme --flow costs --json
expect_rc 0 "costs run with the segment absent (auto)"
posted=$(jq .stats.created <<<"$OUT")
if [ "$posted" -gt 0 ]; then ok "journal entries posted ($posted)"; else not_ok "journal entries posted" "$OUT"; fi
dc=$(sql "select doc_id from postings where doc_type <> 'payment_application' order by doc_id limit 1")
code=$(sql "select cost_code from postings where doc_id = $dc order by source_ref limit 1")
je=$(ns_admin GET /_sandbox/netsuite/dump/transaction | jq --arg e "pc:$company:dc:$dc" '[.rows[] | select(.externalid == $e)][0].id')
lines=$(ns_admin GET /_sandbox/netsuite/dump/transactionline | jq -c --argjson t "$je" '[.rows[] | select(.transaction == $t and .mainline == "F")]')
if jq -e --arg c "cost code $code | Procore direct cost $dc" 'any(.[]; (.memo // "") | startswith($c))' <<<"$lines" >/dev/null; then
  ok "the line memo leads with the cost code"; else not_ok "memo" "$lines"; fi
if jq -e 'all(.[]; (.cseg_mlc_costcode // null) == null)' <<<"$lines" >/dev/null; then
  ok "no segment column in an account without it"; else not_ok "no segment" "$lines"; fi
run "$BIN" reconcile acme
expect_rc 0 "reconcile ties out per GL account"
expect_out "Compared per project x GL account: NetSuite has no custom segment cseg_mlc_costcode" "the header says what is compared and why"
expect_out "GL ACCOUNT" "the column is the GL account"
run "$BIN" reconcile acme --format json
expect_eq "$(jq -r .compared_by <<<"$OUT")" account "json: compared_by account"
if jq -e '.rows | length > 0 and all(.[]; has("account") and (.cause == null))' <<<"$OUT" >/dev/null; then
  ok "json: every row per account ties out"; else not_ok "rows" "$OUT"; fi
run "$BIN" sync acme --flow cost-codes --json
expect_rc 0 "cost-codes without the segment does not fail"
expect_eq "$(jq .stats.parked <<<"$OUT")" 1 "cost-codes parks once"
expect_eq "$(sql "select count(*) from review where state = 'open' and entity = 'cost-code-segment'")" 1 "one open review item for the missing segment"
run "$BIN" sync acme --flow cost-codes
expect_eq "$(sql "select count(*) from review where entity = 'cost-code-segment'")" 1 "a second run keeps one review item"
stop

# --- world 2: a segment with another script id ----------------------------------------------------
rm -rf "$DIR/data" "$WORK"
cd /
world_start --netsuite-segment cseg_job_cc
expect_eq "$(jq -r .netsuite_cost_code_segment "$DATA/seed.json")" cseg_job_cc "the simulator has segment cseg_job_cc"
world_tenant acme
world_costs_mappings acme
DB=$WORK/ml-connector.db
"$BIN" tenant set acme --setting netsuite.cost_code_segment=cseg_job_cc >/dev/null
run "$BIN" sync acme --flow costs --json
expect_rc 0 "costs run with segment cseg_job_cc"
jes=$(ns_admin GET /_sandbox/netsuite/dump/transaction | jq -c '[.rows[] | select(.type == "Journal" and (.externalid | test(":dc:"))) | .id]')
tl=$(ns_admin GET /_sandbox/netsuite/dump/transactionline | jq -c --argjson j "$jes" '[.rows[] | select(.mainline == "F" and (.transaction as $t | $j | index($t)))]')
if jq -e 'length > 0 and all(.[]; (.cseg_job_cc // 0) > 0)' <<<"$tl" >/dev/null; then
  ok "journal lines carry segment cseg_job_cc"; else not_ok "segment on lines" "$(head -c 400 <<<"$tl")"; fi
run "$BIN" reconcile acme
expect_rc 0 "reconcile per cost code ties out"
expect_out "Compared per project x cost code: custom segment cseg_job_cc" "the header names the segment"
run "$BIN" sync acme --flow cost-codes --json
expect_rc 0 "cost-codes reads segment cseg_job_cc"
expect_eq "$(jq .stats.read <<<"$OUT")" "$(jq '.netsuite_cost_code_segments | length' "$DATA/seed.json")" "every value of cseg_job_cc read"
finish
