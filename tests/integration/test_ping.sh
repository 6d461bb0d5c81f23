#!/usr/bin/env bash
# `ping` against the sandbox, with a shared token cache in a test Redis:
#  - PS256 (RSA) and ES256 (EC) certificates work; RS256 is refused with the
#    message that names the fix;
#  - across a simulated 5-hour run (the sandbox clock advanced in 10-minute
#    steps, one `ping` process per step sharing tokens through Redis), no
#    call meets an expired token (no 401 at all) and the token endpoints are
#    asked only as often as the token lifetimes need;
#  - Redis stopped mid-run: pings carry on, with a warning;
#  - the database file and every log line of the run hold no plaintext
#    secret or token (searched byte-wise).
set -euo pipefail
BIN=$(realpath "$1")
. "$(dirname "$0")/lib/store.sh"
WORK=$(mktemp -d /tmp/mlc-ping-XXXXXX)
SBX_PID= REDIS_PID=
cleanup() {
	[ -n "$SBX_PID" ] && { kill "$SBX_PID" 2>/dev/null || true; wait "$SBX_PID" 2>/dev/null || true; }
	[ -n "$REDIS_PID" ] && { kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; }
	rm -rf "$WORK"
}
trap cleanup EXIT
LOG=$WORK/run.log
fail() { echo "FAIL: $*" >&2; echo "--- last log lines" >&2; tail -20 "$LOG" >&2; exit 1; }
mlc() { "$BIN" --log-level debug "$@" 2>>"$LOG"; }
cd "$WORK"

# --- the sandbox
"${MLC_SANDBOX_BIN:-$(dirname "$BIN")/mlc-sandbox}" --netsuite 127.0.0.1:0 --procore 127.0.0.1:0 --data "$WORK/sbx" --seed 3 \
	--pc-rate 100000/h,10000/10s >"$WORK/sbx.out" 2>"$WORK/sbx.err" &
SBX_PID=$!
for _ in $(seq 1 100); do
	grep -q '^ready' "$WORK/sbx.out" 2>/dev/null && break
	kill -0 "$SBX_PID" 2>/dev/null || fail "sandbox exited early"
	sleep 0.1
done
grep -q '^ready' "$WORK/sbx.out" || fail "sandbox not ready"
C=$WORK/sbx/credentials.json
NS=$(jq -r .netsuite.url "$C")
PC=$(jq -r .procore.url "$C")

# --- a Redis on a free loopback port
for _ in $(seq 1 20); do
	PORT=$((20000 + RANDOM % 30000))
	redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
		>"$WORK/redis.log" 2>&1 &
	REDIS_PID=$!
	for _ in $(seq 1 50); do
		[ "$(redis-cli -p "$PORT" ping 2>/dev/null)" = PONG ] && break 2
		kill -0 "$REDIS_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill "$REDIS_PID" 2>/dev/null || true
	wait "$REDIS_PID" 2>/dev/null || true
	REDIS_PID=
done
[ -n "$REDIS_PID" ] || fail "cannot start redis-server (scripts/install-deps installs it)"
export MLC_REDIS="redis://127.0.0.1:$PORT/0"

# --- a working directory with three tenants: EC, RSA, and RSA signing RS256
"$BIN" init --dir w >/dev/null
cd w
add_tenant() { # NAME CERT_INDEX
	mlc tenant add "$1" --procore-company "$(jq -r .procore.company_id "$C")" \
		--netsuite-account "$(jq -r .netsuite.account_id "$C")" --netsuite-url "$NS" \
		--procore-api-url "$PC" --procore-auth-url "$PC" >/dev/null
	jq -r .netsuite.client_id "$C" | mlc secret set "$1" netsuite.client_id >/dev/null
	jq -r ".netsuite.certificates[$2].certificate_id" "$C" |
		mlc secret set "$1" netsuite.certificate_id >/dev/null
	mlc secret set "$1" netsuite.private_key \
		--from-file "$(jq -r ".netsuite.certificates[$2].private_key_path" "$C")" >/dev/null
	jq -r .procore.client_id "$C" | mlc secret set "$1" procore.client_id >/dev/null
	jq -r .procore.client_secret "$C" | mlc secret set "$1" procore.client_secret >/dev/null
}
add_tenant ec 1
add_tenant rsa 0
add_tenant legacy 0
store_sql ml-connector.db \
	"UPDATE tenants SET settings = '{\"netsuite\":{\"jwt_alg\":\"RS256\"}}' WHERE name = 'legacy'"
jq -r '.projects[0:3][] | "\(.procore_project_id) \(.netsuite_job_id)"' "$WORK/sbx/seed.json" |
	while read -r p j; do
		mlc project link ec --procore-project "$p" --netsuite-job "$j" >/dev/null
	done

out=$(mlc ping rsa) || fail "ping rsa: $out"
grep -q -- "signed with PS256 accepted" <<<"$out" || fail "PS256 not used: $out"
out=$(mlc ping ec) || fail "ping ec: $out"
grep -q -- "signed with ES256 accepted" <<<"$out" || fail "ES256 not used: $out"
grep -q -- "^ok   procore.projects .*3 of 3 linked" <<<"$out" || fail "linked projects: $out"
grep -q -- "^ok   procore.company .*rate limit" <<<"$out" || fail "company line: $out"
grep -q -- "^ok   netsuite.suiteql .*subsidiar" <<<"$out" || fail "suiteql line: $out"
# six checks of the setup, then one per project link (each linked from the job alone)
mlc ping ec --json | jq -e '.ok == true and (.checks | length) == 9 and
	([.checks[] | select(.check | startswith("link.")) | select(.detail | test("subsidiary 1[,:]"))] | length) == 3' \
	>/dev/null || fail "--json: $(mlc ping ec --json)"
if out=$(mlc ping legacy); then fail "RS256 accepted: $out"; fi
grep -qF -- "NetSuite rejected the JWT: algorithm RS256 is not accepted; use a PS256 (RSA) or ES256 (EC) certificate" <<<"$out" ||
	fail "RS256 message: $out"

# --- a simulated 5-hour run: 30 steps of 10 minutes, one ping process each,
# tokens shared through Redis and the schedule on the sandbox clock
export MLC_CLOCK_URL="$NS/_sandbox/time"
mlc ping ec >/dev/null || fail "first ping on the sandbox clock"
curl -sf -X POST "$NS/_sandbox/reset-stats" >/dev/null
curl -sf -X POST "$PC/_sandbox/reset-stats" >/dev/null
for step in $(seq 1 30); do
	curl -sf -X POST "$NS/_sandbox/time/advance?seconds=600" >/dev/null
	out=$(mlc ping ec) || fail "ping at +$((step * 10)) min: $out"
done
ns_tok=$(curl -sf "$NS/_sandbox/stats" | jq '.token_requests')
pc_tok=$(curl -sf "$PC/_sandbox/stats" | jq '.token_requests')
ns_401=$(curl -sf "$NS/_sandbox/stats" | jq '.status["401"] // 0')
pc_401=$(curl -sf "$PC/_sandbox/stats" | jq '.status["401"] // 0')
echo "5 h: NetSuite token requests $ns_tok, Procore $pc_tok; 401s $ns_401 / $pc_401"
[ "$ns_401" = 0 ] && [ "$pc_401" = 0 ] || fail "a call met an expired token"
# NetSuite tokens live 60 min, refreshed at 55: due at +60, +120, ... +300 (5);
# Procore's 90 min, refreshed at 80: +80 (as +90), +180, +270 (3)
[ "$ns_tok" -ge 4 ] && [ "$ns_tok" -le 6 ] || fail "NetSuite token requests: $ns_tok"
[ "$pc_tok" -ge 3 ] && [ "$pc_tok" -le 4 ] || fail "Procore token requests: $pc_tok"

# --- Redis stopped mid-run: pings carry on, with a warning
kill "$REDIS_PID"
wait "$REDIS_PID" 2>/dev/null || true
REDIS_PID=
for step in 1 2 3; do
	curl -sf -X POST "$NS/_sandbox/time/advance?seconds=1800" >/dev/null
	out=$(mlc ping ec) || fail "ping without Redis: $out"
done
grep -q "redis unavailable" "$LOG" || fail "no warning about Redis"
unset MLC_CLOCK_URL

# --- nothing secret in plaintext, byte-wise, in the database or the logs
cp "$LOG" "$WORK/all.log"
cat "$WORK/sbx.err" >/dev/null # the simulators' own log is not ours
secrets=(
	"$(jq -r .procore.client_secret "$C")"
	"$(jq -r .netsuite.client_id "$C")"
	"$(sed -n 2p "$(jq -r '.netsuite.certificates[1].private_key_path' "$C")")"
	"$(sed -n 2p "$(jq -r '.netsuite.certificates[0].private_key_path' "$C")")"
)
mapfile -t ns_tokens < <(sqlite3 "$WORK/sbx/netsuite.db" "SELECT token FROM _token")
[ "${#ns_tokens[@]}" -ge 4 ] || fail "cannot read the NetSuite tokens issued"
for v in "${secrets[@]}" "${ns_tokens[@]}"; do
	[ -n "$v" ] || continue
	if grep -aqF -- "$v" ml-connector.db* "$WORK/all.log"; then
		fail "plaintext secret or token found: ${v:0:6}..."
	fi
done
if grep -aqE 'pcsim\.[0-9a-f]{32}' ml-connector.db* "$WORK/all.log"; then
	fail "a Procore token in plaintext"
fi
grep -q "http client request" "$WORK/all.log" || fail "debug log was not written (the search would prove nothing)"
echo ok
