#!/usr/bin/env bash
# Issue 9, "Vendors back", against the sandbox: Procore company vendors into
# NetSuite vendors (externalId pc:<company>:vendor:<id>), never twice however
# the two vendor flows interleave; field ownership on conflicts, audited;
# no ping-pong; off unless the tenant enables it; dry runs write nothing.
# Usage: test_vendors_back.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
world_start
world_tenant acme
DB=$WORK/ml-connector.db
sql() { store_sql "$DB" "$1"; }
company=$(jq .procore.company_id "$DATA/credentials.json")
tok=$(pc_token)
ns_writes() { ns_calls '^(PUT|PATCH|POST|DELETE) /services/rest/record'; }
pc_writes() { pc_calls '^(PATCH|POST|PUT|DELETE) /rest'; }
# ns_named REGEX / pc_named REGEX: the vendors whose name matches, as a JSON array
ns_named() { ns_admin GET /_sandbox/netsuite/dump/vendor | jq -c --arg re "$1" '[.rows[] | select(.companyname | test($re; "i"))]'; }
pc_named() { pc_admin GET /_sandbox/state/vendors | jq -c --argjson c "$company" --arg re "$1" '[.[] | select(._company_id == $c and (.name | test($re; "i")))]'; }
pc_vendor() { # NAME [EMAIL]: a vendor made in Procore's UI (no origin_id); prints its id
  pc_api POST /rest/v1.0/vendors "{\"company_id\":$company,\"vendor\":{\"name\":\"$1\"${2:+,\"email_address\":\"$2\"}}}" | jq .id
}

# --- off unless enabled: nothing read, nothing written, and the plan says why ----------------
zid=$(pc_vendor "Zephyr Glazing Co" ops@zephyr.example)
reset_stats
run "$BIN" sync acme --flow vendors-back --json
expect_rc 0 "disabled: not an error"
expect_eq "$(jq -r '.plan[0].action' <<<"$OUT")" off "disabled: the plan says the flow is off"
expect_eq "$(pc_calls 'GET /rest/v1.0/vendors')" 0 "disabled: Procore vendors not read"
expect_eq "$(ns_writes)" 0 "disabled: no NetSuite write"
expect_eq "$(ns_named '^zephyr' | jq length)" 0 "disabled: the Procore vendor is not in NetSuite"

"$BIN" tenant set acme --setting vendors_back.enabled=true >/dev/null

# --- dry run writes nothing anywhere --------------------------------------------------------
reset_stats
run "$BIN" sync acme --flow vendors-back --dry-run --json
expect_rc 0 "dry run"
expect_eq "$(jq "[.plan[] | select(.action == \"create\" and .source == \"pc:vendor:$zid\")] | length" <<<"$OUT")" 1 "dry run plans the create"
expect_eq "$(ns_writes)" 0 "dry run: no NetSuite write"
expect_eq "$(pc_writes)" 0 "dry run: no Procore write"
expect_eq "$(sql 'select (select count(*) from id_map) + (select count(*) from md_base) + (select count(*) from audit) + (select count(*) from watermarks) + (select count(*) from review)')" 0 "dry run: no id_map, md_base, audit, watermark or review row"

# --- a Procore vendor appears in NetSuite once, linked both ways ----------------------------
run "$BIN" sync acme --flow vendors --json
expect_rc 0 "forward load"
run "$BIN" sync acme --flow vendors-back --json
expect_rc 0 "vendors-back load"
z=$(ns_named '^zephyr glazing')
expect_eq "$(jq length <<<"$z")" 1 "Zephyr is in NetSuite once"
expect_eq "$(jq -r '.[0].externalid' <<<"$z")" "pc:$company:vendor:$zid" "with externalId pc:<company>:vendor:<id>"
expect_eq "$(jq -r '.[0].email' <<<"$z")" ops@zephyr.example "with Procore's email"
zns=$(jq -r '.[0].id' <<<"$z")
expect_eq "$(pc_named '^zephyr glazing' | jq -r '.[0].origin_id')" "ns:vendor:$zns" "the Procore vendor carries the link back"
for f in vendors vendors-back vendors; do "$BIN" sync acme --flow $f >/dev/null 2>&1; done
expect_eq "$(pc_named '^zephyr glazing' | jq length)" 1 "forward runs after it: still one Zephyr in Procore"
expect_eq "$(ns_named '^zephyr glazing' | jq length)" 1 "and one in NetSuite"

# --- the forward flow runs between the NetSuite create and the link on Procore's side --------
# Procore refuses the origin_id write, the id map row is lost too, and the name changes:
# only the externalId tells the forward flow that the new NetSuite vendor is that Procore vendor.
yid=$(pc_vendor "Yarrow Tile Setters")
pc_admin POST /_sandbox/faults '{"faults":"pc:reject=1.0"}' >/dev/null
run "$BIN" sync acme --flow vendors-back --json
expect_rc 1 "vendors-back fails while Procore refuses writes"
pc_admin POST /_sandbox/faults '{"faults":""}' >/dev/null
expect_eq "$(ns_named '^yarrow' | jq length)" 1 "the NetSuite vendor was made"
expect_eq "$(pc_named '^yarrow' | jq -r '.[0].origin_id')" null "Procore's side has no link yet"
sql "delete from id_map where procore_key = '$yid'"
# and someone renames it in Procore meanwhile: the names no longer match either
pc_api PATCH "/rest/v1.0/vendors/$yid" "{\"company_id\":$company,\"vendor\":{\"name\":\"Yarrow Tile & Stone\"}}" >/dev/null
run "$BIN" sync acme --flow vendors --json
expect_rc 0 "forward flow in between"
expect_eq "$(pc_named '^yarrow' | jq length)" 1 "forward flow: no second Yarrow in Procore"
expect_eq "$(pc_named '^yarrow' | jq -r '.[0].origin_id')" "ns:vendor:$(ns_named '^yarrow' | jq -r '.[0].id')" "it linked the one by externalId"
run "$BIN" sync acme --flow vendors-back --json
expect_rc 0 "vendors-back after"
expect_eq "$(ns_named '^yarrow' | jq length)" 1 "still one Yarrow in NetSuite"

# --- a name that matches several NetSuite vendors is parked, not created ---------------------
for n in "Quartz Masonry LLC" "QUARTZ MASONRY INC"; do
  ns_admin POST /_sandbox/netsuite/records/vendor "{\"companyName\":\"$n\",\"subsidiary\":{\"id\":\"1\"}}" >/dev/null
done
qid=$(pc_vendor "Quartz Masonry")
run "$BIN" sync acme --flow vendors-back --json
expect_rc 0 "ambiguous name"
reason=$(jq -r ".plan[] | select(.source == \"pc:vendor:$qid\") | .reason" <<<"$OUT")
if grep -q "2 NetSuite vendors match the name" <<<"$reason"; then ok "ambiguous vendor parked"; else not_ok "ambiguous vendor parked" "$reason"; fi
expect_eq "$(ns_named '^quartz masonry' | jq length)" 2 "no third Quartz Masonry in NetSuite"
review=$("$BIN" review list acme --json)
expect_eq "$(jq "[.[] | select(.source_ref == \"pc:vendor:$qid\") | .candidates | length] | add" <<<"$review")" 2 "the review item lists both candidates"

# --- conflict: both sides changed owned fields; the owner wins, audited with both values ----
pc_api PATCH "/rest/v1.0/vendors/$zid" "{\"company_id\":$company,\"vendor\":{\"email_address\":\"pc@zephyr.example\",\"name\":\"Zephyr Glazing Company\"}}" >/dev/null
ns_admin PATCH "/_sandbox/netsuite/records/vendor/$zns" '{"email":"ns@zephyr.example","companyName":"Zephyr Glazing Co."}' >/dev/null
audit0=$(sql 'select count(*) from audit')
reset_stats
run "$BIN" sync acme --flow vendors-back --dry-run --json
expect_eq "$(jq .stats.conflicts <<<"$OUT")" 2 "dry run: two conflicts planned"
expect_eq "$(( $(ns_writes) + $(pc_writes) ))" 0 "dry run: no write on either side"
expect_eq "$(sql 'select count(*) from audit')" "$audit0" "dry run: no audit row"
run "$BIN" sync acme --flow vendors-back --json
expect_rc 0 "conflict run"
expect_eq "$(jq .stats.conflicts <<<"$OUT")" 2 "two conflicts"
expect_eq "$(ns_named '^zephyr' | jq -r '.[0].email')" pc@zephyr.example "email (Procore owns it) -> NetSuite"
expect_eq "$(pc_named '^zephyr' | jq -r '.[0].email_address')" pc@zephyr.example "Procore keeps its email"
expect_eq "$(pc_named '^zephyr' | jq -r '.[0].name')" "Zephyr Glazing Co." "name (NetSuite owns it) -> Procore"
expect_eq "$(ns_named '^zephyr' | jq -r '.[0].companyname')" "Zephyr Glazing Co." "NetSuite keeps its name"
aid=$("$BIN" audit list acme --flow vendors-back --json | jq '[.[] | select(.action == "conflict")][0].id // empty' | head -1)
shown=$("$BIN" audit show "${aid:-0}" 2>/dev/null || echo '{}')
c=$(jq -c '.payload | {field, netsuite, procore, owner, value}' <<<"$shown" 2>/dev/null || echo '')
case "$c" in
  *'"field":"email"'*) want='{"field":"email","netsuite":"ns@zephyr.example","procore":"pc@zephyr.example","owner":"procore","value":"pc@zephyr.example"}' ;;
  *) want='{"field":"name","netsuite":"Zephyr Glazing Co.","procore":"Zephyr Glazing Company","owner":"netsuite","value":"Zephyr Glazing Co."}' ;;
esac
expect_eq "$c" "$want" "audit show: the conflict with both values and the owner"
expect_eq "$("$BIN" audit list acme --flow vendors-back --json | jq '[.[] | select(.action == "conflict")] | length')" 2 "audit list: both conflicts"

# --- no ping-pong: one change, alternating runs, writes once then never ----------------------
pc_api PATCH "/rest/v1.0/vendors/$zid" "{\"company_id\":$company,\"vendor\":{\"business_phone\":\"415-555-0199\"}}" >/dev/null
ns_admin PATCH "/_sandbox/netsuite/records/vendor/$zns" '{"isInactive":true}' >/dev/null
reset_stats
writes=""
for i in 1 2 3 4 5 6 7 8 9 10; do
  if [ $((i % 2)) = 1 ]; then f=vendors; else f=vendors-back; fi
  run "$BIN" sync acme --flow $f --json
  writes="$writes $(jq '.calls.netsuite.writes + .calls.procore.writes' <<<"$OUT")"
done
expect_eq "$writes" " 2 0 0 0 0 0 0 0 0 0" "10 alternating runs: one settling run writes both sides, then nothing"
expect_eq "$(ns_writes)/$(pc_writes)" "1/1" "sandbox counters: one NetSuite write, one Procore write"
expect_eq "$(ns_named '^zephyr' | jq -r '.[0].phone')" 415-555-0199 "Procore's phone reached NetSuite"
expect_eq "$(pc_named '^zephyr' | jq -r '.[0].is_active')" false "NetSuite's inactivation reached Procore"

# --- master procore: a vendor only NetSuite knows is parked, not pushed into Procore ------------
"$BIN" tenant set acme --setting master.vendors='"procore"' >/dev/null
ns_admin POST /_sandbox/netsuite/records/vendor '{"companyName":"Quillmont Scaffolding LLC","entityId":"Quillmont Scaffolding LLC","subsidiary":{"id":"1"}}' >/dev/null
run "$BIN" sync acme --flow vendors --json
expect_rc 0 "vendors with master procore"
expect_eq "$(pc_named '^quillmont' | jq length)" 0 "not created in Procore"
if "$BIN" review list acme --json | jq -e '.[] | select(.entity == "vendor" and (.reason | test("Procore masters vendors")))' >/dev/null; then ok "parked for review with the reason"; else not_ok "parked for review"; fi
finish
