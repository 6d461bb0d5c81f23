#!/usr/bin/env bash
# Issue 23, the console's API: users (argon2id hashes), auth required,
# session cookie flags, CSRF refused without the token, roles enforced,
# login rate limits per user and per client, the console on its own
# listener (not on the webhooks'), actions in the audit with the user,
# review items shown and resolved (roles, CSRF, why required, the user
# in the audit, the next run applies the decision).
# Usage: test_console_api.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
CPORT=$(free_port)
world_start
world_tenant acme
"$BIN" sync acme --flow vendors >/dev/null 2>&1
# failed records to replay: Procore refuses writes for one run
pc_admin POST /_sandbox/faults '{"faults":"pc:reject=1.0"}' >/dev/null
"$BIN" sync acme --flow purchase-orders >/dev/null 2>&1 || true
pc_admin POST /_sandbox/faults '{"faults":""}' >/dev/null
DB=$WORK/ml-connector.db
# two ambiguous vendors, parked for review: each has two Procore candidates
company=$(jq .procore.company_id "$DATA/credentials.json")
tok=$(pc_token)
zid=$(ns_admin POST /_sandbox/netsuite/records/vendor '{"companyName":"Zephyr Drywall LLC","entityId":"Zephyr Drywall LLC","phone":"555-0199","subsidiary":{"id":"1"}}' | jq -r .id)
qid=$(ns_admin POST /_sandbox/netsuite/records/vendor '{"companyName":"Quill Paving LLC","entityId":"Quill Paving LLC","subsidiary":{"id":"1"}}' | jq -r .id)
made=$(pc_api PATCH /rest/v1.0/vendors/sync "$(jq -nc --argjson c "$company" '{company_id: $c, updates: [
  {name: "Zephyr Drywall Corp."}, {name: "Zephyr Drywall, Inc.", business_phone: "555-0100"},
  {name: "Quill Paving Corp."}, {name: "Quill Paving, Inc."}]}')")
zinc=$(jq '[.entities[] | select(.name == "Zephyr Drywall, Inc.")][0].id' <<<"$made")
"$BIN" sync acme --flow vendors >/dev/null 2>&1
item_of() { "$BIN" review list acme --all --json | jq --arg s "$1" '[.[] | select(.source_ref == $s)][0].id'; }
ZITEM=$(item_of "ns:vendor:$zid") QITEM=$(item_of "ns:vendor:$qid")

# --- users ------------------------------------------------------------------------------------------
for u in viewer operator admin; do
  printf 'pw-%s-12345\n' "$u" | "$BIN" user add "$u" --role "$u" >/dev/null
done
run "$BIN" user list --json
expect_eq "$(jq -c '[.[] | [.name, .role]]' <<<"$OUT")" '[["admin","admin"],["operator","operator"],["viewer","viewer"]]' "user list names each user's role"
expect_eq "$(store_sql "$DB" "select count(*) from console_users where pw_hash like '\$argon2id\$%'")" 3 "passwords are stored as argon2id hashes"
expect_eq "$(store_sql "$DB" "select count(*) from console_users where pw_hash like '%pw-%'")" 0 "no password is stored in clear"
run bash -c "printf 'short\n' | '$BIN' user add x --role viewer"
expect_rc 1 "a password under 8 characters is refused"
run bash -c "printf 'another-password\n' | '$BIN' user add viewer --role admin"
expect_rc 1 "a taken name is refused"
run bash -c "printf 'another-password\n' | '$BIN' user add y --role root"
expect_rc 2 "an unknown role is a usage error"

# --- serve with the console on its own listener -----------------------------------------------------
export MLC_CONSOLE_ENABLED=true MLC_CONSOLE_LISTEN="127.0.0.1:$CPORT"
"$BIN" serve --listen "127.0.0.1:$PORT" --workers 1 >>"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
trap 'kill "$SERVE_PID" 2>/dev/null; sandbox_cleanup' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$CPORT/console/" >/dev/null && break; sleep 0.1; done
C="http://127.0.0.1:$CPORT"
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
expect_eq "$(code "http://127.0.0.1:$PORT/console/")" 404 "the console is not on the webhooks' listener when console.listen is set"
expect_eq "$(code "$C/console/")" 200 "the console page is served"
hdr=$(curl -s -D - -o "$WORK/index.html" "$C/console/")
if grep -qi "^content-security-policy: default-src 'self'" <<<"$hdr"; then ok "the page has a same-origin CSP"; else not_ok "CSP" "$hdr"; fi
if grep -q 'console.js' "$WORK/index.html"; then ok "the page is the built-in index.html"; else not_ok "index.html" "$(head -5 "$WORK/index.html")"; fi
expect_eq "$(code "$C/console/console.js")" 200 "the script is built in"

# --- auth required ----------------------------------------------------------------------------------
expect_eq "$(code "$C/api/v1/tenants")" 401 "no session: 401"
expect_eq "$(code -H 'Cookie: mlc_session=0000000000000000000000000000000000000000000000000000000000000000' "$C/api/v1/tenants/acme/overview")" 401 "an unknown session: 401"
login() { # user password jar -> body; the cookie goes to the jar
  curl -s -c "$3" -D "$3.h" -X POST "$C/api/v1/login" -H 'Content-Type: application/json' \
    -d "{\"user\":\"$1\",\"password\":\"$2\"}"
}
body=$(login viewer pw-viewer-12345 "$WORK/v.jar")
VCSRF=$(jq -r .csrf <<<"$body")
expect_eq "$(jq -r .role <<<"$body")" viewer "viewer logs in"
cookie=$(grep -i '^set-cookie:' "$WORK/v.jar.h")
if grep -q 'HttpOnly' <<<"$cookie" && grep -q 'SameSite=Strict' <<<"$cookie"; then ok "the session cookie is HttpOnly and SameSite=Strict"; else not_ok "cookie flags" "$cookie"; fi
if grep -q 'Secure' <<<"$cookie"; then not_ok "no Secure flag without console.secure_cookie" "$cookie"; else ok "no Secure flag without console.secure_cookie (plain HTTP)"; fi
if grep -q 'pw-viewer' "$WORK/serve.log"; then not_ok "the password is never logged"; else ok "the password is never logged"; fi
get() { curl -s -b "$1" "$C/api/v1$2"; }
ov=$(get "$WORK/v.jar" /tenants/acme/overview)
expect_eq "$(jq -r '.flows["purchase-orders"].status' <<<"$ov")" error "overview: the last purchase-orders run failed"
if [ "$(jq '.flows["purchase-orders"].failures' <<<"$ov")" -gt 0 ]; then ok "overview counts its failed records"; else not_ok "overview failures" "$ov"; fi
failed=$(get "$WORK/v.jar" /tenants/acme/failed)
nfailed=$(jq length <<<"$failed")
if [ "$nfailed" -gt 0 ]; then ok "failed records are listed ($nfailed)"; else not_ok "failed records" "$failed"; fi
FID=$(jq '.[0].id' <<<"$failed")
csv=$(curl -s -b "$WORK/v.jar" -D "$WORK/csv.h" "$C/api/v1/tenants/acme/audit?status=failed&format=csv")
expect_eq "$(head -1 <<<"$csv")" "id,created_at,flow,entity,action,result,source_ref,target_ref,error,request_summary" "audit CSV export has its header"
expect_eq "$(($(wc -l <<<"$csv") - 1))" "$nfailed" "and one line per failed record"
if grep -qi '^content-type: text/csv' "$WORK/csv.h"; then ok "CSV is served as text/csv"; else not_ok "csv type" "$(cat "$WORK/csv.h")"; fi
src=$(jq -r '.[0].source_ref' <<<"$failed")
expect_eq "$(get "$WORK/v.jar" "/tenants/acme/audit?doc=$(jq -rn --arg s "$src" '$s|@uri')&status=failed" | jq '[.[] | select(.source_ref == "'"$src"'")] | length >= 1')" true "audit search by document finds the record"
expect_eq "$(get "$WORK/v.jar" "/tenants/acme/audit?doc=no-such-document-xyz" | jq length)" 0 "a search for an unknown document finds nothing"

# --- CSRF and roles ---------------------------------------------------------------------------------
post() { # jar csrf path body -> status
  curl -s -o "$WORK/post.out" -w '%{http_code}' -b "$1" ${2:+-H "X-CSRF-Token: $2"} -X POST "$C/api/v1$3" -H 'Content-Type: application/json' -d "$4"
}
expect_eq "$(post "$WORK/v.jar" "$VCSRF" /tenants/acme/replay "{\"ids\":[$FID]}")" 403 "a viewer may not replay"
body=$(login operator pw-operator-12345 "$WORK/o.jar")
OCSRF=$(jq -r .csrf <<<"$body")
expect_eq "$(post "$WORK/o.jar" "" /tenants/acme/replay "{\"ids\":[$FID]}")" 403 "a write without the CSRF token: 403"
expect_eq "$(jq -r .error.code "$WORK/post.out")" csrf "and says why"
expect_eq "$(post "$WORK/o.jar" "$VCSRF" /tenants/acme/replay "{\"ids\":[$FID]}")" 403 "another session's CSRF token: 403"
expect_eq "$(post "$WORK/o.jar" "$OCSRF" /tenants/acme/replay "{\"ids\":[$FID]}")" 200 "an operator replays a failed record"
expect_eq "$(jq -r '.records[0].id' "$WORK/post.out")" "$FID" "the answer names the record"
expect_eq "$(jq -r '.still_failing' "$WORK/post.out")" 0 "and it no longer fails"
expect_eq "$(store_sql "$DB" "select count(*) from audit where flow='console' and action='replay' and source_ref='user:operator' and result='ok'")" 1 "the replay is in the audit with the user"
expect_eq "$(post "$WORK/o.jar" "$OCSRF" /tenants/acme/mappings '{"cost_code":"01-100","account":1}')" 403 "an operator may not edit mappings"
body=$(login admin pw-admin-12345 "$WORK/a.jar")
ACSRF=$(jq -r .csrf <<<"$body")
# mapping check reads the chart of accounts into the catalog
"$BIN" mapping check acme >/dev/null 2>&1 || true
acct=$(store_sql "$DB" "select account_id from account_catalog where inactive=0 and summary=0 order by account_id limit 1")
expect_eq "$(post "$WORK/a.jar" "$ACSRF" /tenants/acme/mappings '{"cost_code":"99-999","account":999999999}')" 422 "an account not in the catalog is refused"
if [ -n "$acct" ]; then
  expect_eq "$(post "$WORK/a.jar" "$ACSRF" /tenants/acme/mappings "{\"cost_code\":\"99-999\",\"account\":$acct}")" 200 "an admin maps a cost code"
  expect_eq "$(get "$WORK/a.jar" /tenants/acme/mappings | jq -r '.rows[] | select(.cost_code=="99-999") | .account_status')" active "the mapping lists the account's status from the catalog"
  expect_eq "$(store_sql "$DB" "select count(*) from audit where flow='console' and action='mapping' and source_ref='user:admin' and target_ref='99-999' and result='ok'")" 1 "the mapping edit is in the audit with the user"
  expect_eq "$(store_sql "$DB" "select count(*) from audit where flow='console' and action='mapping' and target_ref='99-999' and result='error'")" 1 "and so is the refused one"
else
  not_ok "an admin maps a cost code" "the account catalog is empty: no account to map"
fi

# --- review: show and resolve -----------------------------------------------------------------------
item=$(get "$WORK/v.jar" "/tenants/acme/review/$ZITEM")
expect_eq "$(jq -c .actions <<<"$item")" '["link","create","ignore"]' "a viewer reads a review item with its actions"
expect_eq "$(jq '.compare.rows | length' <<<"$item")" 3 "the record and its two candidates side by side"
expect_eq "$(jq -r --arg i "$zinc" '.compare.rows[] | select(.id == $i) | .values.business_phone' <<<"$item")" 555-0100 "the candidates' fields are read from Procore"
expect_eq "$(jq -r .offline <<<"$item")" false "and the answer says so"
expect_eq "$(jq -c '[.compare.rows[] | .differs | index("business_phone") != null]' <<<"$item")" '[false,true,true]' "a phone that differs is marked on each candidate"
expect_eq "$(code -b "$WORK/v.jar" "$C/api/v1/tenants/acme/review/999999")" 404 "an unknown item: 404"
resolve() { post "$1" "$2" "/tenants/acme/review/$3/resolve" "$4"; }
expect_eq "$(resolve "$WORK/v.jar" "$VCSRF" "$ZITEM" "{\"action\":\"link\",\"arg\":\"$zinc\",\"why\":\"x\"}")" 403 "a viewer may not resolve"
expect_eq "$(jq -r .error.code "$WORK/post.out")" forbidden "for want of the role"
expect_eq "$(resolve "$WORK/o.jar" "" "$ZITEM" "{\"action\":\"link\",\"arg\":\"$zinc\",\"why\":\"x\"}")" 403 "a resolve without the CSRF token: 403"
expect_eq "$(jq -r .error.code "$WORK/post.out")" csrf "and says why"
expect_eq "$(resolve "$WORK/o.jar" "$OCSRF" "$ZITEM" "{\"action\":\"link\",\"arg\":\"$zinc\"}")" 400 "a resolve without why: 400"
expect_eq "$(resolve "$WORK/o.jar" "$OCSRF" "$ZITEM" "{\"action\":\"link\",\"arg\":\"$zinc\",\"why\":\"\"}")" 400 "an empty why: 400"
expect_eq "$(resolve "$WORK/o.jar" "$OCSRF" "$ZITEM" '{"action":"link","arg":"999999999","why":"typo"}')" 422 "a link to a vendor Procore does not have: 422"
expect_eq "$(resolve "$WORK/o.jar" "$OCSRF" "$ZITEM" '{"action":"post-in","why":"wrong kind"}')" 422 "an action the item does not take: 422"
expect_eq "$(resolve "$WORK/o.jar" "$OCSRF" 999999 '{"action":"ignore","why":"none"}')" 404 "an unknown item: 404"
expect_eq "$(store_sql "$DB" "select count(*) from review_decision")" 0 "refused decisions store nothing"
expect_eq "$(resolve "$WORK/o.jar" "$OCSRF" "$ZITEM" "{\"action\":\"link\",\"arg\":\"$zinc\",\"why\":\"same tax id as the Inc.\"}")" 200 "an operator links the vendor to a candidate"
expect_eq "$(jq -r '.by + "|" + .action + "|" + .arg' "$WORK/post.out")" "operator|link|$zinc" "decided by the logged-in user"
expect_eq "$(store_sql "$DB" "select json_extract(payload, '\$.by') || '|' || json_extract(payload, '\$.why') from audit where action = 'resolve' and source_ref = 'ns:vendor:$zid'")" "operator|same tax id as the Inc." "the decision's audit row has the user and why"
expect_eq "$(store_sql "$DB" "select count(*) from audit where flow='console' and action='resolve' and source_ref='user:operator' and target_ref='review item $ZITEM' and result='ok'")" 1 "the resolve is a console action in the audit with the user"
expect_eq "$(store_sql "$DB" "select count(*) from audit where flow='console' and action='resolve' and source_ref='user:operator' and result='error'")" 2 "and so are the two refused by the connector"
expect_eq "$(resolve "$WORK/a.jar" "$ACSRF" "$QITEM" '{"action":"ignore","why":"vendor is closing"}')" 200 "an admin may resolve too"
expect_eq "$(get "$WORK/v.jar" /tenants/acme/review | jq --arg a "ns:vendor:$zid" --arg b "ns:vendor:$qid" '[.[] | select(.source_ref == $a or .source_ref == $b)] | length')" 0 "resolved items leave the queue"
expect_eq "$(get "$WORK/v.jar" "/tenants/acme/review/$ZITEM" | jq -r '.decision.by + "|" + .decision.state')" "operator|pending" "the item shows the pending decision and who took it"
"$BIN" sync acme --flow vendors >/dev/null 2>&1
expect_eq "$(pc_admin GET /_sandbox/state/vendors | jq -r --argjson i "$zinc" '.[] | select(.id == $i) | .origin_id')" "ns:vendor:$zid" "the next run links the vendor to the chosen candidate"
expect_eq "$(get "$WORK/v.jar" "/tenants/acme/review/$ZITEM" | jq -r .decision.state)" applied "and the decision reads applied"

# --- logout and user remove end sessions ------------------------------------------------------------
expect_eq "$(post "$WORK/v.jar" "$VCSRF" /logout '{}')" 200 "logout"
expect_eq "$(code -b "$WORK/v.jar" "$C/api/v1/tenants")" 401 "the session is gone after logout"
"$BIN" user remove operator >/dev/null
expect_eq "$(code -b "$WORK/o.jar" "$C/api/v1/tenants")" 401 "removing a user ends their sessions"

# --- login rate limits ------------------------------------------------------------------------------
for _ in 1 2 3 4 5; do
  expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$C/api/v1/login" -d '{"user":"admin","password":"wrong-password"}')" 401 "a wrong password: 401"
done
st=$(curl -s -D "$WORK/rl.h" -o "$WORK/rl.out" -w '%{http_code}' -X POST "$C/api/v1/login" -d '{"user":"admin","password":"pw-admin-12345"}')
expect_eq "$st" 429 "after 5 failures even the right password is refused for a while"
if grep -qi '^retry-after: [0-9]' "$WORK/rl.h"; then ok "with Retry-After"; else not_ok "Retry-After" "$(cat "$WORK/rl.h")"; fi
n=0 first429=0
for i in $(seq 1 25); do
  n=$((n + 1))
  s=$(curl -s -o "$WORK/rl.out" -w '%{http_code}' -X POST "$C/api/v1/login" -d "{\"user\":\"nobody$i\",\"password\":\"whatever-it-is\"}")
  if [ "$s" = 429 ]; then first429=$n; break; fi
done
if [ "$first429" -gt 0 ] && grep -q 'from this address' "$WORK/rl.out"; then ok "a client trying many names is limited too (after $first429 more)"; else not_ok "per-client limit" "$(cat "$WORK/rl.out")"; fi
finish
