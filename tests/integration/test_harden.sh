#!/usr/bin/env bash
# Issue 21 (hardening) through the real binary, without the sandbox: a
# failure on our side is a 503 and never drops a stored event (item 7); a
# run whose process was killed is marked abandoned by status (item 20);
# config check refuses bad addresses (item 21); slow senders from one
# client cannot starve /healthz (item 4); --listen [::]:PORT takes IPv4
# and IPv6 (item 17).
# Usage: test_harden.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/store.sh"
expect_eq() { if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3" "got '$1', wanted '$2'"; fi; }
expect_le() { if [ "$1" -le "$2" ]; then ok "$3 ($1 <= $2)"; else not_ok "$3" "got $1, limit $2"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
TOP=$(mktemp -d)
SERVE_PID=
BH_PID=
cleanup() {
  if [ -n "$SERVE_PID" ]; then kill "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; fi
  if [ -n "$BH_PID" ]; then kill "$BH_PID" 2>/dev/null || true; wait "$BH_PID" 2>/dev/null || true; fi
  rm -rf "$TOP"
}
trap cleanup EXIT
WORK=$TOP/w
"$BIN" init --dir "$WORK" >/dev/null
cd "$WORK"
DB=$WORK/ml-connector.db
sql() { store_sql "$DB" "$1"; }
"$BIN" tenant add acme --procore-company 42 --netsuite-account 123 >/dev/null
printf 'Bearer pc-hook-4242-secret' | "$BIN" secret set acme webhook.procore_authorization >/dev/null
PORT=$(free_port)
H="http://127.0.0.1:$PORT"
serve_start() { # [listen]
  "$BIN" serve --listen "${1:-127.0.0.1:$PORT}" --workers 1 >>"$WORK/serve.log" 2>&1 &
  SERVE_PID=$!
  for _ in $(seq 50); do curl -sgf "${2:-$H}/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "serve did not start"; cat "$WORK/serve.log"; exit 1
}
serve_stop() { kill -TERM "$SERVE_PID"; wait "$SERVE_PID" || true; SERVE_PID=; }
post() { # path auth-header body -> status
  curl -s -o /dev/null -w '%{http_code}' -X POST "$H$1" -H 'Content-Type: application/json' ${2:+-H "$2"} --data-binary "$3"
}
AUTH='Authorization: Bearer pc-hook-4242-secret'
ev() { printf '{"id":%s,"ulid":"01J%s","company_id":42,"project_id":7,"resource_name":"Direct Costs","resource_id":%s,"event_type":"update","timestamp":"2026-11-26T17:00:00Z","api_version":"v2","metadata":{"source_application_id":"other"}}' "$1" "$1" "$1"; }

# --- item 7: a failure on our side is a 503, the event is never dropped -----------------------------
serve_start
expect_eq "$(post /webhooks/procore/acme "$AUTH" "$(ev 1)")" 200 "a good delivery: 200"
# the master key is rotated under the running serve: its key no longer
# opens the secrets; that is our failure, not the sender's
"$BIN" keys rotate >/dev/null
n0=$(sql "select count(*) from inbox")
expect_eq "$(post /webhooks/procore/acme "$AUTH" "$(ev 2)")" 503 "secret unreadable after keys rotate: 503 (the sender retries), not 401"
expect_eq "$(post /webhooks/procore/nobody "$AUTH" "$(ev 2)")" 401 "an unknown tenant is still 401"
expect_eq "$(sql "select count(*) from inbox")" "$n0" "nothing stored by the 503"
serve_stop
serve_start
expect_eq "$(post /webhooks/procore/acme "$AUTH" "$(ev 2)")" 200 "the retry after a restart is stored: 200"
# the inbox drain: a tenant lookup failing on a store error keeps the event pending
sql "ALTER TABLE tenants RENAME TO tenants_away"
tid=$(sql "select id from tenants_away where name = 'acme'")
sql "INSERT INTO inbox (tenant_id, source, event_key, payload, state, received_at) VALUES ($tid, 'procore', 'k-drain', '$(ev 3)', 'new', 0)"
sleep 2.5
expect_eq "$(sql "select state from inbox where event_key = 'k-drain'")" new "a store error in the drain leaves the event pending, not ignored"
sql "ALTER TABLE tenants_away RENAME TO tenants"
st=
for _ in $(seq 50); do st=$(sql "select state from inbox where event_key = 'k-drain'"); [ "$st" = done ] && break; sleep 0.1; done
expect_eq "$st" done "once the store answers, the drain enqueues it"
serve_stop

# --- item 20: a run whose process is gone is told from a live one --------------------------------
# a loopback port that accepts and never answers: the run hangs in its first call
python3 -c '
import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
print(s.getsockname()[1], flush=True); time.sleep(120)' >"$TOP/bh.port" &
BH_PID=$!
for _ in $(seq 50); do [ -s "$TOP/bh.port" ] && break; sleep 0.1; done
BH="http://127.0.0.1:$(cat "$TOP/bh.port")"
"$BIN" tenant add hang --procore-company 43 --netsuite-account 124 --netsuite-url "$BH" \
  --procore-api-url "$BH" --procore-auth-url "$BH" >/dev/null
for n in netsuite.client_id netsuite.certificate_id procore.client_id procore.client_secret; do
  printf 'x1234567890abcdefghij' | "$BIN" secret set hang "$n" >/dev/null
done
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$TOP/k.pem" 2>/dev/null
"$BIN" secret set hang netsuite.private_key --from-file "$TOP/k.pem" >/dev/null
"$BIN" sync hang --flow vendors >"$TOP/sync.log" 2>&1 &
SYNC_PID=$!
for _ in $(seq 50); do [ "$(sql "select count(*) from runs where status = 'running'")" = 1 ] && break; sleep 0.1; done
expect_eq "$(sql "select owner_pid from runs where status = 'running'")" "$SYNC_PID" "the run records its owner's pid"
"$BIN" status >/dev/null
expect_eq "$(sql "select status from runs order by id desc limit 1")" running "status leaves a live run running"
kill -9 "$SYNC_PID"; wait "$SYNC_PID" 2>/dev/null || true
run "$BIN" status
expect_rc 0 "status after kill -9"
expect_out "runs: 1 marked abandoned" "status says a run was abandoned"
expect_out "last run abandoned" "the flow's last run shows abandoned"
expect_eq "$(sql "select status from runs order by id desc limit 1")" abandoned "the killed run is marked abandoned"
expect_eq "$(sql "select count(*) from runs where status = 'running'")" 0 "no run stays running after kill -9"
# a run on another host is judged by its heartbeat (15 min)
tid=$(sql "select id from tenants where name = 'hang'")
now=$(($(date +%s) * 1000))
sql "INSERT INTO runs (tenant_id, flow, trigger, started_at, owner_host, owner_pid, heartbeat_at) VALUES ($tid, 'vendors', 'cli', $now, 'elsewhere.example', 1, $now)"
sql "INSERT INTO runs (tenant_id, flow, trigger, started_at, owner_host, owner_pid, heartbeat_at) VALUES ($tid, 'costs', 'cli', $((now - 3600000)), 'elsewhere.example', 1, $((now - 1000000)))"
"$BIN" status >/dev/null
expect_eq "$(sql "select flow || '=' || status from runs where owner_host = 'elsewhere.example' order by id" | tr '\n' ' ')" "vendors=running costs=abandoned " "another host's run: a fresh heartbeat is live, a stale one abandoned"

# --- item 21: config check refuses what serve cannot use, naming key, value and why --------------
cp ml-connector.yaml "$TOP/good.yaml"
for case in 'listen|[::1:80|without its' 'listen|127.0.0.1:70000|from 0 to 65535' 'trusted_proxies|10.0.0.0/33, ::/129, garbage|prefix must be 0..32'; do
  IFS='|' read -r key val why <<<"$case"
  sed "s|^  $key: .*|  $key: \"$val\"|" "$TOP/good.yaml" >ml-connector.yaml
  run "$BIN" config check
  expect_rc 1 "config check refuses http.$key: '$val'"
  expect_err "http.$key: '$val'" "the message names http.$key and the value"
  expect_err "$why" "and says why ($why)"
done
cp "$TOP/good.yaml" ml-connector.yaml
run env MLC_HTTP_TRUSTED_PROXIES='::/129' "$BIN" config check
expect_err "environment MLC_HTTP_TRUSTED_PROXIES: http.trusted_proxies: '::/129': '::/129': prefix must be 0..128" "a bad value from the environment names the variable"
run "$BIN" config check
expect_rc 0 "the good file passes"

# --- item 4: 1,100 idle half-sent connections from one client; /healthz still answers ------------
# The flood comes from 127.0.0.2 (loopback too), the probes from 127.0.0.1.
export MLC_HTTP_READ_TIMEOUT_SECONDS=2
serve_start
cat >"$TOP/slowloris.py" <<'PY'
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
conns = []
for _ in range(n):
    s = socket.socket()
    s.settimeout(0.5)
    try:
        s.bind(("127.0.0.2", 0))
        s.connect(("127.0.0.1", port))
        s.sendall(b"POST /webhooks/procore/acme HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n")
        conns.append(s)
    except OSError:
        s.close()
def still_open():
    k = 0
    for s in conns:
        try:
            s.setblocking(False)
            if s.recv(1, socket.MSG_PEEK) != b"":
                k += 1
        except BlockingIOError:
            k += 1
        except OSError:
            pass
    return k
time.sleep(1)
print("open=%d" % still_open(), flush=True)
t0 = time.time()
while still_open() and time.time() - t0 < 20:
    time.sleep(0.2)
print("closed_after=%d" % int(time.time() - t0 + 1), flush=True)
PY
python3 "$TOP/slowloris.py" "$PORT" 1100 >"$TOP/slowloris.out" &
SL_PID=$!
for _ in $(seq 300); do grep -q open= "$TOP/slowloris.out" && break; sleep 0.1; done
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$H/healthz")" 200 "/healthz answers during the flood"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$H/metrics")" 200 "/metrics answers during the flood"
expect_eq "$(post /webhooks/procore/acme "$AUTH" "$(ev 9)")" 200 "a webhook from another client is stored during the flood"
held=$(sed -n 's/^open=//p' "$TOP/slowloris.out")
expect_le "${held:-99999}" 64 "connections one client holds open (http.max_connections_per_client)"
wait "$SL_PID" || true
closed=$(sed -n 's/^closed_after=//p' "$TOP/slowloris.out")
expect_le "${closed:-99999}" 6 "half-sent connections are closed after the read timeout (2 s), in seconds"
serve_stop
unset MLC_HTTP_READ_TIMEOUT_SECONDS

# --- item 17: [::]:PORT is dual stack ------------------------------------------------------------
P6=$(free_port)
serve_start "[::]:$P6" "http://127.0.0.1:$P6"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://127.0.0.1:$P6/healthz")" 200 "[::]: an IPv4 client connects"
expect_eq "$(curl -sg -o /dev/null -w '%{http_code}' --max-time 3 "http://[::1]:$P6/healthz")" 200 "[::]: an IPv6 client connects"
H6=$H; H="http://127.0.0.1:$P6"
expect_eq "$(post /webhooks/procore/acme "$AUTH" "$(ev 10)")" 200 "[::]: a webhook over IPv4 is stored"
H=$H6
serve_stop

finish
