#!/usr/bin/env bash
# Issue 21, item 18 (second half): /metrics and /readyz can be bound to
# another address than the webhooks (http.ops_listen).  Without it, all of
# /healthz, /readyz and /metrics answer on http.listen as before; with it,
# they answer on the ops listener, /metrics and /readyz are 404 on the
# webhook port (/healthz stays), webhooks are not served on the ops port,
# and config check validates the key like http.listen.
# Usage: test_ops_listen.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
expect_eq() { if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3" "got '$1', wanted '$2'"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
TOP=$(mktemp -d)
SERVE_PID=
cleanup() {
  if [ -n "$SERVE_PID" ]; then kill "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; fi
  rm -rf "$TOP"
}
trap cleanup EXIT
WORK=$TOP/w
"$BIN" init --dir "$WORK" >/dev/null
cd "$WORK"
"$BIN" tenant add acme --procore-company 42 --netsuite-account 123 >/dev/null
printf 'Bearer pc-hook-4242-secret' | "$BIN" secret set acme webhook.procore_authorization >/dev/null
PORT=$(free_port)
H="http://127.0.0.1:$PORT"
serve_start() { # probe-url
  "$BIN" serve --listen "127.0.0.1:$PORT" --workers 1 >>"$WORK/serve.log" 2>&1 &
  SERVE_PID=$!
  for _ in $(seq 50); do curl -sf "$1/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "serve did not start"; cat "$WORK/serve.log"; exit 1
}
serve_stop() { kill -TERM "$SERVE_PID"; wait "$SERVE_PID" || true; SERVE_PID=; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
AUTH='Authorization: Bearer pc-hook-4242-secret'
EV='{"id":1,"ulid":"01JOPS1","company_id":42,"project_id":7,"resource_name":"Direct Costs","resource_id":1,"event_type":"update","timestamp":"2026-11-26T17:00:00Z","api_version":"v2","metadata":{"source_application_id":"other"}}'

# --- without http.ops_listen: everything on http.listen, as before ------------------------------
serve_start "$H"
expect_eq "$(code "$H/healthz")" 200 "no ops_listen: /healthz on the webhook port"
expect_eq "$(code "$H/readyz")" 200 "no ops_listen: /readyz on the webhook port"
expect_eq "$(code "$H/metrics")" 200 "no ops_listen: /metrics on the webhook port"
if grep -q '^mlc_' <<<"$(curl -s "$H/metrics")"; then ok "no ops_listen: /metrics has mlc_ series"; else not_ok "no ops_listen: /metrics has mlc_ series"; fi
if grep -q 'ops_port' "$WORK/serve.log"; then not_ok "no ops_listen: no ops listener logged"; else ok "no ops_listen: no ops listener logged"; fi
serve_stop

# --- with http.ops_listen: health and metrics on their own port ---------------------------------
OPS_PORT=$(free_port)
O="http://127.0.0.1:$OPS_PORT"
export MLC_HTTP_OPS_LISTEN="127.0.0.1:$OPS_PORT"
serve_start "$O"
expect_eq "$(code "$O/healthz")" 200 "ops port: /healthz"
expect_eq "$(code "$O/readyz")" 200 "ops port: /readyz"
expect_eq "$(code "$O/metrics")" 200 "ops port: /metrics"
expect_eq "$(code "$H/metrics")" 404 "webhook port: /metrics is 404"
expect_eq "$(code "$H/readyz")" 404 "webhook port: /readyz is 404"
expect_eq "$(code "$H/healthz")" 200 "webhook port: /healthz stays"
expect_eq "$(code -X POST "$H/webhooks/procore/acme" -H 'Content-Type: application/json' -H "$AUTH" --data-binary "$EV")" 200 "webhook port: a good delivery is 200"
expect_eq "$(code -X POST "$O/webhooks/procore/acme" -H 'Content-Type: application/json' -H "$AUTH" --data-binary "$EV")" 404 "ops port: no webhooks (404)"
if grep -q 'mlc_webhook_events_total' <<<"$(curl -s "$O/metrics")"; then ok "ops port: /metrics counts the webhook port's events"; else not_ok "ops port: /metrics counts the webhook port's events" "$(curl -s "$O/metrics" | head -20)"; fi
if grep -q "ops_port=$OPS_PORT" "$WORK/serve.log"; then ok "serve logs the ops port"; else not_ok "serve logs the ops port" "$(tail -5 "$WORK/serve.log")"; fi
serve_stop

# an ops address that is taken: serve refuses to start
BLOCK_PORT=$(free_port)
python3 -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.1",int(sys.argv[1]))); s.listen(); time.sleep(30)' "$BLOCK_PORT" &
BLOCK_PID=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$BLOCK_PORT") 2>/dev/null && break; sleep 0.1; done
run env MLC_HTTP_OPS_LISTEN="127.0.0.1:$BLOCK_PORT" timeout 20 "$BIN" serve --listen "127.0.0.1:$PORT" --workers 1
kill "$BLOCK_PID" 2>/dev/null || true; wait "$BLOCK_PID" 2>/dev/null || true
if [ "$RC" != 0 ] && [ "$RC" != 124 ]; then ok "ops address in use: serve exits non-zero ($RC)"; else not_ok "ops address in use: serve exits non-zero" "rc $RC"; fi
expect_err "127.0.0.1:$BLOCK_PORT" "and names the ops address"

# --- config check validates http.ops_listen like http.listen ------------------------------------
unset MLC_HTTP_OPS_LISTEN
run "$BIN" config check
expect_rc 0 "config check: an empty http.ops_listen (the default) passes"
run env MLC_HTTP_OPS_LISTEN='127.0.0.1:9100' "$BIN" config check
expect_rc 0 "config check: a good http.ops_listen passes"
run env MLC_HTTP_OPS_LISTEN='[::1:80' "$BIN" config check
expect_rc 1 "config check refuses http.ops_listen '[::1:80'"
expect_err "environment MLC_HTTP_OPS_LISTEN: http.ops_listen:" "the message names the variable and the key"
run env MLC_HTTP_OPS_LISTEN='127.0.0.1:70000' "$BIN" config check
expect_rc 1 "config check refuses http.ops_listen port 70000"
expect_err "from 0 to 65535" "and says why"
cp ml-connector.yaml "$TOP/good.yaml"
grep -q '^  ops_listen: ""$' ml-connector.yaml || { echo "init wrote no http.ops_listen line"; exit 1; }
sed 's|^  ops_listen: .*|  ops_listen: "127.0.0.1:70000"|' "$TOP/good.yaml" >ml-connector.yaml
run "$BIN" config check
expect_rc 1 "config check refuses a bad http.ops_listen from the file"
expect_err "http.ops_listen: '127.0.0.1:70000'" "the message names the key and the value"
cp "$TOP/good.yaml" ml-connector.yaml
run "$BIN" config check
expect_rc 0 "the good file passes again"

finish
