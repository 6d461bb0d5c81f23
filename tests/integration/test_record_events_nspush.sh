#!/usr/bin/env bash
# Issue 20, "same for NetSuite pushes": a push naming a value of the
# cost-code segment aligns THAT code (cost_codes_one_netsuite: the value
# read alone, then the cost-codes flow's per-code plan and writes), and a
# push naming a linked vendor settles THAT pair (vendors_one: the vendor
# read alone, its Procore twin by origin_id, then the vendors flow's own
# per-vendor code), each in a run of its own, without queueing a run of
# the flow and without reading the segment's or the vendors' lists (the
# requests serve sent are read from its debug log).  The inbox row is
# done after the writes; a replay writes nothing; a push for a vendor
# that would park (not linked, a second company of a linked name) goes
# to the flow, whose run parks it and processes the row.
# Usage: test_record_events_nspush.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PUSH_SECRET=ns-push-nspush-7171
world_start
world_tenant acme
world_costs_mappings acme
"$BIN" tenant set acme --netsuite-allowlist 127.0.0.1/32 >/dev/null
printf '%s' "$PUSH_SECRET" | "$BIN" secret set acme webhook.netsuite_secret >/dev/null
"$BIN" sync acme --flow cost-codes >/dev/null 2>&1
"$BIN" sync acme --flow vendors >/dev/null 2>&1
DB=$WORK/ml-connector.db
sql() { store_sql "$DB" "$1"; }
tok=$(pc_token)
p1=$(jq '.projects[0].procore_project_id' "$DATA/seed.json")
PJS=$(jq -c '[.projects[].procore_project_id]' "$DATA/seed.json")
H="http://127.0.0.1:$PORT"
SEG=customrecord_cseg_mlc_costcode
LOG=$WORK/serve.log
SERVE_PID=
trap '[ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null; sandbox_cleanup' EXIT

seg_row() { # CODE -> the segment value carrying it
  ns_admin GET /_sandbox/netsuite/dump/$SEG | jq -c --arg c "$1" '[.rows[] | select(.externalid == $c)][0]'
}
pc_names() { # CODE -> the distinct names the linked projects hold it under
  pc_admin GET /_sandbox/state/cost_codes |
    jq -r --arg c "$1" --argjson ps "$PJS" \
      '[.[] | select(.full_code == $c and .deleted_at == null and (._project_id as $p | $ps | index($p))) | .name] | unique | join("|")'
}
pc_vendor() { # NetSuite id -> the Procore vendor whose origin_id names it
  pc_api GET "/rest/v1.0/vendors?company_id=$(jq .procore.company_id "$DATA/credentials.json")&per_page=1000" |
    jq -c --arg o "ns:vendor:$1" '[.[] | select(.origin_id == $o)][0]'
}
push() { # TYPE ID STAMP -> the answer's status; the push's inbox key is TYPE:ID:STAMP
  curl -s -X POST "$H/webhooks/netsuite/acme" -H "X-MLC-Webhook-Secret: $PUSH_SECRET" \
    -d "{\"recordType\":\"$1\",\"id\":\"$2\",\"lastModifiedDate\":\"$3\"}" | jq -r .status
}
inbox_of() { sql "select state from inbox where event_key = '$1'"; }
wait_inbox() { # key state -> 0 once the row has it (30 s at most)
  for _ in $(seq 300); do [ "$(inbox_of "$1")" = "$2" ] && return 0; sleep 0.1; done
  return 1
}
metric() { # name with labels -> value (0 when absent)
  local v
  v=$(curl -s "$H/metrics" | awk -v n="$1" '$1 == n { print $2 }')
  printf '%.0f' "${v:-0}"
}
mark() { wc -l <"$LOG"; }
requests_since() { # LINE -> the request lines serve logged after it (url and body)
  tail -n "+$(($1 + 1))" "$LOG" | grep 'http client request' || true
}
last_run() { sql "select flow || ':' || trigger || ':' || status || ':' || cast(json_extract(stats, '\$.read') as text) from runs order by id desc limit 1"; }
jobs_of() { sql "select count(*) from jobs where payload like '%\"$1\"%'"; }

"$BIN" --log-level debug serve --listen "127.0.0.1:$PORT" --workers 2 >>"$LOG" 2>&1 &
SERVE_PID=$!
for _ in $(seq 50); do curl -sf "$H/healthz" >/dev/null && break; sleep 0.1; done

# --- a segment value renamed in NetSuite: that code, everywhere --------------------------------------
X=$(pc_api GET "/rest/v1.0/cost_codes?project_id=$p1&per_page=1000" | jq -r '[.[] | select(.full_code | test("-"))][0].full_code')
Y=$(pc_api GET "/rest/v1.0/cost_codes?project_id=$p1&per_page=1000" | jq -r '[.[] | select(.full_code | test("-"))][1].full_code')
xv=$(seg_row "$X" | jq -r .id)
yv=$(seg_row "$Y" | jq -r .id)
y_pc=$(pc_names "$Y")
# a rename no push names: the flow's to find
ns_admin PATCH "/_sandbox/netsuite/records/$SEG/$yv" "{\"name\":\"$Y Renamed Quietly\"}" >/dev/null
ns_admin PATCH "/_sandbox/netsuite/records/$SEG/$xv" "{\"name\":\"$X Renamed In NetSuite\"}" >/dev/null
reset_stats
runs0=$(sql "select count(*) from runs")
m=$(mark)
expect_eq "$(push $SEG "$xv" 2026-11-26T10:00:00Z)" accepted "the segment value's push is accepted"
k="$SEG:$xv:2026-11-26T10:00:00Z"
wait_inbox "$k" done || true
expect_eq "$(inbox_of "$k")" done "its inbox row is done once the code is aligned"
expect_eq "$(pc_names "$X")" "Renamed In NetSuite" "every linked project holds the new name"
expect_eq "$(pc_names "$Y")" "$y_pc" "the value renamed without a push is left to the flow"
expect_eq "$(ns_calls '(PATCH|POST|PUT) /services/rest/record')" 0 "NetSuite: no write (it holds the change)"
expect_eq "$(last_run)" cost-codes:event:ok:1 "a run of its own (trigger event) that read one code"
expect_eq "$(sql "select count(*) from runs")" $((runs0 + 1)) "one run for the push"
expect_eq "$(jobs_of cost-codes)" 0 "no run of the cost-codes flow was queued"
reqs=$(requests_since "$m")
if grep -q "FROM $SEG WHERE id = $xv OR parent = $xv" <<<"$reqs"; then ok "the value is read alone"; else not_ok "one-value read" "$(grep -c . <<<"$reqs") requests"; fi
if grep -q "FROM $SEG ORDER BY id" <<<"$reqs"; then not_ok "the segment's list is not read" "$(grep "FROM $SEG ORDER" <<<"$reqs" | head -1)"; else ok "the segment's list is not read"; fi

# --- replay: another push for the same value writes nothing --------------------------------------------
reset_stats
expect_eq "$(push $SEG "$xv" 2026-11-26T10:00:01Z)" accepted "another push for the value is accepted"
wait_inbox "$SEG:$xv:2026-11-26T10:00:01Z" done || true
expect_eq "$(inbox_of "$SEG:$xv:2026-11-26T10:00:01Z")" done "and processed"
expect_eq "$(ns_calls '(PATCH|POST|PUT) /services/rest/record')" 0 "NetSuite: no write for an aligned code"
expect_eq "$(pc_calls '(PATCH|POST|DELETE) /rest')" 0 "Procore: no write either"

# --- a linked vendor changed in NetSuite: that pair settled -------------------------------------------
nv=$(ns_admin GET /_sandbox/netsuite/dump/vendor | jq -r --argjson ids "$(sql "select netsuite_key from id_map where entity = 'vendor'" | jq -R . | jq -sc .)" \
  '[.rows[] | select((.id | tostring) as $i | $ids | index($i))][0].id')
ns_admin PATCH "/_sandbox/netsuite/records/vendor/$nv" '{"email":"pushed@nspush.example"}' >/dev/null
reset_stats
runs0=$(sql "select count(*) from runs")
m=$(mark)
expect_eq "$(push vendor "$nv" 2026-11-26T11:00:00Z)" accepted "the vendor's push is accepted"
kv="vendor:$nv:2026-11-26T11:00:00Z"
wait_inbox "$kv" done || true
expect_eq "$(inbox_of "$kv")" done "its inbox row is done once the pair is settled"
expect_eq "$(pc_vendor "$nv" | jq -r .email_address)" pushed@nspush.example "Procore's twin has the new email"
expect_eq "$(pc_calls 'PATCH /rest/v1.0/vendors/sync')" 1 "Procore: one sync call"
expect_eq "$(ns_calls '(PATCH|POST|PUT) /services/rest/record')" 0 "NetSuite: no write"
expect_eq "$(last_run)" vendors:event:ok:1 "a run of its own that read one vendor"
expect_eq "$(sql "select count(*) from runs")" $((runs0 + 1)) "one run for the push"
expect_eq "$(jobs_of vendors)" 0 "no run of the vendors flow was queued"
expect_eq "$(sql "select count(*) from audit where run_id = (select max(id) from runs) and source_ref <> 'ns:vendor:$nv'")" 0 "no audit row for another vendor"
reqs=$(requests_since "$m")
if grep -q "FROM vendor WHERE id = $nv" <<<"$reqs"; then ok "the vendor is read alone"; else not_ok "one-vendor read"; fi
others=$(grep 'FROM vendor' <<<"$reqs" | grep -v "FROM vendor WHERE id = $nv[^0-9]" || true)
expect_eq "$(grep -c . <<<"$others" || true)" 0 "no other read of NetSuite's vendors (the flow's list read is 'WHERE lastmodifieddate ...')"
pc_reads=$(grep -o 'url=[^ ]*/rest/v1.0/vendors?[^ ]*' <<<"$reqs" || true)
expect_eq "$(grep -c . <<<"$pc_reads")" 1 "Procore: one vendor read"
if grep -q 'origin_id' <<<"$pc_reads"; then ok "filtered by the twin's origin_id"; else not_ok "filtered read" "$pc_reads"; fi

# --- replay of the vendor: nothing written ---------------------------------------------------------------
reset_stats
expect_eq "$(push vendor "$nv" 2026-11-26T11:00:01Z)" accepted "another push for the vendor is accepted"
wait_inbox "vendor:$nv:2026-11-26T11:00:01Z" done || true
expect_eq "$(inbox_of "vendor:$nv:2026-11-26T11:00:01Z")" done "and processed"
expect_eq "$(pc_calls '(PATCH|POST) /rest')" 0 "Procore: no write for a settled pair"
expect_eq "$(ns_calls '(PATCH|POST|PUT) /services/rest/record')" 0 "NetSuite: no write either"

# --- a vendor that would park: the flow's ----------------------------------------------------------------
twin=$(ns_admin GET "/_sandbox/netsuite/dump/vendor" | jq -r --arg i "$nv" '[.rows[] | select((.id | tostring) == $i)][0].companyname')
dup=$(ns_admin POST /_sandbox/netsuite/records/vendor "$(jq -cn --arg n "$twin" '{companyName: $n, entityId: ($n + " 2"), subsidiary: {id: "1"}}')" | jq -r .id)
f0=$(metric 'mlc_record_events_total{outcome="to_flow"}')
expect_eq "$(push vendor "$dup" 2026-11-26T12:00:00Z)" accepted "a push for an unlinked namesake is accepted"
kd="vendor:$dup:2026-11-26T12:00:00Z"
for _ in $(seq 100); do [ "$(metric 'mlc_record_events_total{outcome="to_flow"}')" -gt "$f0" ] && break; sleep 0.1; done
expect_eq "$(metric 'mlc_record_events_total{outcome="to_flow"}')" $((f0 + 1)) "the event path leaves it to the flow"
wait_inbox "$kd" done || true
expect_eq "$(inbox_of "$kd")" done "whose run processes the row"
for _ in $(seq 300); do [ "$(sql "select count(*) from runs where status = 'running'")" = 0 ] && break; sleep 0.1; done
expect_eq "$(sql "select count(*) from review where source_ref = 'ns:vendor:$dup' and state = 'open'")" 1 "and parks the vendor for review"
expect_eq "$(pc_vendor "$dup")" null "nothing of it reached Procore"

kill -TERM "$SERVE_PID"
if wait "$SERVE_PID"; then ok "serve stops cleanly"; else not_ok "serve stop"; fi
SERVE_PID=
finish
