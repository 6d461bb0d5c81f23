#!/usr/bin/env bash
# Issue 20, "approval to journal entry": a Procore event that names a direct
# cost posts THAT document (behaviour, not timings): one filtered read of
# the document and its lines and one journal write, no listing of the
# flow; its inbox row goes done after the posting; duplicates post once;
# an event during a long run of the costs flow is posted before the run
# ends; a failed event leaves the record to the catch-up run, which posts
# it exactly once.
# Usage: test_record_events.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
world_start
world_tenant acme
world_costs_mappings acme
"$BIN" tenant set acme --setting costs.use_segment=true >/dev/null
printf 'Bearer rec-ev-secret' | "$BIN" secret set acme webhook.procore_authorization >/dev/null
"$BIN" sync acme --flow costs >/dev/null 2>&1
DB=$WORK/ml-connector.db
sql() { store_sql "$DB" "$1"; }
company=$(jq .procore.company_id "$DATA/credentials.json")
H="http://127.0.0.1:$PORT"
SERVE_PID=
trap '[ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null; sandbox_cleanup' EXIT
"$BIN" serve --listen "127.0.0.1:$PORT" --workers 2 >>"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
for _ in $(seq 50); do curl -sf "$H/healthz" >/dev/null && break; sleep 0.1; done
"$BIN" webhook register acme --url "$H/webhooks/procore/acme" >/dev/null

pending_dc() { # the n-th pending direct cost of the company (0-based)
  pc_admin GET /_sandbox/state/direct_costs | jq --argjson c "$company" --argjson n "$1" '[.[] | select(._company_id == $c and .status == "pending")][$n].id'
}
je_count() { # externalid -> journal entries NetSuite holds with it
  ns_admin GET /_sandbox/netsuite/dump/transaction | jq --arg e "$1" '[.rows[] | select(.externalid == $e)] | length'
}
wait_je() { # externalid -> 0 once NetSuite has it (20 s at most)
  for _ in $(seq 200); do [ "$(je_count "$1")" = 1 ] && return 0; sleep 0.1; done
  return 1
}
inbox_state() { sql "select state from inbox where cast(json_extract(payload, '\$.resource_id') as text) = '$1' and json_extract(payload, '\$.resource_name') = 'Direct Costs' order by id desc limit 1"; }
je_puts() { ns_calls 'PUT|POST /services/rest/record'; } # the record writes (journal entries here)
metric() { # name with labels -> value (0 when absent)
  local v
  v=$(curl -s "$H/metrics" | awk -v n="$1" '$1 == n { print $2 }')
  printf '%.0f' "${v:-0}"
}

# --- an approval: that document only ------------------------------------------------------------
# a first event loads the reference data; the second is the one measured
dc0=$(pending_dc 0)
pc_admin POST "/_sandbox/direct_costs/$dc0/approve" >/dev/null
wait_je "pc:$company:dc:$dc0" || not_ok "first approval posted" "$(tail -5 "$WORK/serve.log")"
dc=$(pending_dc 0)
for _ in $(seq 50); do [ "$(inbox_state "$dc0")" = done ] && break; sleep 0.1; done
pc_admin DELETE /_sandbox/requests >/dev/null
reset_stats
pc_admin POST "/_sandbox/direct_costs/$dc/approve" >/dev/null
if wait_je "pc:$company:dc:$dc"; then ok "an approved direct cost is posted by its event"; else not_ok "approval posted by event" "$(tail -5 "$WORK/serve.log")"; fi
for _ in $(seq 50); do [ "$(inbox_state "$dc")" = done ] && break; sleep 0.1; done
expect_eq "$(inbox_state "$dc")" done "its inbox row is done once the record is posted"
reqs=$(pc_admin GET /_sandbox/requests)
dc_gets=$(jq '[.requests[] | select(.method == "GET" and (.path | test("/direct_costs(/line_items)?$")))] ' <<<"$reqs")
expect_eq "$(jq -c '[.[] | [(.path | sub(".*/direct_costs"; "dc")), (.query | map(.[0] | select(. != "page" and . != "per_page")) | join(","))]] | sort' <<<"$dc_gets")" \
  '[["dc","filters[id]"],["dc/line_items","filters[direct_cost_id]"]]' "Procore: one read of the document and one of its lines, each filtered to it"
expect_eq "$(jq '[.[] | select(.query | map(.[1]) | index("'"$dc"'") | not)] | length' <<<"$dc_gets")" 0 "both name that document"
expect_eq "$(je_puts)" 1 "NetSuite: one record write, the journal entry"
expect_eq "$(sql "select count(*) from jobs where payload like '%\"costs\"%'")" 0 "no run of the costs flow was queued for it"
expect_eq "$(sql "select trigger from runs order by id desc limit 1")" event "the posting is a run of its own (trigger event), audited"
expect_eq "$(sql "select count(*) from audit where source_ref = 'pc:$company:dc:$dc' and action = 'create'")" 1 "with one audit row for the entry"

# --- duplicates: the same delivery again, and another event for the same document ------------------
reset_stats
ev=$(sql "select payload from inbox where cast(json_extract(payload, '\$.resource_id') as text) = '$dc' order by id desc limit 1")
expect_eq "$(curl -s -X POST "$H/webhooks/procore/acme" -H 'Authorization: Bearer rec-ev-secret' -d "$ev" | jq -r .status)" duplicate "the same delivery again is a duplicate"
other=$(jq -c '.ulid = "01RECEVENTOTHER00000000001" | .id = 990001' <<<"$ev")
expect_eq "$(curl -s -X POST "$H/webhooks/procore/acme" -H 'Authorization: Bearer rec-ev-secret' -d "$other" | jq -r .status)" accepted "another event for the same document is accepted"
for _ in $(seq 100); do [ "$(sql "select state from inbox where event_key = '01RECEVENTOTHER00000000001'")" = done ] && break; sleep 0.1; done
expect_eq "$(sql "select state from inbox where event_key = '01RECEVENTOTHER00000000001'")" done "and processed"
expect_eq "$(je_puts)" 0 "an unchanged document is not written again"
expect_eq "$(je_count "pc:$company:dc:$dc")" 1 "the entry exists once"

# --- an event that names the document under another linked project (the filtered read finds
# nothing there): nothing is posted or reversed on its word; the flow's full read decides --------
proj=$(jq -r '.project_id' <<<"$ev")
elsewhere=$(sql "select procore_project_id from project_links where procore_project_id <> $proj and active = 1 order by id limit 1")
expect_eq "$([ -n "$elsewhere" ] && echo yes)" yes "the world links a second project"
reset_stats
wrong=$(jq -c --argjson p "${elsewhere:-0}" '.ulid = "01RECEVENTWRONGPROJECT0001" | .id = 990002 | .project_id = $p' <<<"$ev")
expect_eq "$(curl -s -X POST "$H/webhooks/procore/acme" -H 'Authorization: Bearer rec-ev-secret' -d "$wrong" | jq -r .status)" accepted "an event naming the document under another project is accepted"
for _ in $(seq 300); do [ "$(sql "select state from inbox where event_key = '01RECEVENTWRONGPROJECT0001'")" = done ] && break; sleep 0.1; done
for _ in $(seq 300); do [ "$(sql "select count(*) from runs where status = 'running'")" = 0 ] && break; sleep 0.1; done
expect_eq "$(sql "select state from inbox where event_key = '01RECEVENTWRONGPROJECT0001'")" done "it is processed (by the flow)"
expect_eq "$(je_puts)" 0 "and nothing is written to NetSuite: no reversal of a document the named project does not list"
expect_eq "$(je_count "pc:$company:dc:$dc:adj:1")" 0 "no adjustment entry"

# --- during a long run of the costs flow: posted before the run ends ---------------------------------
ns_admin POST /_sandbox/faults '{"faults":"","latency_ms":700}' >/dev/null
pc_admin POST /_sandbox/faults '{"faults":"","latency_ms":700}' >/dev/null
# an owner invoice the project does not list: the event path leaves it to a run of the flow
pa=$(jq -c '.ulid = "01RECEVENTPAYAPP0000000001" | .resource_name = "Payment Applications" | .resource_id = 999999999' <<<"$ev")
curl -s -o /dev/null -X POST "$H/webhooks/procore/acme" -H 'Authorization: Bearer rec-ev-secret' -d "$pa"
for _ in $(seq 100); do [ "$(sql "select count(*) from runs where flow = 'costs' and trigger = 'webhook' and status = 'running'")" = 1 ] && break; sleep 0.1; done
expect_eq "$(sql "select count(*) from runs where flow = 'costs' and trigger = 'webhook' and status = 'running'")" 1 "a run of the costs flow is going"
dc2=$(pending_dc 0)
pc_admin POST "/_sandbox/direct_costs/$dc2/approve" >/dev/null
if wait_je "pc:$company:dc:$dc2"; then ok "an approval during the run is posted"; else not_ok "approval during a run" "$(tail -5 "$WORK/serve.log")"; fi
expect_eq "$(sql "select count(*) from runs where flow = 'costs' and trigger = 'webhook' and status = 'running'")" 1 "before the run ends"
for _ in $(seq 600); do [ "$(sql "select count(*) from runs where status = 'running'")" = 0 ] && break; sleep 0.1; done
expect_eq "$(je_count "pc:$company:dc:$dc2")" 1 "and the run did not post it again"
expect_eq "$(je_count "pc:$company:dc:$dc2:adj:1")" 0 "nor reverse it (its copy of Procore is older than the event's posting)"
ns_admin POST /_sandbox/faults '{"faults":"","latency_ms":0}' >/dev/null
pc_admin POST /_sandbox/faults '{"faults":"","latency_ms":0}' >/dev/null

# --- a failed event: the record stays for the catch-up run, which posts it once ---------------------
f0=$(metric 'mlc_record_events_total{outcome="failed"}')
ns_admin POST /_sandbox/faults '{"faults":"ns:reject=1.0"}' >/dev/null
dc3=$(pending_dc 0)
pc_admin POST "/_sandbox/direct_costs/$dc3/approve" >/dev/null
for _ in $(seq 100); do [ "$(metric 'mlc_record_events_total{outcome="failed"}')" -gt "$f0" ] && break; sleep 0.1; done
expect_eq "$(metric 'mlc_record_events_total{outcome="failed"}')" $((f0 + 1)) "the event's posting failed (NetSuite refused the write)"
expect_eq "$(inbox_state "$dc3")" new "its inbox row stays new"
expect_eq "$(je_count "pc:$company:dc:$dc3")" 0 "nothing was posted"
ns_admin POST /_sandbox/faults '{"faults":""}' >/dev/null
if wait_je "pc:$company:dc:$dc3"; then ok "the catch-up run posts it"; else not_ok "catch-up posting" "$(sql 'select id, state, payload from jobs')"; fi
for _ in $(seq 100); do [ "$(inbox_state "$dc3")" = done ] && break; sleep 0.1; done
expect_eq "$(inbox_state "$dc3")" done "and its inbox row is done"
for _ in $(seq 300); do [ "$(sql "select count(*) from jobs where state in ('queued','running')")" = 0 ] && break; sleep 0.1; done
expect_eq "$(je_count "pc:$company:dc:$dc3")" 1 "exactly once"
expect_eq "$(sql "select count(*) from audit where source_ref = 'pc:$company:dc:$dc3' and action in ('create','update')")" 1 "one successful write in the audit"

kill -TERM "$SERVE_PID"
if wait "$SERVE_PID"; then ok "serve stops cleanly with its event threads"; else not_ok "serve stop"; fi
SERVE_PID=
finish
