#!/usr/bin/env bash
# make chaos / make chaos-smoke (issue 21, "Prove it under load and faults").
#
# Two worlds on the same seed, one after the other, each a sandbox (both
# simulators) with a working directory, a tenant and `serve`:
#   control  no faults, no kills
#   chaos    5xx, timeouts, connection resets, lost responses (the write
#            lands, the answer is dropped), 429s with each API's headers,
#            dropped NetSuite pushes, duplicated Procore webhooks; `sync`
#            and `serve` are killed with SIGKILL at random and restarted
# Each world: an initial load (`sync` of every flow), then a month of
# activity (each round a business day: direct costs approved in Procore,
# vendors edited in NetSuite) carried by serve's webhooks and schedules,
# then a fault-free pass (`sync` of every flow).  Each round is a day on
# the sandbox clock (both simulators share it): the connector follows that
# clock (MLC_CLOCK_URL, src/cli/cli_clock.c), so its tokens expire and are
# fetched again as they would over a month (NetSuite 60 min, Procore 90 min
# refreshed at 80); NetSuite must never refuse an assertion (invalid_grant).
# Then: every record the connector writes (NetSuite rows by externalid and
# their lines, Procore rows by origin_id, Procore cost codes by project and
# code) must be in the chaos world exactly as often as in the control
# world; `reconcile` must tie out; no job or run may be left running; every
# answer other than 2xx the sandbox gave to a write (its stats calls_status)
# must be in the audit, as a retried attempt ("; retried 503,reset") or as
# the write's failure; only writes in flight when a process was killed may
# be missing (exact in the control world).
# Prints the counts; exits 1 on any loss, duplicate or extra record.
#
# Settings (environment):
#   CHAOS_SEED=7 CHAOS_SCALE=8 (keyed records: 1,831 at scale 1) CHAOS_DAYS=30
#   CHAOS_DAY_SECONDS=86400 (how far the sandbox clock moves each round)
#   CHAOS_KILLS=20 (serve) CHAOS_SYNC_KILLS=5 CHAOS_FAULTS=SPEC (see below)
#   CHAOS_TIMEOUT_MS=1500 (how long a "timeout" fault holds a request)
#   CHAOS_DIR=DIR (kept; default a temporary directory, kept on failure)
#   CHAOS_BREAK=dup|lost|nofinal (prove the check can fail: list one chaos
#   record twice; delete a cost code in the chaos world's Procore after the
#   fault-free pass; skip that pass; dup and lost must then exit 1)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$(readlink -f "${CHAOS_BIN:-$ROOT/build/ml-connector}")
SANDBOX_BIN=${MLC_SANDBOX_BIN:-$(dirname "$BIN")/mlc-sandbox}
SEED=${CHAOS_SEED:-7}
SCALE=${CHAOS_SCALE:-8}
DAYS=${CHAOS_DAYS:-30}
DAY_SECONDS=${CHAOS_DAY_SECONDS:-86400}
KILLS=${CHAOS_KILLS:-20}
SYNC_KILLS=${CHAOS_SYNC_KILLS:-5}
BREAK=${CHAOS_BREAK:-}
FAULTS=${CHAOS_FAULTS:-ns:5xx=0.04,ns:timeout=0.02,ns:reset=0.04,ns:lost=0.01,ns:429=0.03,ns:push_drop=0.2,pc:5xx=0.04,pc:timeout=0.02,pc:reset=0.04,pc:lost=0.01,pc:429=0.03,pc:dup=0.1}
export MLC_SANDBOX_TIMEOUT_MS=${CHAOS_TIMEOUT_MS:-1500}
# a killed serve's jobs are taken again after this lease
export MLC_JOBS_LEASE_SECONDS=5
FLOWS="accounts cost-codes budgets vendors purchase-orders requisitions costs vendors-back"
T=chaos
RANDOM=$SEED

for c in jq curl sqlite3 python3; do command -v $c >/dev/null || { echo "chaos: missing $c" >&2; exit 2; }; done
[ -x "$BIN" ] && [ -x "$SANDBOX_BIN" ] || { echo "chaos: build first ($BIN, $SANDBOX_BIN)" >&2; exit 2; }
if [ -n "${CHAOS_DIR:-}" ]; then D=$CHAOS_DIR; rm -rf "$D"; mkdir -p "$D"; else D=$(mktemp -d); fi
D=$(readlink -f "$D")
PIDS=()
OK=0
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "$OK" = 1 ] && [ -z "${CHAOS_DIR:-}" ]; then rm -rf "$D"; else echo "chaos: files kept in $D" >&2; fi
}
trap cleanup EXIT
die() { echo "chaos: $*" >&2; exit 1; }
say() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*"; }
T0=$(date +%s)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cred() { jq -r "$2" "$D/$1/data/credentials.json"; }
ns() { curl -sf -X "$2" "$(cred "$1" .netsuite.url)$3" -H 'Content-Type: application/json' ${4:+-d "$4"}; }
pc() { curl -sf -X "$2" "$(cred "$1" .procore.url)$3" -H 'Content-Type: application/json' ${4:+-d "$4"}; }
# the connector follows the world's sandbox clock (auth/clock.h)
clock_url() { echo "$(cred "$1" .netsuite.url)/_sandbox/time"; }
mlc() { local w=$1; shift; (cd "$D/$w/work" && MLC_CLOCK_URL=$(clock_url "$w") "$BIN" "$@"); }

# world_up WORLD: sandbox, working directory, tenant, links, mappings.
world_up() {
  local w=$1 c port secret auth
  mkdir -p "$D/$w"
  port=$(free_port); echo "$port" >"$D/$w/serve.port"
  secret=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
  auth="Bearer $(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  "$SANDBOX_BIN" --netsuite 127.0.0.1:0 --procore 127.0.0.1:0 --data "$D/$w/data" \
    --seed "$SEED" --scale "$SCALE" \
    --push-url "http://127.0.0.1:$port/webhooks/netsuite/$T" --push-secret "$secret" \
    >"$D/$w/sandbox.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 600); do grep -q '^ready' "$D/$w/sandbox.log" 2>/dev/null && break; sleep 0.1; done
  grep -q '^ready' "$D/$w/sandbox.log" || { tail "$D/$w/sandbox.log"; die "$w: sandbox did not start"; }
  c=$D/$w/data/credentials.json
  "$BIN" init --dir "$D/$w/work" >/dev/null
  mlc "$w" tenant add $T --procore-company "$(jq .procore.company_id "$c")" \
    --netsuite-account "$(jq -r .netsuite.account_id "$c")" --netsuite-url "$(jq -r .netsuite.url "$c")" \
    --procore-api-url "$(jq -r .procore.url "$c")" --procore-auth-url "$(jq -r .procore.url "$c")" \
    --procore-service-user-id "$(jq .procore.service_user_id "$c")" \
    --netsuite-allowlist 127.0.0.1/32 >/dev/null
  mlc "$w" tenant set $T --setting "netsuite.integration_user_id=$(jq .netsuite.integration_user_id "$c")" >/dev/null
  jq -j .netsuite.client_id "$c" | mlc "$w" secret set $T netsuite.client_id >/dev/null
  jq -j '.netsuite.certificates[0].certificate_id' "$c" | mlc "$w" secret set $T netsuite.certificate_id >/dev/null
  mlc "$w" secret set $T netsuite.private_key --from-file "$(jq -r '.netsuite.certificates[0].private_key_path' "$c")" >/dev/null
  jq -j .procore.client_id "$c" | mlc "$w" secret set $T procore.client_id >/dev/null
  jq -j .procore.client_secret "$c" | mlc "$w" secret set $T procore.client_secret >/dev/null
  printf '%s' "$secret" | mlc "$w" secret set $T webhook.netsuite_secret >/dev/null
  printf '%s' "$auth" | mlc "$w" secret set $T webhook.procore_authorization >/dev/null
  jq -r '.projects[] | "\(.procore_project_id) \(.netsuite_job_id) \(.subsidiary_id) \(.department_id) \(.class_id) \(.location_id)"' \
    "$D/$w/data/seed.json" | while read -r pp job sub dep cls loc; do
    mlc "$w" project link $T --procore-project "$pp" --netsuite-job "$job" --subsidiary "$sub" \
      --department "$dep" --class "$cls" --location "$loc" >/dev/null
  done
  for k in cost-type-account cost-code-account cost-code-segment offset-account; do
    mlc "$w" mapping import $T $k "$D/$w/data/mappings/$k.csv" >/dev/null
  done
  mlc "$w" webhook register $T --url "http://127.0.0.1:$port/webhooks/procore/$T" >/dev/null
  mlc "$w" tenant set $T --schedules vendors=10s,purchase-orders=10s,requisitions=20s,costs=10s,cost-codes=20s,budgets=30s,accounts=30s,vendors-back=20s >/dev/null
}

serve_up() { # WORLD [LOG]
  local w=$1 log=${2:-serve.log} port
  port=$(cat "$D/$w/serve.port")
  (cd "$D/$w/work" && MLC_CLOCK_URL=$(clock_url "$w") exec "$BIN" serve --listen "127.0.0.1:$port" --workers 2) >>"$D/$w/$log" 2>&1 &
  echo $! >"$D/$w/serve.pid"
  PIDS+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return 0; sleep 0.1; done
  tail "$D/$w/$log"; die "$w: serve did not start"
}
serve_kill() { kill -KILL "$(cat "$D/$1/serve.pid")" 2>/dev/null || true; wait "$(cat "$D/$1/serve.pid")" 2>/dev/null || true; }
serve_stop() { kill -TERM "$(cat "$D/$1/serve.pid")" 2>/dev/null || true; wait "$(cat "$D/$1/serve.pid")" 2>/dev/null || true; }

# faults WORLD SPEC: each simulator takes its own part of SPEC
faults() {
  ns "$1" POST /_sandbox/faults "{\"faults\":\"$2\"}" >/dev/null
  pc "$1" POST /_sandbox/faults "{\"faults\":\"$2\"}" >/dev/null
}

# The month's activity, the same in both worlds: taken from the seeded
# state (the same for one seed), never from ids the connector created.
plan_activity() {
  local w=$1 company
  company=$(cred "$w" .procore.company_id)
  pc "$w" GET /_sandbox/state/direct_costs |
    jq -r --argjson c "$company" '[.[] | select(._company_id == $c and .status == "pending") | .id] | sort | .[]' >"$D/pending"
  ns "$w" GET /_sandbox/netsuite/dump/vendor | jq -r '[.rows[].id] | sort | .[]' >"$D/vendors"
}

# month WORLD KILLS: DAYS rounds of activity while serve runs; KILLS
# SIGKILLs of serve spread over the rounds, each followed by a restart.
month() {
  local w=$1 kills=$2 day i n per left
  local npend nvend
  npend=$(wc -l <"$D/pending"); nvend=$(wc -l <"$D/vendors")
  per=$(( (npend + DAYS - 1) / DAYS ))
  : >"$D/$w/killdays"; : >"$D/$w/jumps"
  for _ in $(seq "$kills"); do echo $((RANDOM % DAYS + 1)) >>"$D/$w/killdays"; done
  serve_up "$w"
  for day in $(seq "$DAYS"); do
    for i in $(sed -n "$(( (day - 1) * per + 1 )),$(( day * per ))p" "$D/pending"); do
      pc "$w" POST "/_sandbox/direct_costs/$i/approve" >/dev/null || die "$w: approve $i"
    done
    for n in 1 2 3; do
      i=$(sed -n "$(( ((day - 1) * 3 + n - 1) % nvend + 1 ))p" "$D/vendors")
      ns "$w" PATCH "/_sandbox/netsuite/records/vendor/$i" "{\"phone\":\"916-555-$(printf %04d $((day * 10 + n)))\"}" >/dev/null ||
        die "$w: edit vendor $i"
    done
    left=$(grep -c "^$day\$" "$D/$w/killdays" || true)
    for _ in $(seq "$left"); do
      sleep "0.$((RANDOM % 9 + 1))"
      serve_kill "$w"
      serve_up "$w"
    done
    sleep 1
    # the sandbox time (s) the jump starts from, to tell assertions in flight across it
    ns "$w" GET /_sandbox/time | jq -r '.now | sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601' >>"$D/$w/jumps"
    ns "$w" POST "/_sandbox/time/advance?seconds=$DAY_SECONDS" >/dev/null || die "$w: advance the clock"
  done
  sleep 5
  serve_stop "$w"
}

# load WORLD KILLS: the initial load, one `sync` per flow; KILLS of them
# (random flows) are killed with SIGKILL after a random moment and run again.
load() {
  local w=$1 kills=$2 f pid
  : >"$D/$w/killflows"
  for _ in $(seq "$kills"); do echo "$FLOWS" | tr ' ' '\n' | sed -n "$((RANDOM % 8 + 1))p" >>"$D/$w/killflows"; done
  for f in $FLOWS; do
    if grep -qx -- "$f" "$D/$w/killflows"; then
      (cd "$D/$w/work" && MLC_CLOCK_URL=$(clock_url "$w") exec "$BIN" sync $T --flow "$f") >>"$D/$w/sync.log" 2>&1 &
      pid=$!
      sleep "$((RANDOM % 3)).$((RANDOM % 10))"
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      echo "killed sync --flow $f" >>"$D/$w/sync.log"
    fi
    mlc "$w" sync $T --flow "$f" >>"$D/$w/sync.log" 2>&1 || true
  done
}

# final WORLD: the fault-free pass: serve runs past the job lease (so that
# it takes again what killed ones held), then every flow twice
final() {
  local w=$1 f
  local since=$(($(date +%s) * 1000)) left i
  serve_up "$w" serve-final.log
  sleep $((MLC_JOBS_LEASE_SECONDS + 10))
  # and until the backlog it found is worked off (a killed process's job
  # waits behind the jobs queued before it): at most 5 minutes
  for i in $(seq 300); do
    left=$(sqlite3 "$D/$w/work/ml-connector.db" "select count(*) from jobs where state in
      ('queued', 'running') and run_at <= $since and (state = 'queued' or lease_owner not like
      '%:$(cat "$D/$w/serve.pid"):%')" 2>/dev/null || echo x)
    [ "$left" = 0 ] && break
    sleep 1
  done
  [ "$left" = 0 ] || say "$w: $left job(s) from before the final serve still not done after 5 minutes"
  serve_stop "$w"
  for f in $FLOWS; do mlc "$w" sync $T --flow "$f" >>"$D/$w/final.log" 2>&1 || true; done
  for f in $FLOWS; do mlc "$w" sync $T --flow "$f" >>"$D/$w/final.log" 2>&1 || true; done
}

# keys WORLD: one line per record the connector can write, as often as it exists
keys() {
  local w=$1 t
  ns "$w" GET /_sandbox/netsuite/state | jq -r '.tables | keys[]' | while read -r t; do
    ns "$w" GET "/_sandbox/netsuite/dump/$t" |
      jq -r --arg t "$t" '.rows[] | select((.externalid // "") != "") | "ns \($t) \(.externalid)"'
  done
  # lines of each transaction, by its externalid
  jq -rn --slurpfile tx <(ns "$w" GET /_sandbox/netsuite/dump/transaction) \
    --slurpfile tl <(ns "$w" GET /_sandbox/netsuite/dump/transactionline) '
    ($tx[0].rows | map({key: (.id|tostring), value: (.externalid // "")}) | from_entries) as $ext |
    $tl[0].rows[] | $ext[(.transaction|tostring)] as $e | select(($e // "") != "") |
    "ns transactionline \($e) \(.linesequencenumber // .id) \(.debit // "") \(.credit // "")"'
  pc "$w" GET /_sandbox/state | jq -r '
    to_entries[] | .key as $t | select(.value | type == "array") | .value[] | select(type == "object") |
    if (.origin_id // "") != "" then "pc \($t) \(.origin_id)"
    elif $t == "cost_codes" and .deleted_at == null then "pc cost_codes \(._project_id // .biller_id) \(.full_code)"
    else empty end'
}

report_world() { # WORLD: runs, jobs, retries
  local w=$1 db=$D/$1/work/ml-connector.db
  echo "  runs: $(sqlite3 "$db" "select status || ' ' || count(*) from runs group by status" | paste -sd, -)"
  echo "  jobs: $(sqlite3 "$db" "select state || ' ' || count(*) from jobs group by state" | paste -sd, -)"
}

# ---- control -------------------------------------------------------------------------------
say "seed $SEED, scale $SCALE, $DAYS days; chaos: $KILLS serve kills, $SYNC_KILLS sync kills, faults $FAULTS"
say "control: sandbox and tenant"
world_up control
plan_activity control
say "control: initial load"
load control 0
say "control: the month ($(wc -l <"$D/pending") direct costs approved, $((DAYS * 3)) vendor edits)"
month control 0
say "control: final pass"
final control
keys control | sort >"$D/control.keys"
say "control: $(wc -l <"$D/control.keys") records"

# ---- chaos ---------------------------------------------------------------------------------
say "chaos: sandbox and tenant"
world_up chaos
faults chaos "$FAULTS"
say "chaos: initial load under faults"
load chaos "$SYNC_KILLS"
say "chaos: the month under faults, $KILLS kill -9 of serve"
month chaos "$KILLS"
say "chaos: fault-free pass"
nsst=$(ns chaos GET /_sandbox/stats); pcst=$(pc chaos GET /_sandbox/stats)
nspush=$(ns chaos GET /_sandbox/netsuite/state | jq -c .pushes)
faults chaos ""
[ "$BREAK" = nofinal ] || final chaos
if [ "$BREAK" = lost ]; then # a cost code the connector keeps in every project vanishes in Procore
  cc=$(pc chaos GET /_sandbox/state/cost_codes | jq -c '[.[] | select(.deleted_at == null and ._project_id != null)][0]')
  pc chaos DELETE "/_sandbox/cost_codes/$(jq .id <<<"$cc")?project_id=$(jq ._project_id <<<"$cc")" >/dev/null
fi
keys chaos | sort >"$D/chaos.keys"
if [ "$BREAK" = dup ]; then head -1 "$D/chaos.keys" >>"$D/chaos.keys"; sort -o "$D/chaos.keys" "$D/chaos.keys"; fi

# ---- verdict -------------------------------------------------------------------------------
FAILED=()
failed() { fail=1; FAILED+=("$1"); }
fail=0
dups=$(uniq -d "$D/chaos.keys" | wc -l)
cdups=$(uniq -d "$D/control.keys" | wc -l)
lost=$(comm -23 "$D/control.keys" "$D/chaos.keys" | wc -l)
extra=$(comm -13 "$D/control.keys" "$D/chaos.keys" | wc -l)
echo
echo "== chaos month: seed $SEED, scale $SCALE, $DAYS days"
echo "records written by the connector or seeded with keys: control $(wc -l <"$D/control.keys"), chaos $(wc -l <"$D/chaos.keys")"
echo "  duplicates $dups (control $cdups), lost $lost, extra $extra"
if [ "$dups" != 0 ] || [ "$lost" != 0 ] || [ "$extra" != 0 ] || [ "$cdups" != 0 ]; then
  failed "records: duplicates $dups (control $cdups), lost $lost, extra $extra"
  uniq -d "$D/chaos.keys" | head -5 | sed 's/^/  duplicate: /'
  comm -23 "$D/control.keys" "$D/chaos.keys" | head -5 | sed 's/^/  lost: /'
  comm -13 "$D/control.keys" "$D/chaos.keys" | head -5 | sed 's/^/  extra: /'
fi
for w in control chaos; do
  if mlc "$w" reconcile $T --format json >"$D/$w/reconcile.json" 2>"$D/$w/reconcile.err"; then rc=0; else rc=$?; fi
  rows=$(jq '.rows | length' "$D/$w/reconcile.json" 2>/dev/null || true)
  diffs=$(jq .differences "$D/$w/reconcile.json" 2>/dev/null || true)
  if [[ "$rows" =~ ^[0-9]+$ && "$diffs" =~ ^[0-9]+$ ]]; then
    echo "reconcile ($w): $((rows - diffs))/$rows tie out (exit $rc)"
  else
    echo "reconcile ($w): no result (exit $rc): $(tail -1 "$D/$w/reconcile.err")"; rows=0; diffs=x
  fi
  { [ "$rc" = 0 ] && [ "$diffs" = 0 ] && [ "$rows" -gt 0 ]; } || failed "reconcile ($w): $diffs differences in $rows rows, exit $rc"
done
echo "injected (chaos sandbox, by HTTP status; 0 = connection dropped):"
echo "  NetSuite $(jq -c .status <<<"$nsst"), 429 $(jq .rejected_429 <<<"$nsst"); pushes $nspush"
echo "  Procore  $(jq -c .status <<<"$pcst"), 429 $(jq .rejected_429 <<<"$pcst")"
# the month's direct costs, from the seeded state: each posted exactly once
company=$(cred chaos .procore.company_id)
posted=$(grep -c "^ns transaction pc:$company:dc:" "$D/chaos.keys" || true)
missing=0 twice=0
while read -r i; do
  n=$(grep -cx -- "ns transaction pc:$company:dc:$i" "$D/chaos.keys" || true)
  [ "$n" = 0 ] && missing=$((missing + 1))
  [ "$n" -gt 1 ] && twice=$((twice + 1))
done <"$D/pending"
echo "direct costs approved in the month (from the seed): $(wc -l <"$D/pending"); in NetSuite: $missing missing, $twice more than once ($posted cost transactions in all)"
{ [ "$missing" = 0 ] && [ "$twice" = 0 ]; } || failed "direct costs: $missing missing, $twice more than once"
# Tokens over the month of sandbox time: fetched again as they expire,
# never refused.  One exception, of the harness's making: an assertion
# signed just before the clock jumps a day and received after it (in
# flight, or sent again after a timeout) has expired on arrival; the
# sandbox logs its exp, and an exp within a jump (after the time the jump
# started from, at most a day later) is such an assertion.  The connector
# fetches again; any other refusal fails the run.
for w in control chaos; do
  for side in ns pc; do
    st=$($side "$w" GET /_sandbox/stats)
    echo "$st" >"$D/$w/$side.stats.json"
    tok=$(jq .token_requests <<<"$st")
    # refused: a 4xx (injected 5xx, timeouts and resets reach token requests too)
    refused=$(jq '[.calls_status | to_entries[] | select(.key | test("/token$")) | .value | to_entries[] | select(.key | test("^4")) | .value] | add // 0' <<<"$st")
    jumped=0
    if [ "$side" = ns ]; then
      jumped=$({ grep 'msg="netsuite token refused"' "$D/$w/sandbox.log" || true; } |
        sed -n 's/.*the assertion has expired (exp \([0-9]*\), now [0-9]*).*/\1/p' |
        while read -r exp; do
          awk -v e="$exp" -v d="$DAY_SECONDS" '$1 < e && e <= $1 + d {f = 1} END {if (f) print "x"}' "$D/$w/jumps"
        done | wc -l)
    fi
    printf '  tokens (%s, %s): %s fetched, %s refused, of which %s sent across a clock jump' \
      "$w" "$([ $side = ns ] && echo NetSuite || echo Procore)" "$tok" "$refused" "$jumped"
    if [ "$tok" -lt "$DAYS" ] || [ "$refused" != "$jumped" ]; then
      echo "  (wanted >= $DAYS fetched, none refused but those)"; failed "tokens ($w, $side): $tok fetched, $refused refused"
    else echo; fi
  done
  grant=$(cat "$D/$w"/*.log | grep -c 'NetSuite refused the assertion (invalid_grant' || true)
  echo "  the connector's invalid_grant warnings ($w): $grant"
done
# Every retry in the audit: what the sandbox answered to writes other than
# 2xx (token requests and SuiteQL are POSTs that only read) against the
# audit's write rows of that side: each retried attempt names its answer,
# a write given up is a row with result 'error'.  A process killed with
# SIGKILL can take a write's answers with it before its row is written:
# per kill, one write per worker (2 in serve, 1 in sync), each of at most
# 5 sends (the client's max_attempts, src/net/http_client.c).
retry_check() { # WORLD KILLS_OF_SERVE KILLS_OF_SYNC
  local w=$1 db=$D/$1/work/ml-connector.db side url prefix sb ret fin cut bound
  bound=$(( ($2 * 2 + $3) * 5 ))
  for side in netsuite procore; do
    url=$(cred "$w" .$side.url)
    prefix=$([ $side = netsuite ] && echo /services/ || echo /rest/)
    curl -sf "$url/_sandbox/stats" | jq -r '.calls_status | to_entries[] |
      select(.key | test("^GET |/token$|/suiteql$") | not) | .key as $r | .value | to_entries[] |
      select(.key | test("^2") | not) | "\($r)\t\(.key)\t\(.value)"' >"$D/$w/$side.non2xx"
    sb=$(awk -F'\t' '{n += $3} END {print n + 0}' "$D/$w/$side.non2xx")
    sqlite3 -separator $'\t' "$db" "select result, request_summary from audit
      where request_summary like '% $prefix%'" >"$D/$w/$side.audit"
    ret=$(sed -n 's/.*; retried //p' "$D/$w/$side.audit" | tr , '\n' | grep -c . || true)
    fin=$(awk -F'\t' '$1 == "error"' "$D/$w/$side.audit" | wc -l)
    cut=$((sb - ret - fin))
    printf '  %-8s %s: sandbox answered writes other than 2xx %5s = audit retried %5s + writes failed %4s + cut by kills %3s (at most %s)' \
      $side "$w" "$sb" "$ret" "$fin" "$cut" "$bound"
    if [ "$cut" -lt 0 ] || [ "$cut" -gt "$bound" ]; then echo "  MISMATCH"; failed "retries ($side $w): $cut cut by kills, at most $bound"; else echo; fi
  done
}
echo "every retry in the audit (writes; non-2xx by route in WORLD/SIDE.non2xx):"
retry_check control 0 0
retry_check chaos "$KILLS" "$SYNC_KILLS"
mlc chaos status --json >"$D/chaos/status.json"
db=$D/chaos/work/ml-connector.db
echo "control:"; report_world control
echo "chaos:"; report_world chaos
stuck=$(sqlite3 "$db" "select count(*) from jobs where state = 'running'")
running=$(sqlite3 "$db" "select count(*) from runs where status = 'running'")
echo "stuck: $stuck job(s) running, $running run(s) still 'running' after serve stopped (status: queue $(jq -c .queue "$D/chaos/status.json"))"
{ [ "$stuck" = 0 ] && [ "$running" = 0 ]; } || failed "stuck: $stuck job(s) running, $running run(s) running"
echo "took $(( $(date +%s) - T0 )) s"
if [ "$fail" != 0 ]; then
  # repeated last, where a log cut to its tail still shows it
  echo "CHAOS FAILED:" >&2; printf '  %s\n' "${FAILED[@]}" >&2; exit 1
fi
OK=1
echo "CHAOS OK: every record exactly once"
