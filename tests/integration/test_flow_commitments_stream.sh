#!/usr/bin/env bash
# Issue 20 (footprint): the purchase-orders flow streams.  At sandbox
# scale 6 NetSuite holds 1,200 purchase orders, more than one SuiteQL page
# (1,000): the flow reads, plans and writes the first page before it reads
# the second, so every Procore header call for a PO of the first page comes
# before any for a PO of the second (the whole-set flow sent each project's
# headers in one call).  The result is the whole set's: every PO read
# once, every commitment ties to its NetSuite PO to the cent (reconcile
# --scope committed), one id map row per written PO and line, and a quiet
# rerun writes nothing.
# Usage: test_flow_commitments_stream.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
world_start --scale 6
world_tenant acme
DB=$WORK/ml-connector.db

"$BIN" sync acme --flow vendors >/dev/null 2>&1 || true
ns_pos=$(ns_admin GET /_sandbox/netsuite/dump/transaction | jq '[.rows[] | select(.type == "PurchOrd") | .id] | sort')
npos=$(jq length <<<"$ns_pos")
if [ "$npos" -gt 1000 ]; then ok "NetSuite holds more than one SuiteQL page of POs ($npos)"; else not_ok "more than one page" "$npos POs"; fi
# the id of the last PO on the first keyset page (pages go in id order)
last1=$(jq '.[999]' <<<"$ns_pos")

pc_admin DELETE /_sandbox/requests >/dev/null
reset_stats
run "$BIN" sync acme --flow purchase-orders --json
expect_rc 0 "the streamed sync succeeds"
expect_eq "$(jq .stats.read <<<"$OUT")" "$npos" "every PO is read once"
expect_eq "$(jq .stats.failed <<<"$OUT")" 0 "nothing failed"
written=$(( $(jq .stats.read <<<"$OUT") - $(jq .stats.parked <<<"$OUT") ))

# --- the pages: page one written before page two was read ---------------------------------
reqs=$(pc_admin GET /_sandbox/requests)
expect_eq "$(jq .dropped <<<"$reqs")" 0 "the request log kept every request"
# per header call (in order): its PO ids
calls=$(jq -c '[.requests[] | select(.method == "PATCH" and .path == "/rest/v1.0/purchase_order_contracts/sync")
  | [.body.updates[].origin_id | ltrimstr("ns:po:") | tonumber]]' <<<"$reqs")
# the last call carrying a first-page PO comes before the first carrying a second-page PO
last_p1=$(jq --argjson k "$last1" '[to_entries[] | select(any(.value[]; . <= $k)) | .key] | max' <<<"$calls")
first_p2=$(jq --argjson k "$last1" '[to_entries[] | select(any(.value[]; . > $k)) | .key] | min' <<<"$calls")
if [ "$first_p2" != null ] && [ "$last_p1" -lt "$first_p2" ]; then
  ok "page one's headers (calls 0..$last_p1) all precede page two's (from call $first_p2)"
else
  not_ok "page order" "last page-1 call $last_p1, first page-2 call $first_p2"
fi
# the same for the line calls, by the contract their POs became
line_pos=$(jq -c '[.requests[] | select(.method == "PATCH" and (.path | test("^/rest/v1.0/purchase_order_contracts/[0-9]+/line_items/sync$")))
  | [.body.updates[].origin_id | split(":")[2] | tonumber] | unique]' <<<"$reqs")
last_l1=$(jq --argjson k "$last1" '[to_entries[] | select(any(.value[]; . <= $k)) | .key] | max' <<<"$line_pos")
first_l2=$(jq --argjson k "$last1" '[to_entries[] | select(any(.value[]; . > $k)) | .key] | min' <<<"$line_pos")
if [ "$first_l2" != null ] && [ "$last_l1" -lt "$first_l2" ]; then
  ok "page one's lines all land before page two's"
else
  not_ok "line page order" "last page-1 call $last_l1, first page-2 call $first_l2"
fi

# --- the result is the whole set's --------------------------------------------------------
expect_eq "$(store_sql "$DB" "select count(*) from id_map where entity = 'po' and procore_key is not null")" "$written" "one id map row per written PO ($written)"
run "$BIN" reconcile acme --scope committed --format json
expect_rc 0 "committed reconcile ties out after the streamed sync"
expect_eq "$(jq .differences <<<"$OUT")" 0 "no difference between NetSuite POs and Procore commitments"
expect_eq "$(jq '[.rows[] | select(.parked | not)] | length' <<<"$OUT")" "$written" "one tied row per written PO"
lines_ns=$(ns_admin GET /_sandbox/netsuite/dump/transactionline | jq --argjson ids "$(jq -c '[.rows[] | select(.parked | not) | .po_id]' <<<"$OUT")" \
  '($ids | map({key: tostring, value: true}) | from_entries) as $w | [.rows[] | select(.mainline == "F" and .taxline != "T" and $w[(.transaction | tostring)])] | length')
expect_eq "$(store_sql "$DB" "select count(*) from id_map where entity = 'poline'")" "$lines_ns" "one id map row per line of every written PO ($lines_ns)"
draft=$(jq '[.rows[] | select((.parked | not) and .status == "Draft")] | length' <<<"$OUT")
expect_eq "$(store_sql "$DB" "select count(*) from id_map where entity = 'po' and content_hash = ''")" 0 "every Draft-first commitment got its real status ($draft stay Draft as NetSuite says)"

reset_stats
run "$BIN" sync acme --flow purchase-orders --full --json
expect_rc 0 "quiet rerun succeeds"
expect_eq "$(jq .stats.read <<<"$OUT")" "$npos" "the rerun reads every page again"
expect_eq "$(jq '.calls.procore.writes' <<<"$OUT")" 0 "a quiet rerun writes nothing to Procore"
expect_eq "$(jq '.stats.created + .stats.updated' <<<"$OUT")" 0 "and records no create or update"
finish
