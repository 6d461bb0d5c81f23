#!/usr/bin/env bash
# Issue 21, the chaos month at simulated time: 30 days pass on the sandbox
# clock (a day per round) while serve, following that clock
# (MLC_CLOCK_URL, src/cli/cli_clock.c), posts a direct cost a day by
# webhook and a `sync` runs each day.  Tokens expire and are fetched again
# as over a real month (NetSuite 60 min, Procore 90 min refreshed at 80):
# at least one new token a day on each side, none refused (no
# invalid_grant).  Then a `sync` on the wall clock (no MLC_CLOCK_URL) 30
# days behind the sandbox: NetSuite refuses its assertion (invalid_grant),
# which is what the month would do without the clock.
# Usage: test_month_clock.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DAYS=${DAYS:-30}
# the sandbox's rate windows run on its travelled clock while the client
# paces by the wall clock: limits high enough that no window fills up
world_start --pc-rate 100000/h,10000/10s
world_tenant acme
world_costs_mappings acme
"$BIN" tenant set acme --setting costs.use_segment=true >/dev/null
printf 'Bearer month-secret' | "$BIN" secret set acme webhook.procore_authorization >/dev/null
company=$(jq .procore.company_id "$DATA/credentials.json")
project=$(jq '.projects[0].procore_project_id' "$DATA/seed.json")
cc=$(pc_admin GET /_sandbox/state/cost_codes | jq --argjson p "$project" '[.[] | select(.biller_id == $p and .full_code == "03-300")][0].id')
lit=$(pc_admin GET /_sandbox/state/line_item_types | jq '[.[] | select(.code == "M")][0].id')
vendor=$(pc_admin GET /_sandbox/state/vendors | jq --argjson c "$company" '[.[] | select(._company_id == $c)][0].id')
CLOCK="$NS_URL/_sandbox/time"
token_refused() { # URL: answers of the token route other than 2xx
  curl -sf "$1/_sandbox/stats" | jq '[.calls_status | to_entries[] | select(.key | test("/token$")) |
    .value | to_entries[] | select(.key | test("^2") | not) | .value] | add // 0'
}

MLC_CLOCK_URL=$CLOCK "$BIN" serve --listen "127.0.0.1:$PORT" --workers 2 >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
trap '[ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null; sandbox_cleanup' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
"$BIN" webhook register acme --url "http://127.0.0.1:$PORT/webhooks/procore/acme" >/dev/null
reset_stats
start_now=$(ns_admin GET /_sandbox/time | jq -r .now)

posted=0 synced=0
for day in $(seq "$DAYS"); do
  dc=$(pc_admin POST /_sandbox/direct_costs "{\"project_id\":$project,\"invoice_number\":\"M-$day\",\"vendor_id\":$vendor,\"direct_cost_type\":\"invoice\",\"direct_cost_date\":\"2026-11-20\",\"line_items\":[{\"amount\":\"$day.10\",\"cost_code_id\":$cc,\"line_item_type_id\":$lit}]}" | jq .id)
  pc_admin POST "/_sandbox/direct_costs/$dc/approve" >/dev/null
  for _ in $(seq 150); do
    n=$(ns_admin GET /_sandbox/netsuite/dump/transaction | jq --arg e "pc:$company:dc:$dc" '[.rows[] | select(.externalid == $e)] | length')
    [ "$n" = 1 ] && posted=$((posted + 1)) && break
    sleep 0.1
  done
  if MLC_CLOCK_URL=$CLOCK "$BIN" sync acme --flow vendors >>"$WORK/sync.log" 2>&1; then synced=$((synced + 1)); fi
  ns_admin POST "/_sandbox/time/advance?seconds=86400" >/dev/null # a day passes
done
end_now=$(ns_admin GET /_sandbox/time | jq -r .now)
expect_eq "$posted" "$DAYS" "every day's cost reached the GL through serve ($start_now .. $end_now)"
expect_eq "$synced" "$DAYS" "every day's sync succeeded"
nst=$(ns_admin GET /_sandbox/stats); pct=$(pc_admin GET /_sandbox/stats)
# serve's tokens expire with each day; each day's sync fetches its own
expect_le "$((2 * DAYS))" "$(jq .token_requests <<<"$nst")" "NetSuite tokens fetched again each day (serve and sync)"
expect_le "$((2 * DAYS))" "$(jq .token_requests <<<"$pct")" "Procore tokens fetched again each day (serve and sync)"
expect_eq "$(token_refused "$NS_URL")" 0 "NetSuite refused no assertion"
expect_eq "$(token_refused "$PC_URL")" 0 "Procore refused no token request"
logs=$(cat "$WORK/serve.log" "$WORK/sync.log")
if grep -q 'invalid_grant' <<<"$logs"; then not_ok "no invalid_grant in the logs"; else ok "no invalid_grant in the logs"; fi
if grep -q 'cannot get an access token' <<<"$logs"; then not_ok "no failed token fetch in the logs"; else ok "no failed token fetch in the logs"; fi

# without the sandbox clock, a process signs with the wall clock, 30 days behind
run "$BIN" sync acme --flow vendors
if [ "$RC" != 0 ]; then ok "a sync on the wall clock fails ($RC)"; else not_ok "a sync on the wall clock fails" "exit 0"; fi
expect_err "invalid_grant" "it says NetSuite refused the assertion (invalid_grant)"
if [ "$(token_refused "$NS_URL")" -ge 1 ]; then ok "the sandbox counted the refused assertion"; else not_ok "the sandbox counted the refused assertion"; fi
finish
