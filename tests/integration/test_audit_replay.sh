#!/usr/bin/env bash
# Issue 10, audit trail and replay: records failing under a fault are in
# the audit trail, and replayed successfully once the fault is gone.
# Usage: test_audit_replay.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
world_start
world_tenant acme
"$BIN" sync acme --flow vendors >/dev/null 2>&1

# every Procore write refused (a permanent 400, not retried), reads fine
pc_admin POST /_sandbox/faults '{"faults":"pc:reject=1.0"}' >/dev/null
run "$BIN" sync acme --flow purchase-orders
expect_rc 1 "purchase orders fail while Procore refuses writes"
pc_admin POST /_sandbox/faults '{"faults":""}' >/dev/null
run "$BIN" audit list acme --status failed --json
failed=$(jq length <<<"$OUT")
if [ "$failed" -gt 0 ]; then ok "failed records are in the audit trail ($failed)"; else not_ok "failed records in the audit trail"; fi
id=$(jq '.[0].id' <<<"$OUT")
run "$BIN" audit show "$id"
expect_rc 0 "audit show"
expect_eq "$(jq -r .result <<<"$OUT")" error "the row says it failed"
if [ -n "$(jq -r .error <<<"$OUT")" ]; then ok "with the reason: $(jq -r .error <<<"$OUT" | head -c 80)"; else not_ok "reason"; fi
run "$BIN" replay acme --failed
expect_rc 0 "replay of every failed record succeeds once the fault is gone"
run "$BIN" sync acme --flow purchase-orders --json
expect_eq "$(jq '.stats.created + .stats.updated + .stats.failed' <<<"$OUT")" 0 "after the replay nothing is left to write"
cl=$(pc_admin GET /_sandbox/state/commitment_line_items)
expect_eq "$(jq '[.[] | select(.origin_id != null) | .origin_id] | group_by(.) | map(select(length > 1)) | length' <<<"$cl")" 0 "no record written twice"
run "$BIN" runs list acme
if grep -q replay <<<"$OUT"; then ok "the replay is a run of its own"; else not_ok "replay run listed" "$OUT"; fi
run "$BIN" status --json
expect_eq "$(jq -r '.tenants[0].flows["purchase-orders"].status' <<<"$OUT")" ok "status: the last purchase-orders run is ok"
run "$BIN" review list acme
expect_rc 0 "review list"
run "$BIN" replay acme
expect_rc 2 "replay needs ids or --failed"
finish
