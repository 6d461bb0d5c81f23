#!/usr/bin/env bash
# Issue 6 across a simulated 5-hour sync: serve runs costs by webhook while
# the sandbox clock moves 20 minutes at a time; no call may fail for an
# expired token, and the token endpoints are asked only as often as the
# token lifetimes require (NetSuite 60 min, refreshed at 55; Procore 90 min,
# refreshed at 80).  Usage: test_tokens_5h.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# the sandbox's rate windows run on its travelled clock while the client
# paces by the wall clock: limits high enough that no window fills up
world_start --pc-rate 100000/h,10000/10s
world_tenant acme
world_costs_mappings acme
"$BIN" tenant set acme --setting costs.use_segment=true >/dev/null
printf 'Bearer five-hours-secret' | "$BIN" secret set acme webhook.procore_authorization >/dev/null
company=$(jq .procore.company_id "$DATA/credentials.json")
project=$(jq '.projects[0].procore_project_id' "$DATA/seed.json")
cc=$(pc_admin GET /_sandbox/state/cost_codes | jq --argjson p "$project" '[.[] | select(.biller_id == $p and .full_code == "03-300")][0].id')
lit=$(pc_admin GET /_sandbox/state/line_item_types | jq '[.[] | select(.code == "M")][0].id')
vendor=$(pc_admin GET /_sandbox/state/vendors | jq --argjson c "$company" '[.[] | select(._company_id == $c)][0].id')

# serve follows the sandbox's clock (auth/clock.h) like a process living through those hours
export MLC_CLOCK_URL="$NS_URL/_sandbox/time"
"$BIN" serve --listen "127.0.0.1:$PORT" --workers 2 >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
trap '[ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null; sandbox_cleanup' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
"$BIN" webhook register acme --url "http://127.0.0.1:$PORT/webhooks/procore/acme" >/dev/null
reset_stats

steps=${STEPS:-15} posted=0
for i in $(seq $steps); do
  dc=$(pc_admin POST /_sandbox/direct_costs "{\"project_id\":$project,\"invoice_number\":\"H-$i\",\"vendor_id\":$vendor,\"direct_cost_type\":\"invoice\",\"direct_cost_date\":\"2026-11-20\",\"line_items\":[{\"amount\":\"$i.25\",\"cost_code_id\":$cc,\"line_item_type_id\":$lit}]}" | jq .id)
  pc_admin POST "/_sandbox/direct_costs/$dc/approve" >/dev/null
  for _ in $(seq 150); do
    n=$(ns_admin GET /_sandbox/netsuite/dump/transaction | jq --arg e "pc:$company:dc:$dc" '[.rows[] | select(.externalid == $e)] | length')
    [ "$n" = 1 ] && posted=$((posted + 1)) && break
    sleep 0.1
  done
  ns_admin POST "/_sandbox/time/advance?seconds=1200" >/dev/null   # 20 minutes pass
done
expect_eq "$posted" "$steps" "every cost of the 5 hours reached the GL"
nst=$(ns_admin GET /_sandbox/stats); pct=$(pc_admin GET /_sandbox/stats)
expect_eq "$(jq '.status["401"] // 0' <<<"$nst")" 0 "no NetSuite call refused for an expired token"
expect_eq "$(jq '.status["401"] // 0' <<<"$pct")" 0 "no Procore call refused for an expired token"
# 5 h of use: a NetSuite token lives 60 min (refreshed at 55), a Procore one 90 min (at 80)
expect_le "$(jq .token_requests <<<"$nst")" 7 "NetSuite token requests stay at the minimum (5 h / 55 min, rounded up, + 1)"
expect_le "$(jq .token_requests <<<"$pct")" 5 "Procore token requests stay at the minimum (5 h / 80 min, rounded up, + 1)"
if [ "$(jq .token_requests <<<"$nst")" -ge 5 ]; then ok "NetSuite tokens were really refreshed ($(jq .token_requests <<<"$nst"))"; else not_ok "NetSuite refreshes" "$(jq .token_requests <<<"$nst")"; fi
if grep -qi 'expired\|INVALID_LOGIN' "$WORK/serve.log"; then not_ok "no expired-token error in the log"; else ok "no expired-token error in the log"; fi
finish
