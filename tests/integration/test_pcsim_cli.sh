#!/usr/bin/env bash
# `ml-connector sandbox`, Procore half, driven from outside with curl and jq
# (as a connector would).  References (docs/reference/procore.md):
#   18-22  client credentials (form), expires_in from --pc-token-ttl, no refresh token
#   24-25  Procore-Company-Id required: "Missing Procore-Company-Id header!"
#   31-37  paging headers; rate limits with X-Rate-Limit-*; 429 body; 503 under pc:throttle
#   47-50  sync: 200 with entities + errors
#   issue 5 "Seed data": seed.json project pairs carry the Procore project id;
#   time travel expires tokens (/_sandbox/time/advance); /_sandbox/stats counts tokens.
set -euo pipefail

BIN=$1
SANDBOX_SEED=5
# shellcheck source=sandbox_lib.sh
. "$(dirname "$0")/sandbox_lib.sh"

token() {
	curl -s -o "$DIR/tok.json" -w '%{http_code}' -X POST "$URL/oauth/token" \
		--data-urlencode grant_type=client_credentials --data-urlencode "client_id=$CID" \
		--data-urlencode "client_secret=$1"
}

# api METHOD PATH [BODY]: prints the status; body in $DIR/r.json, headers in $DIR/h.txt
api() {
	local args=(-s -o "$DIR/r.json" -D "$DIR/h.txt" -w '%{http_code}' -X "$1" "$URL$2"
		-H "Authorization: Bearer $TOKEN" -H "Procore-Company-Id: $CO" -H 'Content-Type: application/json')
	[ $# -ge 3 ] && args+=(--data "$3")
	curl "${args[@]}"
}
header() { grep -i "^$1:" "$DIR/h.txt" | head -1 | cut -d' ' -f2- | tr -d '\r'; }

start --pc-rate 3600/h,12/10s --pc-token-ttl 600
CRED=$DIR/data/credentials.json
SEED=$DIR/data/seed.json
URL=$(jq -r .procore.url "$CRED")
CID=$(jq -r .procore.client_id "$CRED")
SECRET=$(jq -r .procore.client_secret "$CRED")
CO=$(jq -r .procore.company_id "$CRED")
jq -e '.procore.service_user_id | type == "number"' "$CRED" >/dev/null || fail "credentials.json service_user_id"
jq -e '[.projects[] | select(.procore_project_id != null)] | length == 10' "$SEED" >/dev/null ||
	fail "seed.json: ten projects with a Procore id"
P=$(jq -r '.projects[] | select(.project_number == "MBG-2401") | .procore_project_id' "$SEED")

[ "$(token wrong)" = 401 ] || fail "wrong secret not 401"
[ "$(token "$SECRET")" = 200 ] || fail "token"
jq -e '.token_type == "bearer" and .expires_in == 600 and (.created_at | type == "number") and (has("refresh_token") | not)' \
	"$DIR/tok.json" >/dev/null || fail "token shape: $(cat "$DIR/tok.json")"
TOKEN=$(jq -r .access_token "$DIR/tok.json")

code=$(curl -s -o "$DIR/r.json" -w '%{http_code}' "$URL/rest/v1.0/companies" -H "Authorization: Bearer $TOKEN")
[ "$code" = 400 ] || fail "no company header: $code"
jq -e '.errors == "Missing Procore-Company-Id header!"' "$DIR/r.json" >/dev/null || fail "company header error body"

[ "$(api GET "/rest/v1.0/projects?company_id=$CO")" = 200 ] || fail "projects"
jq -e '[.[] | .project_number] | index("MBG-2410") != null' "$DIR/r.json" >/dev/null || fail "project numbers"
[ "$(api GET "/rest/v1.0/vendors?company_id=$CO&per_page=25&page=2")" = 200 ] || fail "vendors"
[ "$(header Per-Page)" = 25 ] || fail "Per-Page"
grep -q 'rel="prev"' <<<"$(header Link)" || fail "Link prev"
[ -n "$(header X-Rate-Limit-Remaining)" ] || fail "rate headers"

[ "$(api PATCH /rest/v1.0/vendors/sync "{\"company_id\":$CO,\"updates\":[{\"origin_id\":\"ns:vendor:42\",\"name\":\"CLI Vendor\"},{\"id\":1}]}")" = 200 ] ||
	fail "vendor sync"
jq -e '(.entities | length) == 1 and (.errors | length) == 1 and .errors[0].errors.id' "$DIR/r.json" >/dev/null ||
	fail "sync shape: $(cat "$DIR/r.json")"
[ "$(api GET "/rest/v1.0/projects/$P/direct_costs?per_page=100")" = 200 ] || fail "direct costs"
jq -e 'map(.status) | unique | length == 4' "$DIR/r.json" >/dev/null || fail "direct cost statuses"

# Burst past the 10 s spike limit: 429 with the documented body.
got429=0
for _ in $(seq 1 30); do
	if [ "$(api GET /rest/v1.0/companies)" = 429 ]; then got429=1; break; fi
done
[ $got429 = 1 ] || fail "no 429 after a burst"
grep -q "You have surpassed the max number of requests for an hour" "$DIR/r.json" || fail "429 body"
[ "$(header X-Rate-Limit-Remaining)" = 0 ] || fail "429 remaining"

# Time travel: the token expires; the spike window has passed.
curl -s -X POST "$URL/_sandbox/time/advance?seconds=700" >/dev/null
[ "$(api GET /rest/v1.0/companies)" = 401 ] || fail "expired token accepted"
[ "$(token "$SECRET")" = 200 ] || fail "token again"
TOKEN=$(jq -r .access_token "$DIR/tok.json")
[ "$(api GET /rest/v1.0/companies)" = 200 ] || fail "new token refused"
curl -s "$URL/_sandbox/stats" | jq -e '.token_requests >= 3 and .rejected_429 >= 1' >/dev/null || fail "stats"
stop

# Platform throttling: 503 with Retry-After.
start --faults pc:throttle=1
URL=$(jq -r .procore.url "$CRED")
[ "$(token "$SECRET")" = 200 ] || fail "token (throttle run)"
TOKEN=$(jq -r .access_token "$DIR/tok.json")
[ "$(api GET /rest/v1.0/companies)" = 503 ] || fail "pc:throttle not 503"
[ -n "$(header Retry-After)" ] || fail "503 without Retry-After"
# The restart kept the state of the first run (DATA/procore.db).
curl -s "$URL/_sandbox/state/vendors" | jq -e 'map(select(.origin_id == "ns:vendor:42")) | length == 1' >/dev/null ||
	fail "state lost across a restart"
stop
echo "ok"
