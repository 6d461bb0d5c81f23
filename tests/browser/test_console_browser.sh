#!/usr/bin/env bash
# Issue 23: the console in headless chromium (tests/browser/console.test.mjs)
# against serve and the sandbox: an ambiguous vendor resolved by choosing a
# candidate (the next run links it), an unmapped cost code mapped from the
# review page (the record posts), a reconcile difference turning green.  Screenshots go to SHOTS (the build folder).
# Usage: test_console_browser.sh BINARY SHOTS_DIR
set -euo pipefail
BIN=$(readlink -f "$1")
SHOTS=$(realpath -m "$2")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../integration/lib/assert.sh"
. "$HERE/../integration/lib/world.sh"
[ -x /usr/bin/chromium ] || { echo "FAIL: /usr/bin/chromium is missing (scripts/install-deps installs it)"; exit 1; }
# playwright-core lives outside the tree (scripts/install-deps)
DEPS=${MLC_BROWSER_DEPS:-${XDG_CACHE_HOME:-$HOME/.cache}/ml-connector/browser}
[ -f "$DEPS/node_modules/playwright-core/index.mjs" ] || { echo "FAIL: playwright-core is missing from $DEPS (scripts/install-deps installs it)"; exit 1; }
export PLAYWRIGHT_CORE=$DEPS/node_modules/playwright-core/index.mjs
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
world_start
world_tenant acme
world_costs_mappings acme
company=$(jq .procore.company_id "$DATA/credentials.json")
project=$(jq '.projects[0].procore_project_id' "$DATA/seed.json")
tok=$(pc_token)
"$BIN" sync acme --flow vendors >/dev/null 2>&1
# an ambiguous vendor: one NetSuite vendor, two Procore candidates
zid=$(ns_admin POST /_sandbox/netsuite/records/vendor '{"companyName":"Zephyr Drywall LLC","entityId":"Zephyr Drywall LLC","phone":"555-0199","subsidiary":{"id":"1"}}' | jq -r .id)
made=$(pc_api PATCH /rest/v1.0/vendors/sync "$(jq -nc --argjson c "$company" '{company_id: $c, updates: [
  {name: "Zephyr Drywall Corp."}, {name: "Zephyr Drywall, Inc.", business_phone: "555-0100"}]}')")
ZINC=$(jq '[.entities[] | select(.name == "Zephyr Drywall, Inc.")][0].id' <<<"$made")
"$BIN" sync acme --flow vendors >/dev/null 2>&1
item_of() { "$BIN" review list acme --all --json | jq --arg s "$1" '[.[] | select(.source_ref == $s)][0].id'; }
ZITEM=$(item_of "ns:vendor:$zid")
# the costs flow posts the seeded costs (the chart), then an unmapped cost
# code parks a new cost and a cost on a mapped code waits for the next run
new_dc() { # date invoice CODE:TYPE:AMOUNT -> an approved direct cost's id
  local code type amount cc lit vendor id
  IFS=: read -r code type amount <<<"$3"
  cc=$(pc_admin GET /_sandbox/state/cost_codes | jq --argjson p "$project" --arg c "$code" '[.[] | select(.biller_id == $p and .full_code == $c)][0].id')
  lit=$(pc_admin GET /_sandbox/state/line_item_types | jq --arg t "$type" '[.[] | select(.code == $t)][0].id')
  vendor=$(pc_admin GET /_sandbox/state/vendors | jq --argjson c "$company" '[.[] | select(._company_id == $c)][0].id')
  id=$(pc_admin POST /_sandbox/direct_costs "$(jq -nc --argjson p "$project" --arg d "$1" --arg i "$2" --argjson v "$vendor" \
    --argjson cc "$cc" --argjson lit "$lit" --arg a "$amount" \
    '{project_id: $p, invoice_number: $i, vendor_id: $v, direct_cost_type: "invoice", direct_cost_date: $d,
      line_items: [{amount: $a, cost_code_id: $cc, line_item_type_id: $lit}]}')" | jq .id)
  pc_admin POST "/_sandbox/direct_costs/$id/approve" >/dev/null
  echo "$id"
}
sqlite3 "$WORK/ml-connector.db" "delete from mappings where kind = 'cost-code-account' and source_key like '14-200|%'"
"$BIN" sync acme --flow costs >/dev/null 2>&1
d_unmapped=$(new_dc 2026-12-05 UNMAPPED-1 14-200:M:10.00)
"$BIN" sync acme --flow costs >/dev/null 2>&1
UITEM=$(item_of "pc:$company:dc:$d_unmapped")
d_late=$(new_dc 2026-12-06 LATE-1 03-300:M:25.00)
MAP_ACCOUNT=$(grep '^03-300,M,' "$DATA/mappings/cost-code-account.csv" | cut -d, -f3)
pc_admin POST /_sandbox/faults '{"faults":"pc:reject=1.0"}' >/dev/null
"$BIN" sync acme --flow purchase-orders >/dev/null 2>&1 || true
pc_admin POST /_sandbox/faults '{"faults":""}' >/dev/null
"$BIN" mapping check acme >/dev/null 2>&1 || true
ACCOUNT=$(sqlite3 "$WORK/ml-connector.db" "select account_id from account_catalog where inactive=0 and summary=0 order by account_id limit 1")
printf 'browser-admin-pw\n' | "$BIN" user add ada --role admin >/dev/null 2>&1
MLC_CONSOLE_ENABLED=true "$BIN" serve --listen "127.0.0.1:$PORT" --workers 1 >>"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
# serve's log is kept next to the screenshots
trap 'kill "$SERVE_PID" 2>/dev/null; mkdir -p "$SHOTS"; cp "$WORK/serve.log" "$SHOTS/serve.log" 2>/dev/null; sandbox_cleanup' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
NODE_RC=0
ACCOUNT=$ACCOUNT ZITEM=$ZITEM ZINC=$ZINC UITEM=$UITEM MAP_ACCOUNT=$MAP_ACCOUNT PROJECT=$project \
  node "$HERE/console.test.mjs" "http://127.0.0.1:$PORT" ada browser-admin-pw "$SHOTS" || NODE_RC=$?
expect_eq "$NODE_RC" 0 "every browser step passed"
# what the browser did, seen from the systems
expect_eq "$(pc_admin GET /_sandbox/state/vendors | jq -r --argjson i "$ZINC" '.[] | select(.id == $i) | .origin_id')" "ns:vendor:$zid" "the vendor chosen in the browser is linked in Procore"
expect_eq "$(sqlite3 "$WORK/ml-connector.db" "select json_extract(payload, '\$.by') from audit where action = 'resolve' and source_ref = 'ns:vendor:$zid'")" ada "its decision is audited with the console's user"
je() { ns_admin GET /_sandbox/netsuite/dump/transaction | jq -r --arg e "pc:$company:dc:$1" '[.rows[] | select(.externalid == $e)] | length'; }
expect_eq "$(je "$d_unmapped")" 1 "the cost of the code mapped in the browser is posted in NetSuite"
expect_eq "$(je "$d_late")" 1 "the cost posted by the run started in the browser is in NetSuite"
finish
