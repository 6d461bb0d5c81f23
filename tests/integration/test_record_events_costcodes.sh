#!/usr/bin/env bash
# Issue 20, record events beyond direct costs: a Procore "Cost Codes" event
# aligns THAT code as the cost-codes flow would (cost_codes_one: the flow's
# read, then its per-code plan and writes for the one code), in a run of
# its own, without queueing a run of the flow: the rename reaches NetSuite
# and the other projects; another code renamed without an event is left to
# the flow (nothing of it written); the inbox row is done after the
# writes; a replay writes nothing; a deletion (which only the full read can
# tell from a move) is left to a run of the flow, which deactivates it.
# The plan of one code needs its presence in every list, so the event
# reads each list once, as a run does (asserted), and writes only its code.
# Usage: test_record_events_costcodes.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
world_start
world_tenant acme
world_costs_mappings acme
printf 'Bearer cc-ev-secret' | "$BIN" secret set acme webhook.procore_authorization >/dev/null
"$BIN" sync acme --flow cost-codes >/dev/null 2>&1
DB=$WORK/ml-connector.db
sql() { store_sql "$DB" "$1"; }
tok=$(pc_token)
nproj=$(jq '.projects | length' "$DATA/seed.json")
p1=$(jq '.projects[0].procore_project_id' "$DATA/seed.json")
H="http://127.0.0.1:$PORT"
SEG=customrecord_cseg_mlc_costcode
SERVE_PID=
trap '[ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null; sandbox_cleanup' EXIT

ns_name() { # CODE -> the NetSuite segment value's name
  ns_admin GET /_sandbox/netsuite/dump/$SEG | jq -r --arg c "$1" '[.rows[] | select(.externalid == $c)][0].name'
}
ns_inactive() { # CODE -> T or F
  ns_admin GET /_sandbox/netsuite/dump/$SEG | jq -r --arg c "$1" '[.rows[] | select(.externalid == $c)][0].isinactive'
}
pc_names() { # CODE -> the distinct names the linked projects hold it under
  pc_admin GET /_sandbox/state/cost_codes |
    jq -r --arg c "$1" --argjson ps "$(jq -c '[.projects[].procore_project_id]' "$DATA/seed.json")" \
      '[.[] | select(.full_code == $c and .deleted_at == null and (._project_id as $p | $ps | index($p))) | .name] | unique | join("|")'
}
pc_holding() { # CODE NAME -> how many linked projects hold the code under that name
  pc_admin GET /_sandbox/state/cost_codes |
    jq --arg c "$1" --arg n "$2" --argjson ps "$(jq -c '[.projects[].procore_project_id]' "$DATA/seed.json")" \
      '[.[] | select(.full_code == $c and .name == $n and .deleted_at == null and (._project_id as $p | $ps | index($p)))] | length'
}
pc_code() { # CODE -> its id in the first project
  pc_api GET "/rest/v1.0/cost_codes?project_id=$p1&per_page=1000" | jq --arg c "$1" '[.[] | select(.full_code == $c)][0].id'
}
rename() { # ID NAME: a person renames the code in the first project (not the connector's app)
  pc_admin PATCH "/_sandbox/cost_codes/$1?project_id=$p1" "{\"cost_code\":{\"name\":\"$2\"}}" >/dev/null
}
event_key() { # ID -> the key of the latest Cost Codes event naming it
  sql "select event_key from inbox where json_extract(payload, '\$.resource_name') = 'Cost Codes' and cast(json_extract(payload, '\$.resource_id') as text) = '$1' order by id desc limit 1"
}
inbox_of() { sql "select state from inbox where event_key = '$1'"; }
wait_inbox() { # key state -> 0 once the row has it (30 s at most)
  for _ in $(seq 300); do [ -n "$1" ] && [ "$(inbox_of "$1")" = "$2" ] && return 0; sleep 0.1; done
  return 1
}
wait_for() { # command expected -> 0 once the command prints it (30 s at most)
  for _ in $(seq 300); do [ "$($1)" = "$2" ] && return 0; sleep 0.1; done
  return 1
}
metric() { # name with labels -> value (0 when absent)
  local v
  v=$(curl -s "$H/metrics" | awk -v n="$1" '$1 == n { print $2 }')
  printf '%.0f' "${v:-0}"
}

codes=$(pc_api GET "/rest/v1.0/cost_codes?project_id=$p1&per_page=1000" | jq -c '[.[] | select(.full_code | test("-"))]')
X=$(jq -r '.[0].full_code' <<<"$codes")
Y=$(jq -r '.[1].full_code' <<<"$codes")
xid=$(pc_code "$X")
yid=$(pc_code "$Y")
ns_y=$(ns_name "$Y")

# a rename before the hook exists: no event names it, the flow's to find
rename "$yid" "Renamed Quietly"

"$BIN" serve --listen "127.0.0.1:$PORT" --workers 2 >>"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
for _ in $(seq 50); do curl -sf "$H/healthz" >/dev/null && break; sleep 0.1; done
"$BIN" webhook register acme --url "$H/webhooks/procore/acme" >/dev/null

# --- a rename in one project: that code, everywhere ------------------------------------------------
reset_stats
runs0=$(sql "select count(*) from runs")
rename "$xid" "Renamed By Event"
x_ns() { ns_name "$X"; }
if wait_for x_ns "$X Renamed By Event"; then ok "the rename reaches NetSuite by its event"; else not_ok "rename by event" "$(x_ns) $(tail -5 "$WORK/serve.log")"; fi
k=$(event_key "$xid")
wait_inbox "$k" done || true
expect_eq "$(inbox_of "$k")" done "its inbox row is done once the code is aligned"
expect_eq "$(pc_names "$X")" "Renamed By Event" "every linked project holds the new name"
expect_eq "$(ns_name "$Y")" "$ns_y" "the code renamed without an event is untouched in NetSuite"
expect_eq "$(pc_holding "$Y" "Renamed Quietly")" 1 "and in the other projects (only the first holds its new name)"
expect_eq "$(ns_calls '(PATCH|POST|PUT) /services/rest/record')" 1 "NetSuite: one write, the value of that code"
expect_eq "$(pc_calls 'PATCH /rest/v1.0/cost_codes/sync')" $((nproj - 1)) "Procore: one rename per other project"
expect_eq "$(pc_calls 'GET /rest/v1.0/cost_codes$')" "$nproj" "each project's list read once, as a run reads them"
expect_eq "$(sql "select count(*) from jobs where payload like '%\"cost-codes\"%'")" 0 "no run of the cost-codes flow was queued"
expect_eq "$(sql "select flow || ':' || trigger || ':' || status from runs order by id desc limit 1")" cost-codes:event:ok "the alignment is a run of its own (trigger event)"
expect_eq "$(sql "select count(*) from runs")" $((runs0 + 1)) "one run for the event"
expect_eq "$(sql "select count(*) from audit where source_ref = 'cost_code:$X' and action = 'update' and run_id = (select max(id) from runs)")" 1 "with one audit row for the code"
expect_eq "$(sql "select count(*) from audit where source_ref = 'cost_code:$Y' and run_id = (select max(id) from runs)")" 0 "and none for the other"

# --- replay: another event for the same code writes nothing ---------------------------------------
reset_stats
ev=$(sql "select payload from inbox where event_key = '$k'")
again=$(jq -c '.ulid = "01CCEVENTAGAIN000000000001" | .id = 992001' <<<"$ev")
expect_eq "$(curl -s -X POST "$H/webhooks/procore/acme" -H 'Authorization: Bearer cc-ev-secret' -d "$again" | jq -r .status)" accepted "another event for the same code is accepted"
wait_inbox 01CCEVENTAGAIN000000000001 done || true
expect_eq "$(inbox_of 01CCEVENTAGAIN000000000001)" done "and processed"
expect_eq "$(ns_calls '(PATCH|POST|PUT) /services/rest/record')" 0 "NetSuite: no write for an aligned code"
expect_eq "$(pc_calls '(PATCH|POST|DELETE) /rest')" 0 "Procore: no write either"

# --- a deletion in one project: left to a run of the flow, which deactivates the code -------------
f0=$(metric 'mlc_record_events_total{outcome="to_flow"}')
pc_admin DELETE "/_sandbox/cost_codes/$xid?project_id=$p1" >/dev/null
for _ in $(seq 100); do [ "$(metric 'mlc_record_events_total{outcome="to_flow"}')" -gt "$f0" ] && break; sleep 0.1; done
expect_eq "$(metric 'mlc_record_events_total{outcome="to_flow"}')" $((f0 + 1)) "the event path leaves the deletion to the flow"
x_off() { ns_inactive "$X"; }
if wait_for x_off T; then ok "whose run deactivates the code in NetSuite"; else not_ok "deletion by the flow" "$(x_off)"; fi
kd=$(event_key "$xid")
wait_inbox "$kd" done || true
expect_eq "$(inbox_of "$kd")" done "and processes the row"
for _ in $(seq 300); do [ "$(sql "select count(*) from runs where status = 'running'")" = 0 ] && break; sleep 0.1; done
expect_eq "$(ns_name "$Y")" "$Y Renamed Quietly" "(that full run also took the rename no event named)"

kill -TERM "$SERVE_PID"
if wait "$SERVE_PID"; then ok "serve stops cleanly"; else not_ok "serve stop"; fi
SERVE_PID=
finish
