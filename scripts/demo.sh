#!/usr/bin/env bash
# make demo: a general contractor's month, end to end, on the built-in
# sandbox (NetSuite + Procore simulators) and SQLite.  Leaves the sandbox and
# serve running; `make demo-stop` stops them.  Exits non-zero if any step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/build/ml-connector
SANDBOX_BIN=$ROOT/build/mlc-sandbox
D=$ROOT/.demo
NS_PORT=${DEMO_NETSUITE_PORT:-8701}
PC_PORT=${DEMO_PROCORE_PORT:-8702}
SV_PORT=${DEMO_SERVE_PORT:-8780}
T=demo

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
die() { echo "demo failed: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || die "missing $1 (run scripts/install-deps)"; }
need jq; need curl; need sqlite3

"$ROOT/scripts/demo-stop.sh" >/dev/null 2>&1 || true
rm -rf "$D"; mkdir -p "$D"
PUSH_SECRET=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
HOOK_AUTH="Bearer $(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"

step "1/8 Sandbox: NetSuite on :$NS_PORT, Procore on :$PC_PORT (seeded contractor, ten projects)"
"$SANDBOX_BIN" --data "$D/sandbox" --netsuite 127.0.0.1:$NS_PORT --procore 127.0.0.1:$PC_PORT \
  --push-url "http://127.0.0.1:$SV_PORT/webhooks/netsuite/$T" --push-secret "$PUSH_SECRET" \
  >"$D/sandbox.log" 2>&1 &
echo $! > "$D/sandbox.pid"
for _ in $(seq 100); do grep -q '^ready' "$D/sandbox.log" 2>/dev/null && break; sleep 0.1; done
grep -q '^ready' "$D/sandbox.log" || { cat "$D/sandbox.log"; die "sandbox did not start"; }
DATA=$D/sandbox
C=$DATA/credentials.json
NS=$(jq -r .netsuite.url "$C"); PC=$(jq -r .procore.url "$C")
company=$(jq .procore.company_id "$C")
echo "NetSuite $NS (account $(jq -r .netsuite.account_id "$C")), Procore $PC (company $company)"

step "2/8 A working directory, the tenant, its secrets, project links and mappings"
"$BIN" init --dir "$D/work" >/dev/null
cd "$D/work"
"$BIN" tenant add $T --procore-company "$company" --netsuite-account "$(jq -r .netsuite.account_id "$C")" \
  --netsuite-url "$NS" --procore-api-url "$PC" --procore-auth-url "$PC" \
  --procore-service-user-id "$(jq .procore.service_user_id "$C")" \
  --netsuite-allowlist 127.0.0.1/32,::1/128
# NetSuite pushes name the user who made a change: ours are echoes to ignore
"$BIN" tenant set $T --setting "netsuite.integration_user_id=$(jq .netsuite.integration_user_id "$C")" >/dev/null
jq -j .netsuite.client_id "$C" | "$BIN" secret set $T netsuite.client_id >/dev/null
jq -j '.netsuite.certificates[0].certificate_id' "$C" | "$BIN" secret set $T netsuite.certificate_id >/dev/null
"$BIN" secret set $T netsuite.private_key --from-file "$(jq -r '.netsuite.certificates[0].private_key_path' "$C")" >/dev/null
jq -j .procore.client_id "$C" | "$BIN" secret set $T procore.client_id >/dev/null
jq -j .procore.client_secret "$C" | "$BIN" secret set $T procore.client_secret >/dev/null
printf '%s' "$PUSH_SECRET" | "$BIN" secret set $T webhook.netsuite_secret >/dev/null
printf '%s' "$HOOK_AUTH" | "$BIN" secret set $T webhook.procore_authorization >/dev/null
# no --subsidiary: project link reads the job's subsidiary and customer from NetSuite
rm -f "$D/link-first.out"
jq -r '.projects[] | "\(.procore_project_id) \(.netsuite_job_id) \(.department_id) \(.class_id) \(.location_id)"' \
  "$DATA/seed.json" | while read -r pp job dep cls loc; do
  "$BIN" project link $T --procore-project "$pp" --netsuite-job "$job" \
    --department "$dep" --class "$cls" --location "$loc" >"$D/link.out"
  [ -s "$D/link-first.out" ] || cp "$D/link.out" "$D/link-first.out"
done
echo "from the job alone: $(cat "$D/link-first.out")"
echo "linked $("$BIN" project list $T --json | jq length) projects"
# the demo mappings ship in examples/; they must still describe the seeded contractor
for k in cost-code-account cost-code-segment cost-type-account offset-account; do
  cmp -s "$ROOT/examples/$k.csv" "$DATA/mappings/$k.csv" ||
    die "examples/$k.csv differs from the sandbox's $DATA/mappings/$k.csv (refresh examples/)"
  "$BIN" mapping import $T $k "$ROOT/examples/$k.csv"
done
"$BIN" ping $T

step "3/8 serve on :$SV_PORT, with the Procore webhook registered"
MLC_CONSOLE_ENABLED=true "$BIN" serve --listen 127.0.0.1:$SV_PORT --workers 2 >"$D/serve.log" 2>&1 &
echo $! > "$D/serve.pid"
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$SV_PORT/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$SV_PORT/healthz" >/dev/null || { cat "$D/serve.log"; die "serve did not start"; }
"$BIN" webhook register $T --url "http://127.0.0.1:$SV_PORT/webhooks/procore/$T"

step "4/8 Master data and purchasing: accounts, cost codes, budgets; NetSuite vendors and purchase orders into Procore"
for f in accounts cost-codes budgets vendors purchase-orders requisitions; do
  "$BIN" sync $T --flow $f 2>/dev/null | head -2
done

ns_dump() { curl -sf "$NS/_sandbox/netsuite/dump/$1"; }
pc_state() { curl -sf "$PC/_sandbox/state/$1"; }
je_count() { ns_dump transaction | jq --arg e "$1" '[.rows[] | select(.externalid == $e)] | length'; }
je_posted() { test "$(je_count "$1")" = 1; }
wait_for() { # seconds description command...
  local secs=$1 what=$2; shift 2
  local t0=$(date +%s%N)
  for _ in $(seq $((secs * 10))); do
    if "$@"; then echo "  $what ($(( ($(date +%s%N) - t0) / 1000000 )) ms)"; return 0; fi
    sleep 0.1
  done
  die "$what: not within ${secs}s"
}

step "5/8 Job cost: the costs already approved in Procore post to the NetSuite GL"
"$BIN" sync $T --flow costs 2>/dev/null | head -2
# from now on serve also polls both systems, catching what pushes miss
"$BIN" tenant set $T --schedules vendors=15s,purchase-orders=30s,requisitions=60s,costs=30s,cost-codes=60s >/dev/null
echo "Field users approve more direct costs; webhooks carry them to the GL:"
pending=$(pc_state direct_costs | jq -c --argjson c "$company" '[.[] | select(._company_id == $c and .status == "pending") | .id][0:5]')
for dc in $(jq -r '.[]' <<<"$pending"); do
  curl -sf -X POST "$PC/_sandbox/direct_costs/$dc/approve" >/dev/null
  wait_for 30 "direct cost $dc approved -> journal entry pc:$company:dc:$dc" je_posted "pc:$company:dc:$dc"
done
p1=$(jq '.projects[0].procore_project_id' "$DATA/seed.json")
echo "Procore delivers in the payload version a hook was made with; serve accepts each (HTTP status, stored inbox state):"
hook_post() { # payload-label key body
  local code state i
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$SV_PORT/webhooks/procore/$T" \
    -H "Authorization: $HOOK_AUTH" -H 'Content-Type: application/json' --data-binary "$3")
  # stored before the 200; the scheduler takes new events within a second
  # (allow 30 s: a loaded machine, and an event the record path hands to its flow)
  for i in $(seq 300); do
    state=$(sqlite3 -cmd '.timeout 2000' "$D/work/ml-connector.db" "select state from inbox where event_key = '$2'")
    [ "$state" = new ] || break
    sleep 0.1
  done
  printf '  %-40s HTTP %s, inbox %s\n' "$1" "$code" "$state"
  [ "$code" = 200 ] && [ "$state" = done ] || { echo "demo: the $1 event was not processed" >&2; exit 1; }
}
ts=$(date -u +%Y-%m-%dT%H:%M:%S.000000Z)
u=$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
hook_post "v2 (int ids, ulid, metadata)" "01DEMOV2$u" \
  '{"id":5982324300946918154,"ulid":"01DEMOV2'"$u"'","timestamp":"'"$ts"'","metadata":{"source_user_id":null,"source_project_id":null,"source_operation_id":null,"source_company_id":null,"source_application_id":"another-app"},"user_id":11620417,"company_id":'"$company"',"project_id":'"$p1"',"api_version":"v2.0","event_type":"update","resource_name":"Direct Costs","resource_id":'"$dc"'}'
hook_post "v3 (v2 + related_resources)" "01DEMOV3$u" \
  '{"id":5982324300946918155,"ulid":"01DEMOV3'"$u"'","timestamp":"'"$ts"'","metadata":{"source_application_id":null},"user_id":11620417,"company_id":'"$company"',"project_id":'"$p1"',"api_version":"v3.0","event_type":"update","resource_name":"Direct Cost Line Items","resource_id":1,"related_resources":[{"id":'"$dc"',"name":"Direct Costs"}]}'
hook_post "v4 (string ids, reason, resource_type)" "01DEMOV4$u" \
  '{"id":"01DEMOV4'"$u"'","timestamp":"'"$ts"'","reason":"update","company_id":"'"$company"'","project_id":"'"$p1"'","user_id":"11620417","resource_type":"Direct Costs","resource_id":"'"$dc"'"}'
echo "An estimator adds a cost code in one Procore project; it reaches the NetSuite segment and every project:"
p1=$(jq '.projects[0].procore_project_id' "$DATA/seed.json")
div03=$(pc_state cost_codes | jq --argjson p "$p1" '[.[] | select(._project_id == $p and .full_code == "03")][0].id')
curl -sf -X POST "$PC/_sandbox/cost_codes?project_id=$p1" -H 'Content-Type: application/json' \
  -d "{\"cost_code\":{\"code\":\"450\",\"name\":\"Precast Concrete Stairs\",\"parent_id\":$div03}}" >/dev/null
seg_exists() { test "$(ns_dump customrecord_cseg_mlc_costcode | jq '[.rows[] | select(.externalid == "03-450")] | length')" = 1; }
wait_for 30 "cost code 03-450 created in the NetSuite segment by webhook" seg_exists
in_all() { test "$(pc_state cost_codes | jq --argjson c "$company" '[.[] | select(._company_id == $c and .full_code == "03-450" and .deleted_at == null)] | length')" = "$(jq '.projects | length' "$DATA/seed.json")"; }
wait_for 30 "and added to every linked project" in_all
echo "A NetSuite event push is dropped on the way; the poll catches the change:"
curl -sf -X POST "$NS/_sandbox/faults" -d '{"faults":"ns:push_drop=1.0"}' >/dev/null
curl -sf -X PATCH "$NS/_sandbox/netsuite/records/vendor/42" -d '{"phone":"916-555-0100"}' >/dev/null
phone_is() { test "$(pc_state vendors | jq -r '.[] | select(.origin_id == "ns:vendor:42") | .business_phone')" = "$1"; }
wait_for 60 "vendor ns:vendor:42's new phone reached Procore by polling" phone_is 916-555-0100
curl -sf -X POST "$NS/_sandbox/faults" -d '{"faults":""}' >/dev/null

step "6/8 Month-end: November closes, then a November cost is sent back for revision"
nov=$(ns_dump accountingperiod | jq '[.rows[] | select(.periodname == "Nov 2026")][0].id')
curl -sf -X POST "$NS/_sandbox/netsuite/periods/$nov/close" >/dev/null
dc=$(pc_state direct_costs | jq --argjson c "$company" '[.[] | select(._company_id == $c and .status == "approved" and (.direct_cost_date | startswith("2026-11")))][0].id')
curl -sf -X PATCH "$PC/_sandbox/direct_costs/$dc" -d '{"status":"revise_and_resubmit"}' >/dev/null
wait_for 30 "direct cost $dc reversed by an adjustment entry in the first open period" \
  je_posted "pc:$company:dc:$dc:adj:1"
ns_dump transaction | jq -r --arg e "pc:$company:dc:$dc:adj:1" '.rows[] | select(.externalid == $e) | "  \(.externalid) dated \(.trandate[0:10]): \(.memo)"'

step "7/8 Reconcile: Procore job cost against the NetSuite GL, per project and cost code; POs against commitments"
"$BIN" reconcile $T --format json > "$D/reconcile.json" || true
rows=$(jq '.rows | length' "$D/reconcile.json"); diffs=$(jq .differences "$D/reconcile.json")
echo "  $((rows - diffs)) of $rows project x cost code rows tie out"
[ "$diffs" = 0 ] || { "$BIN" reconcile $T | grep -v "ties out" >&2 || true; die "reconcile found $diffs difference(s)"; }
echo "A buyer raises a PO line in NetSuite; its Procore commitment is locked, so the change goes in as a change order:"
po=$(pc_state purchase_order_contracts | jq -r '[.[] | .origin_id // empty | select(startswith("ns:po:"))][0] | ltrimstr("ns:po:")')
curl -sf -X PATCH "$NS/_sandbox/netsuite/records/purchaseOrder/$po" -d '{"item":{"items":[{"line":1,"quantity":2,"rate":1500.25,"amount":3000.50}]}}' >/dev/null
cco_count() { pc_state commitment_change_orders | jq --argjson c "$company" '[.[] | select(._company_id == $c)] | length'; }
committed_ties() { "$BIN" reconcile $T --scope committed --format json >"$D/committed.json" 2>/dev/null && [ "$(cco_count)" -ge 1 ]; }
wait_for 90 "PO ns:po:$po: change order in Procore, every PO ties to its commitment (original + approved + pending)" committed_ties
echo "  $(jq '[.rows[] | select(.parked | not)] | length' "$D/committed.json") purchase orders tie out; $(jq .parked "$D/committed.json") parked before reaching Procore (review list)"
echo "Vendor bills against requisitions: billed to date per commitment line (NetSuite bills vs Procore requisition items):"
if "$BIN" reconcile $T --scope billed --format json >"$D/billed.json" 2>"$D/billed.err"; then
  echo "  $(jq '.rows | length' "$D/billed.json") commitment lines tie out; requisitions with items in Procore: $(pc_state requisition_items | jq --argjson c "$company" '[.[] | select(._company_id == $c)] | length') items"
else
  echo "demo failed: reconcile --scope billed found differences" >&2; jq -c '.rows[] | select(.difference == true or .cause != null)' "$D/billed.json" 2>/dev/null | head -5 >&2; cat "$D/billed.err" >&2; exit 1
fi

step "8/8 Summary"
DB=$D/work/ml-connector.db
echo "Records moved per flow (all runs):"
sqlite3 -separator ' ' "$DB" "select flow, sum(json_extract(stats,'$.created')), sum(json_extract(stats,'$.updated')), sum(json_extract(stats,'$.parked')), sum(json_extract(stats,'$.failed')), count(*) from runs group by flow order by flow" |
  while read -r f c u p x n; do printf '  %-16s created %5s  updated %5s  parked %4s  failed %s  (%s runs)\n' "$f" "$c" "$u" "$p" "$x" "$n"; done
echo "GL job cost posted per project (NetSuite, read back):"
projects=$(pc_state projects | jq -c 'map({key: (.id|tostring), value: "\(.project_number) \(.name)"}) | from_entries')
jq -r --argjson p "$projects" '.rows | group_by(.project_id) | .[] |
  (map(.netsuite | tonumber * 100 | round) | add) as $c |
  "  \($p[(.[0].project_id|tostring)] // .[0].project_id): \($c / 100 | floor).\($c % 100 | tostring | if length < 2 then "0" + . else . end)"' "$D/reconcile.json"
nsst=$(curl -sf "$NS/_sandbox/stats"); pcst=$(curl -sf "$PC/_sandbox/stats")
echo "API calls: NetSuite $(jq '[.calls[]] | add' <<<"$nsst") (max $(jq .max_concurrency <<<"$nsst") in flight of 5, $(jq .rejected_429 <<<"$nsst") refused), Procore $(jq '[.calls[]] | add' <<<"$pcst") ($(jq .rejected_429 <<<"$pcst") refused for rate)"
echo "Commitment change orders made: $(pc_state commitment_change_orders | jq -r --argjson c "$company" '[.[] | select(._company_id == $c)] | "\(length) (\(map(select(.status == "draft")) | length) draft)"')"
parked=$(sqlite3 "$DB" "select count(*) from review where state = 'open'")
echo "Parked for review: $parked"
sqlite3 -separator ': ' "$DB" "select reason, count(*) from review where state = 'open' group by reason order by 2 desc limit 5" | sed 's/^/  /'
cat <<MSG

The demo keeps running:
  NetSuite sandbox  $NS   (admin: $NS/_sandbox/stats)
  Procore sandbox   $PC   (admin: $PC/_sandbox/stats)
  serve             http://127.0.0.1:$SV_PORT   (/healthz, /metrics)
  working directory $D/work   (try: cd $D/work && $BIN reconcile $T)
Stop it with: make demo-stop
MSG

# The console (issue 23), on serve's listener (console.enabled above): a
# `demo` admin with a random password, printed here once and kept nowhere else.
DEMO_PW=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$DEMO_PW" | "$BIN" user add demo --role admin >/dev/null 2>&1 || die "cannot add the console's demo user"
cat <<MSG

Console: http://127.0.0.1:$SV_PORT/console/
  one-time login: user demo, password $DEMO_PW (shown only now; \`ml-connector user add\` makes more)
MSG
