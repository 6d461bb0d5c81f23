# A test world: the sandbox on free loopback ports (sandbox_lib.sh), a
# working directory with a tenant wired to it (secrets from
# DATA/credentials.json, project links from DATA/seed.json, the sandbox's
# mapping files), all removed on exit.  Sourced after lib/assert.sh; needs
# $BIN.  Sets WORK, DATA, NS_URL, PC_URL.

# shellcheck source=../sandbox_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../sandbox_lib.sh"
# shellcheck source=store.sh
. "$(dirname "${BASH_SOURCE[0]}")/store.sh"

# Procore's rate limits are lifted unless the options name them
# (--pc-rate) or SANDBOX_PC_RATE does: a test about what the connector
# sends or writes should not spend its time in Procore's 10-second spike
# limit (100 calls at the sandbox's default, which a sync of every project
# passes).  The connector's pacing under the real limits is tested where
# it is the subject (test_sandbox_429.sh, test_pcsim_cli.sh, test_month_clock.sh).
# Retries back off from 20 ms instead of 500 (retry.backoff_ms): the
# tests inject faults by the hundred and assert what is written, not when.
export MLC_RETRY_BACKOFF_MS=${MLC_RETRY_BACKOFF_MS:-20}
world_start() { # [sandbox options...]
  case " $* " in
  *" --pc-rate "*) start "$@" ;;
  *) start --pc-rate "${SANDBOX_PC_RATE:-100000/h,10000/10s}" "$@" ;;
  esac
  WORLD=$DIR
  DATA=$DIR/data
  NS_URL=$(jq -r .netsuite.url "$DATA/credentials.json")
  PC_URL=$(jq -r .procore.url "$DATA/credentials.json")
}

# world_tenant NAME: init a working dir and add a fully configured tenant.
world_tenant() {
  local t=$1 c=$DATA/credentials.json
  WORK=$WORLD/work
  "$BIN" init --dir "$WORK" >/dev/null
  cd "$WORK"
  "$BIN" tenant add "$t" --procore-company "$(jq .procore.company_id "$c")" \
    --netsuite-account "$(jq -r .netsuite.account_id "$c")" --netsuite-url "$NS_URL" \
    --procore-api-url "$PC_URL" --procore-auth-url "$PC_URL" \
    --procore-service-user-id "$(jq .procore.service_user_id "$c")" >/dev/null
  "$BIN" tenant set "$t" --setting "netsuite.integration_user_id=$(jq .netsuite.integration_user_id "$c")" >/dev/null
  jq -j .netsuite.client_id "$c" | "$BIN" secret set "$t" netsuite.client_id >/dev/null
  jq -j '.netsuite.certificates[0].certificate_id' "$c" | "$BIN" secret set "$t" netsuite.certificate_id >/dev/null
  "$BIN" secret set "$t" netsuite.private_key --from-file "$(jq -r '.netsuite.certificates[0].private_key_path' "$c")" >/dev/null
  jq -j .procore.client_id "$c" | "$BIN" secret set "$t" procore.client_id >/dev/null
  jq -j .procore.client_secret "$c" | "$BIN" secret set "$t" procore.client_secret >/dev/null
  # the sandbox writes its contractor's mappings ready to import (issue 4)
  "$BIN" mapping import "$t" cost-type-account "$DATA/mappings/cost-type-account.csv" >/dev/null
  jq -r '.projects[] | "\(.procore_project_id) \(.netsuite_job_id) \(.subsidiary_id) \(.department_id) \(.class_id) \(.location_id)"' \
    "$DATA/seed.json" | while read -r pp job sub dep cls loc; do
    "$BIN" project link "$t" --procore-project "$pp" --netsuite-job "$job" --subsidiary "$sub" \
      --department "$dep" --class "$cls" --location "$loc" >/dev/null
  done
}

# Sandbox admin calls.
pc_admin() { curl -sf -X "$1" "$PC_URL$2" -H 'Content-Type: application/json' ${3:+-d "$3"}; }
ns_admin() { curl -sf -X "$1" "$NS_URL$2" -H 'Content-Type: application/json' ${3:+-d "$3"}; }
pc_calls() { pc_admin GET /_sandbox/stats | jq "[.calls | to_entries[] | select(.key | test(\"$1\")) | .value] | add // 0"; }
ns_calls() { ns_admin GET /_sandbox/stats | jq "[.calls | to_entries[] | select(.key | test(\"$1\")) | .value] | add // 0"; }
reset_stats() { pc_admin POST /_sandbox/reset-stats >/dev/null; ns_admin POST /_sandbox/reset-stats >/dev/null; }

# expect_eq ACTUAL WANTED NAME
expect_eq() { if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3" "got '$1', wanted '$2'"; fi; }
# expect_le ACTUAL LIMIT NAME
expect_le() { if [ "$1" -le "$2" ]; then ok "$3 ($1 <= $2)"; else not_ok "$3" "got $1, limit $2"; fi; }

# world_costs_mappings TENANT: the sandbox's cost-code, segment and offset mappings.
world_costs_mappings() {
  local t=$1 k
  for k in cost-code-account cost-code-segment offset-account; do
    "$BIN" mapping import "$t" $k "$DATA/mappings/$k.csv" >/dev/null
  done
}

# A Procore token for direct API calls in tests.
pc_token() {
  curl -sf -X POST "$PC_URL/oauth/token" -d grant_type=client_credentials \
    -d client_id="$(jq -r .procore.client_id "$DATA/credentials.json")" \
    -d client_secret="$(jq -r .procore.client_secret "$DATA/credentials.json")" | jq -r .access_token
}
# pc_api METHOD PATH [BODY]: a call as another Procore app would make it.
pc_api() { # shares the connector's rate budget: a 429 is waited out, as the connector does
  curl -sf --retry 8 -X "$1" "$PC_URL$2" -H "Authorization: Bearer $tok" \
    -H "Procore-Company-Id: $(jq .procore.company_id "$DATA/credentials.json")" \
    -H 'Content-Type: application/json' ${3:+-d "$3"}
}
