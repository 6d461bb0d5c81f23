#!/usr/bin/env bash
# Issue 8 against the sandbox: approved Procore direct costs into NetSuite
# journal entries (per-document mode), edits, closed periods, deletes,
# faults, and reconcile.  Usage: test_flow_costs.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
world_start
world_tenant acme
world_costs_mappings acme
# costs.use_segment is left at auto: the sandbox's account has the segment
DB=$WORK/ml-connector.db
sql() { store_sql "$DB" "$1"; }
company=$(jq .procore.company_id "$DATA/credentials.json")
project=$(jq '.projects[0].procore_project_id' "$DATA/seed.json")
tok=$(pc_token)

# a field user's direct cost on PROJECT with lines "CODE:TYPE:AMOUNT ...", dated DATE
new_dc() { # date invoice lines...
  local date=$1 inv=$2; shift 2
  local lines="[]" cc lit
  for l in "$@"; do
    IFS=: read -r code type amount <<<"$l"
    cc=$(pc_admin GET /_sandbox/state/cost_codes | jq --argjson p "$project" --arg c "$code" '[.[] | select(.biller_id == $p and .full_code == $c)][0].id')
    lit=$(pc_admin GET /_sandbox/state/line_item_types | jq --arg t "$type" --argjson c "$company" '[.[] | select(.code == $t)][0].id')
    lines=$(jq -c --argjson cc "$cc" --argjson lit "$lit" --arg a "$amount" '. + [{amount: $a, cost_code_id: $cc, line_item_type_id: $lit}]' <<<"$lines")
  done
  local vendor
  vendor=$(pc_admin GET /_sandbox/state/vendors | jq --argjson c "$company" '[.[] | select(._company_id == $c)][0].id')
  pc_admin POST /_sandbox/direct_costs "$(jq -nc --argjson p "$project" --arg d "$date" --arg i "$inv" --argjson v "$vendor" --argjson l "$lines" \
    '{project_id: $p, invoice_number: $i, vendor_id: $v, direct_cost_type: "invoice", direct_cost_date: $d, line_items: $l}')" | jq .id
}
approve() { pc_admin POST "/_sandbox/direct_costs/$1/approve" >/dev/null; }
je_of() { ns_admin GET /_sandbox/netsuite/dump/transaction | jq -c "[.rows[] | select(.externalid == \"$1\")]"; }

# --- mapping check: drift shows before a posting parks ------------------------------------------
run "$BIN" mapping check acme
expect_rc 0 "mapping check: the sandbox's mappings cover every code"
acct=$(grep '^03-300,M,' "$DATA/mappings/cost-code-account.csv" | cut -d, -f3)
sql "delete from mappings where kind = 'cost-code-account' and source_key like '22-100|%'"
ns_admin PATCH "/_sandbox/netsuite/records/account/$acct" '{"isInactive":true}' >/dev/null
run "$BIN" mapping check acme --json
expect_rc 1 "mapping check finds drift"
expect_eq "$(jq -c .unmapped_cost_codes <<<"$OUT")" '["22-100"]' "an unmapped code is listed"
if jq -e '.bad_accounts[] | select(.mapping == "03-300|M" and .problem == "inactive")' <<<"$OUT" >/dev/null; then ok "a mapping to an inactive account is listed"; else not_ok "inactive account" "$OUT"; fi
ns_admin PATCH "/_sandbox/netsuite/records/account/$acct" '{"isInactive":false}' >/dev/null
"$BIN" mapping import acme cost-code-account "$DATA/mappings/cost-code-account.csv" >/dev/null
run "$BIN" mapping check acme
expect_rc 0 "mapping check is clean again"

# --- initial load: every approved cost once, balanced, tying out ------------------------------
reset_stats
run "$BIN" sync acme --flow costs --json
expect_rc 0 "costs initial load"
created=$(jq .stats.created <<<"$OUT")
expect_eq "$(ns_calls 'PUT /services/rest/record')" "$created" "one upsert per journal entry"
run "$BIN" reconcile acme
expect_rc 0 "reconcile ties out after the load"
expect_out "Compared per project x cost code: custom segment cseg_mlc_costcode" "auto: reconcile compares per cost code on the segment"
dcje=$(ns_admin GET /_sandbox/netsuite/dump/transaction | jq -c --arg p "pc:$company:dc:" '[.rows[] | select(.type == "Journal" and (.externalid | startswith($p))) | .id]')
if ns_admin GET /_sandbox/netsuite/dump/transactionline | jq -e --argjson j "$dcje" '[.rows[] | select(.mainline == "F" and (.transaction as $t | $j | index($t)))] | length > 0 and all(.[]; (.cseg_mlc_costcode // 0) > 0 and ((.memo // "") | startswith("cost code") | not))' >/dev/null; then
  ok "auto: every direct cost line carries the segment (and no code in the memo)"; else not_ok "segment on lines"; fi
# payment applications: revenue for the work billed, receivable + retainage receivable
pa=$(pc_admin GET /_sandbox/state/payment_applications | jq -c --argjson c "$company" '[.[] | select(._company_id == $c and .status == "approved")][0]')
paje=$(je_of "pc:$company:pa:$(jq .id <<<"$pa")" | jq '.[0].id')
patal=$(ns_admin GET /_sandbox/netsuite/dump/transactionaccountingline | jq -c --argjson t "$paje" '[.rows[] | select(.transaction == $t)]')
gross=$(jq -r '.total_amount_accrued_this_period | tonumber * 100 | round' <<<"$pa")
due=$(jq -r '.g702.current_payment_due | tonumber * 100 | round' <<<"$pa")
ar=$(grep '^payment_application.debit,' "$DATA/mappings/offset-account.csv" | cut -d, -f2)
expect_eq "$(jq '[.[] | .credit // 0 | . * 100 | round] | add' <<<"$patal")" "$gross" "payment application: revenue credited with the work billed"
expect_eq "$(jq --argjson a "$ar" '[.[] | select(.account == $a) | .debit * 100 | round] | add' <<<"$patal")" "$due" "payment application: receivable debited with the payment due"
expect_eq "$(jq '[.[] | .debit // 0 | . * 100 | round] | add' <<<"$patal")" "$gross" "payment application entry balances (retainage receivable takes the rest)"
reset_stats
run "$BIN" sync acme --flow costs --json
expect_eq "$(ns_calls 'PUT|POST /services/rest/record')" 0 "second run: 0 NetSuite writes"

# --- cents: 0.10 + 0.20, and a value near 10^12 cents ------------------------------------------
dc=$(new_dc 2026-11-10 CENTS-1 03-300:M:0.10 03-300:M:0.20 09-900:L:9999999999.99)
approve "$dc"
run "$BIN" sync acme --flow costs --json
expect_rc 0 "posts the new cost"
je=$(je_of "pc:$company:dc:$dc")
expect_eq "$(jq length <<<"$je")" 1 "one journal entry for the document"
jeid=$(jq '.[0].id' <<<"$je")
tal=$(ns_admin GET /_sandbox/netsuite/dump/transactionaccountingline | jq -c --argjson t "$jeid" '[.rows[] | select(.transaction == $t)]')
debits=$(jq '[.[] | .debit // 0 | . * 100 | round] | add' <<<"$tal")
credits=$(jq '[.[] | .credit // 0 | . * 100 | round] | add' <<<"$tal")
expect_eq "$debits" 1000000000029 "debits are 9999999999.99 + 0.30 to the cent"
expect_eq "$credits" "$debits" "the entry balances"
m=$(jq '[.[] | select(.debit != null) | .debit * 100 | round] | sort' <<<"$tal" | jq -c .)
if grep -q '\b30\b' <<<"$m"; then ok "0.10 + 0.20 posted as exactly 0.30 on 03-300 (M)"; else not_ok "0.10 + 0.20 is 0.30" "$m"; fi
run "$BIN" reconcile acme
expect_rc 0 "reconcile ties out with large and small amounts"

# --- an edit in an open period re-upserts the same entry ---------------------------------------
# Procore line ids pass 2^53: read them with python (jq 1.6 rounds through doubles)
line=$(pc_admin GET /_sandbox/state/direct_cost_line_items | python3 -c "import json,sys; print([l['id'] for l in json.load(sys.stdin) if l['_holder_id'] == $dc][0])")
pc_api PATCH "/rest/v1.0/projects/$project/direct_costs/line_items/sync" "{\"updates\":[{\"id\":$line,\"amount\":\"0.15\"}]}" >/dev/null
reset_stats
run "$BIN" sync acme --flow costs --json
expect_eq "$(jq '[.plan[] | select(.action == "update")] | length' <<<"$OUT")" 1 "the edited cost is updated"
expect_eq "$(jq length <<<"$(je_of "pc:$company:dc:$dc")")" 1 "still one entry (re-upserted by externalId)"
expect_eq "$(ns_calls 'PUT /services/rest/record')" 1 "one write"
run "$BIN" reconcile acme
expect_rc 0 "reconcile ties out after the edit"

# --- the period closes, then the cost changes: an adjustment with the delta --------------------
nov=$(ns_admin GET /_sandbox/netsuite/dump/accountingperiod | jq '[.rows[] | select(.periodname == "Nov 2026")][0].id')
ns_admin POST "/_sandbox/netsuite/periods/$nov/close" >/dev/null
pc_api PATCH "/rest/v1.0/projects/$project/direct_costs/line_items/sync" "{\"updates\":[{\"id\":$line,\"amount\":\"1.15\"}]}" >/dev/null
run "$BIN" sync acme --flow costs --json
expect_rc 0 "the closed-period edit is handled"
adj=$(je_of "pc:$company:dc:$dc:adj:1")
expect_eq "$(jq length <<<"$adj")" 1 "an adjustment entry exists"
adjid=$(jq '.[0].id' <<<"$adj")
adjdate=$(jq -r '.[0].trandate' <<<"$adj")
if [[ "$adjdate" == 2026-12-* ]]; then ok "the adjustment is in the first open period ($adjdate)"; else not_ok "adjustment period" "$adjdate"; fi
adjtal=$(ns_admin GET /_sandbox/netsuite/dump/transactionaccountingline | jq -c --argjson t "$adjid" '[.rows[] | select(.transaction == $t)]')
expect_eq "$(jq '[.[] | .debit // 0 | . * 100 | round] | add' <<<"$adjtal")" 100 "the adjustment carries the delta, 1.00"
orig=$(je_of "pc:$company:dc:$dc" | jq -r '.[0].lastmodifieddate')
run "$BIN" reconcile acme
expect_rc 0 "reconcile ties out after the adjustment"

# --- policy hold parks instead ----------------------------------------------------------------
"$BIN" tenant set acme --setting costs.closed_period='"hold"' >/dev/null
pc_api PATCH "/rest/v1.0/projects/$project/direct_costs/line_items/sync" "{\"updates\":[{\"id\":$line,\"amount\":\"2.15\"}]}" >/dev/null
run "$BIN" sync acme --flow costs --json
expect_eq "$(jq '[.plan[] | select(.action == "park")] | length' <<<"$OUT")" 1 "hold parks the closed-period edit"
expect_eq "$(jq length <<<"$(je_of "pc:$company:dc:$dc:adj:2")")" 0 "no second adjustment under hold"
run "$BIN" reconcile acme
expect_rc 1 "reconcile reports the held difference"
if grep -q "parked" <<<"$OUT"; then ok "reconcile names the cause (parked)"; else not_ok "reconcile cause" "$OUT"; fi
"$BIN" tenant set acme --setting costs.closed_period='"adjust"' >/dev/null
"$BIN" sync acme --flow costs >/dev/null 2>&1
ns_admin POST "/_sandbox/netsuite/periods/$nov/open" >/dev/null

# --- a cost taken back (no longer approved): a reversal, not an erasure ------------------------
dc2=$(new_dc 2026-11-12 REV-1 03-300:S:250.00)
approve "$dc2"
"$BIN" sync acme --flow costs >/dev/null 2>&1
pc_admin PATCH "/_sandbox/direct_costs/$dc2" '{"status":"revise_and_resubmit"}' >/dev/null
run "$BIN" sync acme --flow costs --json
expect_eq "$(jq '[.plan[] | select(.action == "delete")] | length' <<<"$OUT")" 1 "the withdrawn cost is reversed"
expect_eq "$(jq length <<<"$(je_of "pc:$company:dc:$dc2")")" 1 "the original entry is kept"
expect_eq "$(jq length <<<"$(je_of "pc:$company:dc:$dc2:adj:1")")" 1 "a reversal entry references it"
run "$BIN" reconcile acme
expect_rc 0 "reconcile ties out after the reversal"

# --- a cost deleted in Procore: reversed too ------------------------------------------------
dc4=$(new_dc 2026-11-14 DEL-1 03-300:L:75.25)
approve "$dc4"
"$BIN" sync acme --flow costs >/dev/null 2>&1
pc_admin DELETE "/_sandbox/direct_costs/$dc4" >/dev/null
run "$BIN" sync acme --flow costs --json
expect_eq "$(jq '[.plan[] | select(.action == "delete" and .source == "pc:'"$company"':dc:'"$dc4"'")] | length' <<<"$OUT")" 1 "the deleted cost is reversed"
expect_eq "$(jq length <<<"$(je_of "pc:$company:dc:$dc4:adj:1")")" 1 "by a reversal entry"
run "$BIN" reconcile acme
expect_rc 0 "reconcile ties out after the deletion"

# --- unmapped cost code parks the document with the reason ---------------------------------------
sql "delete from mappings where kind = 'cost-code-account' and source_key like '14-200|%'"
dc3=$(new_dc 2026-11-13 UNMAPPED-1 14-200:M:10.00)
approve "$dc3"
run "$BIN" sync acme --flow costs --json
reason=$(jq -r '.plan[] | select(.action == "park") | .reason' <<<"$OUT")
if grep -q "cost code 14-200 (type M) has no NetSuite expense account" <<<"$reason"; then ok "unmapped cost code parks with the reason"; else not_ok "unmapped park" "$reason"; fi
expect_eq "$(jq length <<<"$(je_of "pc:$company:dc:$dc3")")" 0 "nothing posted half-mapped"

# --- lost responses never duplicate an entry --------------------------------------------------
sql "insert into mappings select tenant_id, kind, '14-200|M', target, updated_at from mappings where kind = 'cost-code-account' and source_key = '03-300|M'"
for i in 1 2 3 4; do new=$(new_dc 2026-11-1$i LOST-$i 03-300:E:1$i.00); approve "$new"; done
ns_admin POST /_sandbox/faults '{"faults":"ns:lost=0.5"}' >/dev/null
for i in 1 2 3 4 5 6; do "$BIN" sync acme --flow costs >/dev/null 2>&1 && break || true; done
ns_admin POST /_sandbox/faults '{"faults":""}' >/dev/null
run "$BIN" sync acme --flow costs
expect_rc 0 "costs settle after lost responses"
dups=$(ns_admin GET /_sandbox/netsuite/dump/transaction | jq '[.rows[] | select(.externalid != null) | .externalid] | group_by(.) | map(select(length > 1)) | length')
expect_eq "$dups" 0 "no journal entry twice under ns:lost"
run "$BIN" reconcile acme
expect_rc 0 "reconcile ties out after the faults"
# GL lines are read by entry in keyset pages: tiny pages (entries split across pages, entries as large or larger
# than a page) give the same report, with more reads
run "$BIN" reconcile acme --format json
full=$(jq -S -c .rows <<<"$OUT")
for rows in 2 3; do # 2: every entry fills a page; 3: pages end inside an entry
  reset_stats
  "$BIN" tenant set acme --setting reconcile.page_rows=$rows >/dev/null
  run "$BIN" reconcile acme --format json
  expect_rc 0 "reconcile with $rows-row pages"
  expect_eq "$(jq -S -c .rows <<<"$OUT")" "$full" "the same report from $rows-row pages"
  if [ "$(ns_calls 'suiteql')" -gt 10 ]; then ok "read in many small pages ($(ns_calls 'suiteql') SuiteQL calls)"; else not_ok "small pages" "$(ns_calls 'suiteql') calls"; fi
done
"$BIN" tenant set acme --setting reconcile.page_rows=1000 >/dev/null

# --- a change behind the connector's back is caught --------------------------------------------
jid=$(je_of "pc:$company:dc:$dc2" | jq '.[0].id')
ns_admin PATCH "/_sandbox/netsuite/records/journalEntry/$jid" '{"line":{"items":[{"line":1,"debit":999.00},{"line":2,"credit":999.00}]}}' >/dev/null
run "$BIN" reconcile acme
expect_rc 1 "reconcile finds the variance introduced in NetSuite"
if grep -q "outside the connector" <<<"$OUT"; then ok "and names the likely cause"; else not_ok "variance cause" "$OUT"; fi
finish
