#!/usr/bin/env bash
# The CLI skeleton: version, help at every level, usage errors (exit 2),
# init, tenant and project commands, config check.  Usage: test_cli.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/store.sh"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
unset MLC_CONFIG MLC_STORE MLC_DATA_DIR MLC_LOG_LEVEL MLC_LOG_FORMAT || true

run "$BIN" --version; expect_rc 0 "--version exits 0"; expect_out "ml-connector " "--version prints the name"
run "$BIN" --help; expect_rc 0 "--help exits 0"; expect_out "tenant" "--help lists commands"
for group in init config tenant project; do
  run "$BIN" $group --help; expect_rc 0 "$group --help exits 0"; expect_out "usage: ml-connector $group" "$group --help shows usage"
done
for verb in "tenant add" "tenant list" "tenant show" "tenant set" "tenant remove" "project link" "project list" "config check"; do
  run "$BIN" $verb --help; expect_rc 0 "$verb --help exits 0"; expect_out "usage: ml-connector $verb" "$verb --help shows usage"
done
run "$BIN"; expect_rc 2 "no command exits 2"
run "$BIN" frobnicate; expect_rc 2 "unknown command exits 2"; expect_err "unknown command 'frobnicate'" "unknown command named"
run "$BIN" --bogus tenant list; expect_rc 2 "unknown global flag exits 2"
run "$BIN" tenant frob; expect_rc 2 "unknown verb exits 2"
run "$BIN" tenant list --bogus; expect_rc 2 "unknown flag exits 2"; expect_err "unknown option '--bogus'" "unknown flag named"
run "$BIN" tenant add; expect_rc 2 "missing argument exits 2"

run "$BIN" init --dir d; expect_rc 0 "init creates a directory"
[ -f d/ml-connector.yaml ] && ok "init wrote the config" || not_ok "init wrote the config"
[ "$(stat -c %a d/master.key)" = 600 ] && ok "master.key is mode 0600" || not_ok "master.key is mode 0600"
[ "$(stat -c %s d/master.key)" = 32 ] && ok "master.key holds 32 bytes" || not_ok "master.key holds 32 bytes"
[ -f d/ml-connector.db ] && ok "init created the database" || not_ok "init created the database"
key_before=$(sha256sum d/master.key)
run "$BIN" init --dir d; expect_rc 1 "init refuses to overwrite"; expect_err "already exists" "init says what exists"
[ "$key_before" = "$(sha256sum d/master.key)" ] && ok "master.key untouched by refused init" || not_ok "master.key untouched"

cd d
run "$BIN" tenant add acme --procore-company 562949953421312 --netsuite-account 1234567_SB1; expect_rc 0 "tenant add"
run "$BIN" tenant add acme --procore-company 5 --netsuite-account 1; expect_rc 1 "duplicate tenant exits 1"; expect_err "already exists" "duplicate tenant named"
run "$BIN" tenant add bad --procore-company 0 --netsuite-account 1; expect_rc 1 "company id 0 refused"
run "$BIN" tenant add bad --procore-company 12x --netsuite-account 1; expect_rc 1 "company id 12x refused"
run "$BIN" tenant add bad --procore-company 9223372036854775808 --netsuite-account 1; expect_rc 1 "company id past int64 refused"
run "$BIN" tenant add bad --procore-company 5 --netsuite-account 1 --procore-env staging; expect_rc 1 "unknown procore env refused"
run "$BIN" tenant list --json
if [ "$(grep -c '"name"' <<<"$OUT")" = 1 ]; then ok "refused adds wrote nothing"; else not_ok "refused adds wrote nothing" "$OUT"; fi
run "$BIN" tenant list; expect_out "acme" "tenant list shows acme"
run "$BIN" tenant show acme --json; expect_out '"procore_company_id": 562949953421312' "company id kept exact (> 2^53 safe)"
expect_out '"netsuite_url": "https://1234567-sb1.suitetalk.api.netsuite.com"' "NetSuite URL derived from the account id"
run "$BIN" tenant set acme --netsuite-url http://127.0.0.1:8701 --procore-api-url http://127.0.0.1:8702 --procore-auth-url http://127.0.0.1:8702 --procore-env sandbox
expect_rc 0 "tenant set"
run "$BIN" tenant show acme; expect_out "netsuite url:       http://127.0.0.1:8701" "tenant set changed the NetSuite URL"
expect_out "procore env:        sandbox" "tenant set changed the env"
run "$BIN" tenant show ghost; expect_rc 1 "unknown tenant exits 1"; expect_err "tenant 'ghost' not found" "unknown tenant named"

# project link reads the job from NetSuite: without credentials (or NetSuite) it saves nothing
run "$BIN" project link acme --procore-project 9007199254740993 --netsuite-job 42 --subsidiary 1 --department 3 --class 4 --location 5
expect_rc 1 "project link without NetSuite refused"; expect_err "netsuite.client_id" "project link names what is missing"
run "$BIN" project link acme --procore-project -1 --netsuite-job 43; expect_rc 1 "negative project id refused"
run "$BIN" project link ghost --procore-project 7 --netsuite-job 44; expect_rc 1 "link for unknown tenant refused"
run "$BIN" project list acme --json
expect_eq_out() { if [ "$OUT" = "$1" ]; then ok "$2"; else not_ok "$2" "$OUT"; fi; }
expect_eq_out "[]" "refused links wrote nothing"
# a link as stores made before links read the job hold it (no subsidiary)
store_sql ml-connector.db "INSERT INTO project_links (tenant_id, procore_project_id, netsuite_job_id, active, created_at, updated_at) SELECT id, 9007199254740993, 42, 1, 0, 0 FROM tenants WHERE name = 'acme'"
run "$BIN" project list acme --json; expect_out '"procore_project_id": 9007199254740993' "project list shows the link"
expect_out '"subsidiary_id": null' "an old link shows no subsidiary"

run "$BIN" config check; expect_rc 0 "config check passes"; expect_out 'level: "info"' "config check prints effective values"
run env MLC_STORE=postgres://u:hunter2@db/x "$BIN" config check
expect_out "postgres://u:***@db/x" "config check masks the store password"
if grep -q hunter2 <<<"$OUT$ERR"; then not_ok "password never printed"; else ok "password never printed"; fi
printf 'data_dir: .\nlog:\n  level: loud\n' > bad.yaml
run "$BIN" -c bad.yaml config check; expect_rc 1 "bad config exits 1"; expect_err "bad.yaml:3: log.level: 'loud'" "bad config names file, line and key"
run env MLC_CONFIG=bad.yaml "$BIN" tenant list; expect_rc 1 "MLC_CONFIG selects the file"
run "$BIN" -c missing.yaml config check; expect_rc 1 "missing -c file exits 1"

printf 'cost_code,cost_type,account\n03-300,,5300\n03-300,L,5100\n' > cc.csv
run "$BIN" mapping import acme cost-code-account cc.csv; expect_rc 0 "mapping import"; expect_out "imported 2 cost-code-account mappings" "mapping import counts rows"
run "$BIN" mapping export acme cost-code-account; expect_out "03-300,L,5100," "mapping export prints CSV"
printf 'cost_code,account\n01-100,x\n' > bad.csv
run "$BIN" mapping import acme cost-code-account bad.csv; expect_rc 1 "bad mapping CSV refused"; expect_err "bad.csv:2: account:" "bad mapping names file, line and column"
run "$BIN" mapping import acme no-such-kind cc.csv; expect_rc 1 "unknown mapping kind refused"
run "$BIN" mapping kinds; expect_out "cost-code-segment" "mapping kinds lists kinds"
# issue 21 item 14: a file with one unusable row is refused whole, naming the line; nothing is stored
run "$BIN" mapping export acme cost-code-account; map_before=$OUT
refuse_map() { # file needle name
  run "$BIN" mapping import acme cost-code-account "$1"; expect_rc 1 "$3 refused"; expect_err "$2" "$3: line named"
  if grep -q imported <<<"$OUT"; then not_ok "$3: nothing said imported" "$OUT"; else ok "$3: nothing said imported"; fi
  run "$BIN" mapping export acme cost-code-account
  if [ "$OUT" = "$map_before" ]; then ok "$3: nothing stored"; else not_ok "$3: nothing stored" "$OUT"; fi
}
printf 'cost_code,account\n05-100,5100\n05-\xff\xfe,5200\n' > badutf.csv
refuse_map badutf.csv "badutf.csv: line 3: invalid UTF-8" "invalid UTF-8 key"
printf 'cost_code,account\n05-100,5100\n\xff,5200\n\xff,5300\n' > twobad.csv
refuse_map twobad.csv "twobad.csv: line 3: invalid UTF-8" "two identical invalid keys"
printf 'cost_code,account\n05-100,5100\n05-\xc0\xaf,5200\n' > overlong.csv
refuse_map overlong.csv "overlong.csv: line 3: invalid UTF-8" "overlong UTF-8"
printf 'cost_code,account\n05-100,5100\n05-1\0001,5200\n' > nul.csv
refuse_map nul.csv "nul.csv: line 3: a NUL byte" "NUL byte in a field"
printf 'cost_code,account\n05-100,5100\n05-100,5200\n' > dup.csv
refuse_map dup.csv "dup.csv:3: key '05-100|' repeats line 2" "duplicate key"
printf 'cost_code,account\n05-100,5100\n"05-\xe2\x82\xac",5200\n' > euro.csv
run "$BIN" mapping import acme cost-code-account euro.csv; expect_rc 0 "valid UTF-8 imported"; expect_out "imported 2 cost-code-account mappings" "valid UTF-8 counted"
run "$BIN" mapping export acme cost-code-account; expect_out "$(printf '05-\xe2\x82\xac,,5200,')" "valid UTF-8 key stored intact"
run "$BIN" tenant set acme --timezone America/Los_Angeles; expect_rc 0 "tenant time zone"
run "$BIN" tenant set acme --timezone Mars/Base; expect_rc 1 "unknown time zone refused"
run "$BIN" schedule set acme costs "*/10 6-20 * * 1-5"; expect_rc 0 "cron schedule set"
run "$BIN" schedule set acme costs "61 * * * *"; expect_rc 1 "bad cron refused"; expect_err "outside 0-59" "bad cron field named"
run "$BIN" schedule set acme vendors 15m; expect_rc 0 "interval schedule set"
run "$BIN" schedule list acme --json; expect_out '"timezone": "America/Los_Angeles"' "schedule list shows the zone"
if jq -e '.schedules[] | select(.flow == "costs") | .next | test("^20[0-9-]+T")' <<<"$OUT" >/dev/null; then ok "schedule list shows the next cron run"; else not_ok "next cron run" "$OUT"; fi
run "$BIN" tenant remove acme; expect_rc 0 "tenant remove"
run "$BIN" project list acme; expect_rc 1 "links gone with the tenant"
finish
