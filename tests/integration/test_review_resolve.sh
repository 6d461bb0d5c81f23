#!/usr/bin/env bash
# Issue 23 (CLI) against the sandbox: each kind of parked record is parked,
# shown, resolved with `review resolve` (audited with who and why), and the
# next run applies the decision: an ambiguous vendor linked to the chosen
# Procore vendor, created, or ignored; a closed-period edit posted in the
# period chosen, in the first open one, or dropped; an unmapped cost code
# mapped (checked as `mapping check` checks) and posted.  A resolved item
# never reappears.  Usage: test_review_resolve.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
world_start
world_tenant acme
world_costs_mappings acme
DB=$WORK/ml-connector.db
sql() { store_sql "$DB" "$1"; }
company=$(jq .procore.company_id "$DATA/credentials.json")
project=$(jq '.projects[0].procore_project_id' "$DATA/seed.json")
tok=$(pc_token)

item_of() { # SOURCE_REF: the review item's id
  "$BIN" review list acme --all --json | jq --arg s "$1" '[.[] | select(.source_ref == $s)][0].id'
}
open_of() { # SOURCE_REF: 1 when an open item has it
  "$BIN" review list acme --json | jq --arg s "$1" '[.[] | select(.source_ref == $s)] | length'
}
audit_resolve() { # SOURCE_REF: "by|why" of its resolve audit row
  sql "select json_extract(payload, '$.by') || '|' || json_extract(payload, '$.why') from audit where action = 'resolve' and source_ref = '$1' order by id desc limit 1"
}

# --- vendors: three NetSuite vendors, each with two Procore candidates -------------------------
ns_vendor() { ns_admin POST /_sandbox/netsuite/records/vendor "$(jq -cn --arg n "$1" '{companyName: $n, entityId: $n, subsidiary: {id: "1"}}')" | jq -r .id; }
zid=$(ns_admin POST /_sandbox/netsuite/records/vendor '{"companyName":"Zephyr Drywall LLC","entityId":"Zephyr Drywall LLC","phone":"555-0199","subsidiary":{"id":"1"}}' | jq -r .id)
qid=$(ns_vendor "Quill Paving LLC")
bid=$(ns_vendor "Birch Glazing LLC")
made=$(pc_api PATCH /rest/v1.0/vendors/sync "$(jq -nc --argjson c "$company" '{company_id: $c, updates: [
  {name: "Zephyr Drywall Corp."}, {name: "Zephyr Drywall, Inc.", business_phone: "555-0100"},
  {name: "Quill Paving Corp."}, {name: "Quill Paving, Inc."},
  {name: "Birch Glazing Corp."}, {name: "Birch Glazing, Inc."}]}')")
pc_id() { jq --arg n "$1" '[.entities[] | select(.name == $n)][0].id' <<<"$made"; }
zinc=$(pc_id "Zephyr Drywall, Inc.") zcorp=$(pc_id "Zephyr Drywall Corp.")
run "$BIN" sync acme --flow vendors --json
expect_rc 0 "vendors flow"
mine() { jq -c --arg a "ns:vendor:$zid" --arg b "ns:vendor:$qid" --arg c "ns:vendor:$bid" '[.plan[] | select(.action == "park") | .source | select(. == $a or . == $b or . == $c)] | length'; }
expect_eq "$(mine <<<"$OUT")" 3 "the three ambiguous vendors are parked"
zitem=$(item_of "ns:vendor:$zid") qitem=$(item_of "ns:vendor:$qid") bitem=$(item_of "ns:vendor:$bid")

run "$BIN" review show acme "$zitem" --json
expect_rc 0 "review show"
expect_eq "$(jq -c .actions <<<"$OUT")" '["link","create","ignore"]' "a vendor takes link, create, ignore"
expect_eq "$(jq '.compare.rows | length' <<<"$OUT")" 3 "the record and its two candidates side by side"
expect_eq "$(jq -c '[.compare.rows[1:][] | .differs | index("name") != null]' <<<"$OUT")" '[true,true]' "each candidate's differing name is marked"
expect_eq "$(jq -c --arg i "$zinc" '[.compare.rows[] | select(.id == $i) | .values.business_phone]' <<<"$OUT")" '["555-0100"]' "candidate fields are read from Procore"
expect_eq "$(jq -c '[.compare.rows[] | .differs | index("business_phone") != null]' <<<"$OUT")" '[false,true,true]' "a phone that differs is marked on each candidate"
run "$BIN" review show acme "$zitem" --offline --json
expect_eq "$(jq '.compare.rows | length' <<<"$OUT")" 3 "--offline compares with what the item holds"
run "$BIN" review show acme "$zitem"
expect_out "(* differs from the record)" "the text form marks the differences"

run "$BIN" review resolve acme "$zitem" --link 999999999 --by alice --why "typo"
expect_rc 1 "a link to a vendor Procore does not have is refused"
run "$BIN" review resolve acme "$zitem" --post --by alice --why "wrong kind"
expect_rc 1 "an action the kind does not take is refused"
run "$BIN" review resolve acme "$zitem" --link "$zinc"
expect_rc 2 "who and why are required"
expect_eq "$(open_of "ns:vendor:$zid")" 1 "refused decisions leave the item open"

run "$BIN" review resolve acme "$zitem" --link "$zinc" --by alice --why "same tax id as the Inc."
expect_rc 0 "link to a candidate"
run "$BIN" review resolve acme "$qitem" --create --by bob --why "a new company, not a sibling" --json
expect_rc 0 "create"
expect_eq "$(jq -r .action <<<"$OUT")" create "--json shapes the decision"
run "$BIN" review resolve acme "$bitem" --ignore --by carol --why "vendor is closing"
expect_rc 0 "ignore"
expect_eq "$(audit_resolve "ns:vendor:$zid")" "alice|same tax id as the Inc." "the audit row has who and why"
expect_eq "$(open_of "ns:vendor:$zid")$(open_of "ns:vendor:$qid")$(open_of "ns:vendor:$bid")" 000 "resolved items leave the open list"

run "$BIN" sync acme --flow vendors --json
expect_rc 0 "the next run applies the decisions"
pcv=$(pc_admin GET /_sandbox/state/vendors)
expect_eq "$(jq -r --argjson i "$zinc" '.[] | select(.id == $i) | .origin_id' <<<"$pcv")" "ns:vendor:$zid" "the vendor is linked to the chosen Procore id"
expect_eq "$(jq -r --argjson i "$zcorp" '.[] | select(.id == $i) | .origin_id // "none"' <<<"$pcv")" none "the other candidate stays free"
expect_eq "$(jq -c --arg o "ns:vendor:$qid" '[.[] | select(.origin_id == $o) | .name]' <<<"$pcv")" '["Quill Paving LLC"]' "create made the vendor in Procore"
expect_eq "$(jq -c --arg o "ns:vendor:$bid" '[.[] | select(.origin_id == $o)] | length' <<<"$pcv")" 0 "ignore wrote nothing"
expect_eq "$(sql "select group_concat(state) from review_decision where entity = 'vendor'")" "applied,applied,applied" "each decision is applied"
run "$BIN" sync acme --flow vendors --full --json
expect_rc 0 "a full run"
expect_eq "$(mine <<<"$OUT")" 0 "no resolved vendor is parked again"
expect_eq "$(open_of "ns:vendor:$zid")$(open_of "ns:vendor:$qid")$(open_of "ns:vendor:$bid")" 000 "resolved vendors never reappear"

# --- costs: closed-period edits under hold ------------------------------------------------------
new_dc() { # date invoice CODE:TYPE:AMOUNT
  local date=$1 inv=$2 code type amount cc lit vendor
  IFS=: read -r code type amount <<<"$3"
  cc=$(pc_admin GET /_sandbox/state/cost_codes | jq --argjson p "$project" --arg c "$code" '[.[] | select(.biller_id == $p and .full_code == $c)][0].id')
  lit=$(pc_admin GET /_sandbox/state/line_item_types | jq --arg t "$type" '[.[] | select(.code == $t)][0].id')
  vendor=$(pc_admin GET /_sandbox/state/vendors | jq --argjson c "$company" '[.[] | select(._company_id == $c)][0].id')
  pc_admin POST /_sandbox/direct_costs "$(jq -nc --argjson p "$project" --arg d "$date" --arg i "$inv" --argjson v "$vendor" \
    --argjson cc "$cc" --argjson lit "$lit" --arg a "$amount" \
    '{project_id: $p, invoice_number: $i, vendor_id: $v, direct_cost_type: "invoice", direct_cost_date: $d,
      line_items: [{amount: $a, cost_code_id: $cc, line_item_type_id: $lit}]}')" | jq .id
}
approve() { pc_admin POST "/_sandbox/direct_costs/$1/approve" >/dev/null; }
je_date() { ns_admin GET /_sandbox/netsuite/dump/transaction | jq -r --arg e "$1" '[.rows[] | select(.externalid == $e) | .trandate] | first // "none"'; }
period() { ns_admin GET /_sandbox/netsuite/dump/accountingperiod | jq -c --arg n "$1" '[.rows[] | select(.periodname == $n)][0]'; }

"$BIN" sync acme --flow costs >/dev/null
"$BIN" tenant set acme --setting costs.closed_period='"hold"' >/dev/null
nov=$(period "Nov 2026" | jq .id)
ns_admin POST "/_sandbox/netsuite/periods/$nov/close" >/dev/null
later=$(ns_admin GET /_sandbox/netsuite/dump/accountingperiod | jq -r '[.rows[] | select(.startdate > "2026-12-31" and .isposting == "T" and .closed == "F")] | sort_by(.startdate)[0].periodname')
d1=$(new_dc 2026-11-20 HOLD-1 03-300:M:40.00) && approve "$d1"
d2=$(new_dc 2026-11-21 HOLD-2 03-300:M:50.00) && approve "$d2"
d3=$(new_dc 2026-11-22 HOLD-3 03-300:M:60.00) && approve "$d3"
run "$BIN" sync acme --flow costs --json
expect_eq "$(jq '[.plan[] | select(.action == "park")] | length' <<<"$OUT")" 3 "hold parks the three closed-period costs"
i1=$(item_of "pc:$company:dc:$d1") i2=$(item_of "pc:$company:dc:$d2") i3=$(item_of "pc:$company:dc:$d3")
run "$BIN" review show acme "$i1" --json
expect_eq "$(jq -c .actions <<<"$OUT")" '["post-in","drop"]' "a closed-period edit takes post-in, drop"
run "$BIN" review resolve acme "$i1" --post-in "Nov 2026" --by dana --why "reopened books"
expect_rc 1 "post-in a closed period is refused"
run "$BIN" review resolve acme "$i1" --post-in "$later" --by dana --why "controller wants it in $later"
expect_rc 0 "post-in a named open period ($later)"
run "$BIN" review resolve acme "$i2" --post --by dana --why "first open period is fine"
expect_rc 0 "post in the first open period"
run "$BIN" review resolve acme "$i3" --drop --by dana --why "duplicate invoice, voided"
expect_rc 0 "drop"
run "$BIN" sync acme --flow costs --json
expect_rc 0 "the next costs run"
lstart=$(period "$later" | jq -r '.startdate | .[0:10]')
expect_eq "$(je_date "pc:$company:dc:$d1" | cut -c1-10)" "$lstart" "posted in the chosen period ($later, not the first open one)"
if [[ "$(je_date "pc:$company:dc:$d2")" == 2026-12-* ]]; then ok "posted in the first open period"; else not_ok "first open period" "$(je_date "pc:$company:dc:$d2")"; fi
expect_eq "$(je_date "pc:$company:dc:$d3")" none "the dropped edit is not posted"
expect_eq "$(audit_resolve "pc:$company:dc:$d3")" "dana|duplicate invoice, voided" "the drop is audited with who and why"
run "$BIN" sync acme --flow costs --full --json
expect_eq "$(jq '[.plan[] | select(.action == "park")] | length' <<<"$OUT")" 0 "nothing is parked again"
expect_eq "$(open_of "pc:$company:dc:$d1")$(open_of "pc:$company:dc:$d2")$(open_of "pc:$company:dc:$d3")" 000 "resolved costs never reappear"
ns_admin POST "/_sandbox/netsuite/periods/$nov/open" >/dev/null
"$BIN" tenant set acme --setting costs.closed_period='"adjust"' >/dev/null

# --- costs: an unmapped cost code --------------------------------------------------------------
sql "delete from mappings where kind = 'cost-code-account' and source_key like '14-200|%'"
d4=$(new_dc 2026-12-05 UNMAPPED-1 14-200:M:10.00) && approve "$d4"
run "$BIN" sync acme --flow costs --json
expect_eq "$(jq --arg s "pc:$company:dc:$d4" '[.plan[] | select(.action == "park" and .source == $s)] | length' <<<"$OUT")" 1 "the unmapped cost code parks its cost"
i4=$(item_of "pc:$company:dc:$d4")
run "$BIN" review show acme "$i4" --json
expect_eq "$(jq -c .actions <<<"$OUT")" '["map","drop"]' "an unmapped code takes map, drop"
acct=$(grep '^03-300,M,' "$DATA/mappings/cost-code-account.csv" | cut -d, -f3)
ns_admin PATCH "/_sandbox/netsuite/records/account/$acct" '{"isInactive":true}' >/dev/null
run "$BIN" review resolve acme "$i4" --map "$acct" --by erin --why "materials"
expect_rc 1 "an inactive account is refused, as mapping check refuses it"
expect_err "inactive" "with mapping check's reason"
expect_eq "$(sql "select count(*) from mappings where kind = 'cost-code-account' and source_key like '14-200|%'")" 0 "and no mapping is written"
ns_admin PATCH "/_sandbox/netsuite/records/account/$acct" '{"isInactive":false}' >/dev/null
run "$BIN" review resolve acme "$i4" --map "$acct" --by erin --why "materials" --json
expect_rc 0 "map to an active account"
expect_eq "$(jq -r --arg s "pc:$company:dc:$d4" '.replay.plan[] | select(.source == $s) | .action' <<<"$OUT")" create "the record is replayed and posts"
expect_eq "$(sql "select json_extract(target, '$.account') from mappings where kind = 'cost-code-account' and source_key = '14-200|'")" "$acct" "the mapping is written"
if [ "$(je_date "pc:$company:dc:$d4")" != none ]; then ok "the cost code posts after mapping"; else not_ok "posted after map"; fi
expect_eq "$(sql "select state from review_decision where source_ref = 'pc:$company:dc:$d4'")" applied "the map decision is applied"
run "$BIN" sync acme --flow costs --json
expect_eq "$(open_of "pc:$company:dc:$d4")" 0 "the mapped cost never reappears"

# --- any other kind: ignore -------------------------------------------------------------------
run "$BIN" review resolve acme 999999 --ignore --by x --why y
expect_rc 1 "an unknown item is refused"
finish
