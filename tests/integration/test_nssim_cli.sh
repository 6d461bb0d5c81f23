#!/usr/bin/env bash
# `ml-connector sandbox`, NetSuite half, driven from outside with curl,
# jq and the openssl CLI (as a connector would).  References:
#   issue 4 "Command": URLs and credentials printed, DATA/credentials.json
#     and DATA/seed.json written (ten project pairs, GL accounts).
#   docs/reference/netsuite.md "Auth": PS256 and ES256 assertions accepted, RS256 rejected,
#     response {access_token, expires_in, token_type}.
#   docs/reference/netsuite.md "SuiteQL values": strings for ids, lowercase keys, links.
#   docs/reference/netsuite.md "Governance": 401 INVALID_LOGIN without a bearer.
set -euo pipefail

BIN=$1
SANDBOX_SEED=3
# shellcheck source=sandbox_lib.sh
. "$(dirname "$0")/sandbox_lib.sh"

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

# jwt ALG KID KEYFILE [ISS]: a signed client assertion
jwt() {
	local alg=$1 kid=$2 key=$3 iss=${4:-$CLIENT} now hdr pl sig
	now=$(date +%s)
	hdr=$(printf '{"typ":"JWT","alg":"%s","kid":"%s"}' "$alg" "$kid" | b64url)
	pl=$(printf '{"iss":"%s","scope":["rest_webservices"],"aud":"%s","iat":%s,"exp":%s}' \
		"$iss" "$TOKEN_URL" "$now" $((now + 600)) | b64url)
	case $alg in
	PS256) sig=$(printf '%s.%s' "$hdr" "$pl" | openssl dgst -sha256 -sign "$key" \
		-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest | b64url) ;;
	RS256) sig=$(printf '%s.%s' "$hdr" "$pl" | openssl dgst -sha256 -sign "$key" | b64url) ;;
	ES256)
		# DER ECDSA signature -> JOSE r || s (32 bytes each)
		printf '%s.%s' "$hdr" "$pl" | openssl dgst -sha256 -sign "$key" >"$DIR/sig.der"
		local hex
		hex=$(openssl asn1parse -inform DER -in "$DIR/sig.der" | awk -F: '/INTEGER/ {print $NF}' |
			while read -r h; do printf '%064s' "$h" | tr ' ' 0; done)
		sig=$(printf '%b' "$(printf '%s' "$hex" | sed 's/../\\x&/g')" | b64url) ;;
	esac
	printf '%s.%s.%s' "$hdr" "$pl" "$sig"
}

token() {
	curl -s -o "$DIR/tok.json" -w '%{http_code}' -X POST "$TOKEN_URL" \
		-H 'Content-Type: application/x-www-form-urlencoded' \
		--data-urlencode grant_type=client_credentials \
		--data-urlencode client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \
		--data-urlencode "client_assertion=$1"
}

mkdir -p "$DIR/data"
start

CRED=$DIR/data/credentials.json
SEED=$DIR/data/seed.json
[ "$(stat -c %a "$CRED")" = 600 ] || fail "credentials.json is not mode 0600"
URL=$(jq -r .netsuite.url "$CRED")
TOKEN_URL=$(jq -r .netsuite.token_url "$CRED")
CLIENT=$(jq -r .netsuite.client_id "$CRED")
RSA_KID=$(jq -r '.netsuite.certificates[0].certificate_id' "$CRED")
RSA_KEY=$(jq -r '.netsuite.certificates[0].private_key_path' "$CRED")
EC_KID=$(jq -r '.netsuite.certificates[1].certificate_id' "$CRED")
EC_KEY=$(jq -r '.netsuite.certificates[1].private_key_path' "$CRED")
[ "$(stat -c %a "$RSA_KEY")" = 600 ] || fail "RSA key is not mode 0600"
[ "$(stat -c %a "$EC_KEY")" = 600 ] || fail "EC key is not mode 0600"
grep -q '3072 bit' <<<"$(openssl pkey -in "$RSA_KEY" -noout -text)" || fail "RSA key is not 3072 bits"
grep -q 'prime256v1' <<<"$(openssl pkey -in "$EC_KEY" -noout -text)" || fail "EC key is not P-256"
grep -q "^NetSuite  $URL  account" "$DIR/out" || fail "banner does not show the NetSuite URL"
grep -qF -- "$RSA_KID" "$DIR/out" || fail "banner does not show the certificate id"
[ "$(jq '.projects | length' "$SEED")" = 10 ] || fail "seed.json does not have ten project pairs"
jq -e '.projects[] | select(.project_number == "MBG-2401") | .procore_project_id and .netsuite_job_id and .subsidiary_id and .department_id and .class_id and .location_id' "$SEED" >/dev/null ||
	fail "seed.json project pair incomplete"
jq -e '.gl.offset_account_id and .gl.expense_accounts.S.account_id' "$SEED" >/dev/null || fail "seed.json GL accounts"

[ "$(token "$(jwt RS256 "$RSA_KID" "$RSA_KEY")")" = 401 ] || fail "RS256 accepted"
jq -e '.error == "invalid_client"' "$DIR/tok.json" >/dev/null || fail "RS256 error shape"
[ "$(token "$(jwt PS256 "$RSA_KID" "$RSA_KEY" intruder)")" = 401 ] || fail "wrong iss accepted"
[ "$(token "$(jwt ES256 "$EC_KID" "$EC_KEY")")" = 200 ] || fail "ES256 refused: $(cat "$DIR/tok.json")"
[ "$(token "$(jwt PS256 "$RSA_KID" "$RSA_KEY")")" = 200 ] || fail "PS256 refused: $(cat "$DIR/tok.json")"
jq -e '.token_type == "bearer" and .expires_in == 3600 and (.access_token | length > 20)' "$DIR/tok.json" >/dev/null ||
	fail "token response shape"
TOKEN=$(jq -r .access_token "$DIR/tok.json")

code=$(curl -s -o "$DIR/r.json" -w '%{http_code}' -X POST "$URL/services/rest/query/v1/suiteql" \
	-H 'Prefer: transient' -H 'Content-Type: application/json' -d '{"q":"SELECT id FROM job"}')
[ "$code" = 401 ] || fail "SuiteQL without a bearer: $code"
jq -e '."o:errorDetails"[0]."o:errorCode" == "INVALID_LOGIN"' "$DIR/r.json" >/dev/null || fail "INVALID_LOGIN shape"

code=$(curl -s -o "$DIR/r.json" -w '%{http_code}' -X POST "$URL/services/rest/query/v1/suiteql?limit=5" \
	-H "Authorization: Bearer $TOKEN" -H 'Prefer: transient' -H 'Content-Type: application/json' \
	-d '{"q":"SELECT ID, EntityId, isinactive FROM job ORDER BY id"}')
[ "$code" = 200 ] || fail "SuiteQL: $code $(cat "$DIR/r.json")"
jq -e '.count == 5 and .hasMore == true and .totalResults == 10 and .offset == 0' "$DIR/r.json" >/dev/null ||
	fail "SuiteQL envelope"
jq -e '.items[0] | (.id | type == "string") and .entityid == "MBG-2401" and .isinactive == "F" and (.links | type == "array")' \
	"$DIR/r.json" >/dev/null || fail "SuiteQL item values"

# A restart on the same data keeps the accounts, keys and records.
stop
start
[ "$(jq -r '.netsuite.certificates[0].certificate_id' "$CRED")" = "$RSA_KID" ] || fail "certificate id changed on restart"
URL=$(jq -r .netsuite.url "$CRED")
TOKEN_URL=$(jq -r .netsuite.token_url "$CRED")
[ "$(token "$(jwt PS256 "$RSA_KID" "$RSA_KEY")")" = 200 ] || fail "PS256 after restart"
stop

# Bad flags are refused.
if "$BIN" sandbox --faults ns:bogus=1 --data "$DIR/data2" >/dev/null 2>&1; then fail "bad --faults accepted"; fi
if "$BIN" sandbox --latency-ms x >/dev/null 2>&1; then fail "bad --latency-ms accepted"; fi
echo "ok"
