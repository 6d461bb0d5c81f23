#!/usr/bin/env bash
# Issue 20, record events beyond direct costs: a Procore event that names a
# payment application (owner invoice) posts THAT invoice through the costs
# flow's own unit (costs_post_payapp): one show of it, no listing of the
# project's invoices, one journal entry; its inbox row goes done after the
# write; another approved invoice whose event never arrived is left to the
# flow; a replay writes nothing; an invoice the named project does not list
# and one that is not approved are left to the flow / write nothing; a
# failed write leaves the row new for the catch-up run, which posts once.
# Usage: test_record_events_payapps.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
world_start
world_tenant acme
world_costs_mappings acme
printf 'Bearer pa-ev-secret' | "$BIN" secret set acme webhook.procore_authorization >/dev/null
"$BIN" sync acme --flow costs >/dev/null 2>&1
DB=$WORK/ml-connector.db
sql() { store_sql "$DB" "$1"; }
company=$(jq .procore.company_id "$DATA/credentials.json")
project=$(jq '.projects[0].procore_project_id' "$DATA/seed.json")
tok=$(pc_token) # pc_api's
H="http://127.0.0.1:$PORT"
SERVE_PID=
trap '[ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null; sandbox_cleanup' EXIT

je_count() { # externalid -> journal entries NetSuite holds with it
  ns_admin GET /_sandbox/netsuite/dump/transaction | jq --arg e "$1" '[.rows[] | select(.externalid == $e)] | length'
}
wait_je() { # externalid -> 0 once NetSuite has it (20 s at most)
  for _ in $(seq 200); do [ "$(je_count "$1")" = 1 ] && return 0; sleep 0.1; done
  return 1
}
new_payapp() { # amount -> id of a new owner invoice (under review) on the first project
  pc_admin POST /_sandbox/payment_applications "{\"project_id\":$project,\"amount\":\"$1\"}" | jq .id
}
inbox_of() { # key -> state of the inbox row
  sql "select state from inbox where event_key = '$1'"
}
wait_inbox() { # key state -> 0 once the row has it (30 s at most)
  for _ in $(seq 300); do [ "$(inbox_of "$1")" = "$2" ] && return 0; sleep 0.1; done
  return 1
}
last_event_key() { # payment application id -> key of its latest inbox row
  sql "select event_key from inbox where json_extract(payload, '\$.resource_name') = 'Payment Applications' and cast(json_extract(payload, '\$.resource_id') as text) = '$1' order by id desc limit 1"
}
je_writes() { ns_calls 'PUT|POST /services/rest/record'; }
metric() { # name with labels -> value (0 when absent)
  local v
  v=$(curl -s "$H/metrics" | awk -v n="$1" '$1 == n { print $2 }')
  printf '%.0f' "${v:-0}"
}
post_event() { # json -> status the endpoint answers
  curl -s -X POST "$H/webhooks/procore/acme" -H 'Authorization: Bearer pa-ev-secret' -d "$1" | jq -r .status
}

# an invoice approved before the hook exists: no event ever names it
quiet=$(new_payapp 1234.56)
pc_admin POST "/_sandbox/payment_applications/$quiet/approve" >/dev/null

"$BIN" serve --listen "127.0.0.1:$PORT" --workers 2 >>"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
for _ in $(seq 50); do curl -sf "$H/healthz" >/dev/null && break; sleep 0.1; done
"$BIN" webhook register acme --url "$H/webhooks/procore/acme" >/dev/null

# --- a new invoice under review: its event is processed, nothing written ------------------------
reset_stats
pa=$(new_payapp 2500.00)
for _ in $(seq 100); do [ -n "$(last_event_key "$pa")" ] && break; sleep 0.1; done
k_create=$(last_event_key "$pa")
if wait_inbox "$k_create" done; then ok "the event of an invoice under review is processed"; else not_ok "create event" "$(inbox_of "$k_create") $(tail -5 "$WORK/serve.log")"; fi
expect_eq "$(je_writes)" 0 "and nothing is written for an invoice that is not approved"
expect_eq "$(je_count "pc:$company:pa:$pa")" 0 "no entry for it"

# --- its approval: that invoice only -----------------------------------------------------------------
pc_admin DELETE /_sandbox/requests >/dev/null
reset_stats
runs0=$(sql "select count(*) from runs")
pc_admin POST "/_sandbox/payment_applications/$pa/approve" >/dev/null
if wait_je "pc:$company:pa:$pa"; then ok "an approved payment application is posted by its event"; else not_ok "approval posted by event" "$(tail -5 "$WORK/serve.log")"; fi
k_approve=$(last_event_key "$pa")
wait_inbox "$k_approve" done || true
expect_eq "$(inbox_of "$k_approve")" done "its inbox row is done once the entry is written"
reqs=$(pc_admin GET /_sandbox/requests)
expect_eq "$(jq -c '[.requests[] | select(.method == "GET" and (.path | test("payment_application"))) | .path] | sort' <<<"$reqs")" \
  "[\"/rest/v1.0/payment_applications/$pa\"]" "Procore: one show of that invoice, no listing of the project's invoices"
expect_eq "$(jq '[.requests[] | select(.method == "GET" and (.path | test("direct_costs")))] | length' <<<"$reqs")" 0 "and no read of the direct costs"
expect_eq "$(je_writes)" 1 "NetSuite: one record write, the journal entry"
expect_eq "$(je_count "pc:$company:pa:$quiet")" 0 "the approved invoice no event named is left to the flow"
expect_eq "$(sql "select count(*) from jobs where payload like '%\"costs\"%'")" 0 "no run of the costs flow was queued"
expect_eq "$(sql "select trigger || ':' || status from runs where id > 0 order by id desc limit 1")" event:ok "the posting is a run of its own (trigger event)"
expect_eq "$(sql "select count(*) from runs")" $((runs0 + 1)) "one run for the event"
expect_eq "$(sql "select count(*) from audit where source_ref = 'pc:$company:pa:$pa' and action = 'create'")" 1 "with one audit row for the entry"
expect_eq "$(sql "select count(*) from postings where source_ref like 'pc:$company:paline:%' and source_ref not like '%:retainage' and je_external_id = 'pc:$company:pa:$pa'")" \
  "$(pc_api GET "/rest/v1.0/payment_applications/$pa?project_id=$project" | jq '[.line_items[] | select((.work_completed_this_period | tonumber) != 0)] | length')" \
  "the ledger holds one revenue row per billed contract item"

# --- replay: the same delivery, and another event for the same invoice ------------------------------
reset_stats
ev=$(sql "select payload from inbox where event_key = '$k_approve'")
expect_eq "$(post_event "$ev")" duplicate "the same delivery again is a duplicate"
again=$(jq -c '.ulid = "01PAEVENTAGAIN000000000001" | .id = 991001' <<<"$ev")
expect_eq "$(post_event "$again")" accepted "another event for the same invoice is accepted"
wait_inbox 01PAEVENTAGAIN000000000001 done || true
expect_eq "$(inbox_of 01PAEVENTAGAIN000000000001)" done "and processed"
expect_eq "$(je_writes)" 0 "an unchanged invoice is not written again"
expect_eq "$(je_count "pc:$company:pa:$pa")" 1 "the entry exists once"

# --- an event naming the invoice under another project: left to the flow -----------------------------
elsewhere=$(sql "select procore_project_id from project_links where procore_project_id <> $project and active = 1 order by id limit 1")
expect_eq "$([ -n "$elsewhere" ] && echo yes)" yes "the world links a second project"
f0=$(metric 'mlc_record_events_total{outcome="to_flow"}')
wrong=$(jq -c --argjson p "${elsewhere:-0}" '.ulid = "01PAEVENTWRONGPROJECT00001" | .id = 991002 | .project_id = $p' <<<"$ev")
expect_eq "$(post_event "$wrong")" accepted "an event naming the invoice under another project is accepted"
for _ in $(seq 100); do [ "$(metric 'mlc_record_events_total{outcome="to_flow"}')" -gt "$f0" ] && break; sleep 0.1; done
expect_eq "$(metric 'mlc_record_events_total{outcome="to_flow"}')" $((f0 + 1)) "the event path leaves it to the flow"
if wait_inbox 01PAEVENTWRONGPROJECT00001 done; then ok "whose run processes the row"; else not_ok "wrong project row" "$(inbox_of 01PAEVENTWRONGPROJECT00001)"; fi
for _ in $(seq 300); do [ "$(sql "select count(*) from runs where status = 'running'")" = 0 ] && break; sleep 0.1; done
expect_eq "$(je_count "pc:$company:pa:$pa")" 1 "the invoice's entry is still the one entry"
expect_eq "$(je_count "pc:$company:pa:$pa:adj:1")" 0 "with no adjustment"
expect_eq "$(je_count "pc:$company:pa:$quiet")" 1 "(the flow's run posted the invoice no event named)"

# --- a failed write: the row stays new, the catch-up run posts it once --------------------------------
f0=$(metric 'mlc_record_events_total{outcome="failed"}')
ns_admin POST /_sandbox/faults '{"faults":"ns:reject=1.0"}' >/dev/null
pa3=$(new_payapp 777.77)
pc_admin POST "/_sandbox/payment_applications/$pa3/approve" >/dev/null
for _ in $(seq 100); do [ "$(metric 'mlc_record_events_total{outcome="failed"}')" -ge $((f0 + 1)) ] && break; sleep 0.1; done
expect_eq "$(metric 'mlc_record_events_total{outcome="failed"}')" $((f0 + 1)) "the event's write failed (NetSuite refused it)"
k3=$(last_event_key "$pa3")
expect_eq "$(inbox_of "$k3")" new "its inbox row stays new"
expect_eq "$(je_count "pc:$company:pa:$pa3")" 0 "nothing was posted"
ns_admin POST /_sandbox/faults '{"faults":""}' >/dev/null
if wait_je "pc:$company:pa:$pa3"; then ok "the catch-up run posts it"; else not_ok "catch-up posting" "$(sql 'select id, state, payload from jobs')"; fi
wait_inbox "$k3" done || true
expect_eq "$(inbox_of "$k3")" done "and its inbox row is done"
for _ in $(seq 300); do [ "$(sql "select count(*) from jobs where state in ('queued','running')")" = 0 ] && break; sleep 0.1; done
expect_eq "$(je_count "pc:$company:pa:$pa3")" 1 "exactly once"

kill -TERM "$SERVE_PID"
if wait "$SERVE_PID"; then ok "serve stops cleanly"; else not_ok "serve stop"; fi
SERVE_PID=
finish
