#!/usr/bin/env bash
# `ping` proves the fit (issue 19): against the sandbox every check of the
# enabled flows passes (exit 0); against a sandbox with one misfit injected
# (mlc-sandbox --misfits, --netsuite-segment none, or a tenant setting left
# out) ping exits non-zero and names exactly that misfit, and only that one.
# Informational checks (approved commitments, what the flows write) never
# fail the ping.
set -euo pipefail
BIN=$(realpath "$1")
. "$(dirname "$0")/lib/store.sh"
SBX_BIN=${MLC_SANDBOX_BIN:-$(dirname "$BIN")/mlc-sandbox}
WORK=$(mktemp -d /tmp/mlc-pingfit-XXXXXX)
SBX_PID=
stop_sandbox() {
	if [ -n "$SBX_PID" ]; then
		kill "$SBX_PID" 2>/dev/null || true
		wait "$SBX_PID" 2>/dev/null || true
	fi
	SBX_PID=
}
cleanup() {
	stop_sandbox
	rm -rf "$WORK"
}
trap cleanup EXIT
LOG=$WORK/run.log
fail() { echo "FAIL: $*" >&2; echo "--- last log lines" >&2; tail -20 "$LOG" >&2; exit 1; }
mlc() { "$BIN" --log-level info "$@" 2>>"$LOG"; }

# start_sandbox NAME [SANDBOX OPTIONS...]: a fresh sandbox and a fresh working
# directory with tenant "acme" (all flows' settings in place) linked to
# two projects; leaves the working directory as the current one
start_sandbox() {
	local name=$1
	shift
	stop_sandbox
	mkdir -p "$WORK/$name"
	"$SBX_BIN" --netsuite 127.0.0.1:0 --procore 127.0.0.1:0 --data "$WORK/$name/sbx" --seed 3 \
		--pc-rate 100000/h,10000/10s "$@" >"$WORK/$name/sbx.out" 2>"$WORK/$name/sbx.err" &
	SBX_PID=$!
	for _ in $(seq 1 100); do
		grep -q '^ready' "$WORK/$name/sbx.out" 2>/dev/null && break
		kill -0 "$SBX_PID" 2>/dev/null || fail "sandbox $name exited early: $(cat "$WORK/$name/sbx.err")"
		sleep 0.1
	done
	grep -q '^ready' "$WORK/$name/sbx.out" || fail "sandbox $name not ready"
	local c=$WORK/$name/sbx/credentials.json ns pc
	ns=$(jq -r .netsuite.url "$c")
	pc=$(jq -r .procore.url "$c")
	cd "$WORK/$name"
	"$BIN" init --dir w >/dev/null
	cd w
	mlc tenant add acme --procore-company "$(jq -r .procore.company_id "$c")" \
		--netsuite-account "$(jq -r .netsuite.account_id "$c")" --netsuite-url "$ns" \
		--procore-api-url "$pc" --procore-auth-url "$pc" >/dev/null
	jq -r .netsuite.client_id "$c" | mlc secret set acme netsuite.client_id >/dev/null
	jq -r '.netsuite.certificates[1].certificate_id' "$c" | mlc secret set acme netsuite.certificate_id >/dev/null
	mlc secret set acme netsuite.private_key --from-file "$(jq -r '.netsuite.certificates[1].private_key_path' "$c")" >/dev/null
	jq -r .procore.client_id "$c" | mlc secret set acme procore.client_id >/dev/null
	jq -r .procore.client_secret "$c" | mlc secret set acme procore.client_secret >/dev/null
	# the segment required (so its application is a failure, not a warning)
	# and the integration user set for echo suppression
	mlc tenant set acme --setting costs.use_segment=true >/dev/null
	mlc tenant set acme --setting netsuite.integration_user_id=57 >/dev/null
	jq -r '.projects[0:2][] | "\(.procore_project_id) \(.netsuite_job_id)"' "$WORK/$name/sbx/seed.json" |
		while read -r p j; do
			mlc project link acme --procore-project "$p" --netsuite-job "$j" >/dev/null
		done
}

# failing NAME: the required checks that failed, sorted, comma-separated
failing() { jq -r '[.checks[] | select(.required and (.ok | not)) | .check] | sort | join(",")' <<<"$1"; }

# expect_misfit CASE WANT: ping --flows all exits non-zero, and the failed
# required checks are exactly WANT
expect_misfit() {
	local out got
	if out=$(mlc ping acme --flows all --json); then fail "$1: ping passed: $out"; fi
	got=$(failing "$out")
	[ "$got" = "$2" ] || fail "$1: failed checks '$got', want '$2': $out"
	echo "$1: names $got"
}

# --- the fitting account: every check passes
start_sandbox fit
out=$(mlc ping acme --flows all --json) || fail "ping of a fitting account failed: $out"
[ -z "$(failing "$out")" ] || fail "failed checks in a fitting account: $(failing "$out")"
for c in netsuite.segment netsuite.segment.lines netsuite.segment.budgets netsuite.push_script \
	netsuite.integration_user netsuite.read.vendor netsuite.read.transaction netsuite.read.budgets \
	netsuite.read.customrecord_cseg_mlc_costcode procore.tool.vendors procore.tool.commitments \
	procore.tool.requisitions procore.tool.direct_costs procore.tool.budget \
	procore.tool.prime_contracts procore.tool.cost_codes procore.foreign_origin; do
	jq -e --arg c "$c" '[.checks[] | select(.check == $c and .ok and .required)] | length == 1' \
		<<<"$out" >/dev/null || fail "no passing required check $c: $out"
done
# facts, not failures: approved commitments are seeded in every project
jq -e '.checks[] | select(.check == "procore.approved_commitments") |
	(.ok and (.required | not) and (.detail | test("^[1-9][0-9]* of [0-9]+ commitment")))' \
	<<<"$out" >/dev/null || fail "approved commitments fact: $out"
jq -e '.checks[] | select(.check == "netsuite.write") | (.required | not) and
	(.detail | test("journal entries \\(costs\\)"))' <<<"$out" >/dev/null || fail "write note: $out"
# the text form: one line per check, exit 0
text=$(mlc ping acme --flows all) || fail "text ping: $text"
grep -q -- "^ok   netsuite.push_script .*released for VENDOR" <<<"$text" || fail "push script line: $text"
# no schedule and no --flows: no flow enabled, no fit check
out=$(mlc ping acme --json) || fail "ping without flows: $out"
jq -e '[.checks[] | select(.check | test("^(netsuite\\.(segment|read|push|integration|write)|procore\\.(tool|foreign|approved))"))] | length == 0' \
	<<<"$out" >/dev/null || fail "fit checks without enabled flows: $out"
# the scheduled flows are the enabled ones: vendors alone needs no segment
mlc tenant set acme --schedules vendors=15m >/dev/null
out=$(mlc ping acme --json) || fail "ping with vendors scheduled: $out"
jq -e '([.checks[].check] | index("netsuite.read.vendor") != null) and
	([.checks[].check] | index("netsuite.segment") == null) and
	([.checks[].check] | index("procore.tool.vendors") != null)' <<<"$out" >/dev/null ||
	fail "checks of the scheduled flow: $out"
if out=$(mlc ping acme --flows nosuch 2>&1); then fail "unknown flow accepted: $out"; fi

# --- each misfit, alone
store_sql ml-connector.db "UPDATE tenants SET settings =
	json_remove(settings, '$.netsuite.integration_user_id') WHERE name = 'acme'"
expect_misfit "integration user not set" netsuite.integration_user
start_sandbox deny --misfits ns:deny=vendor
expect_misfit "role without vendors" netsuite.read.vendor
grep -q "Record 'vendor' was not found" <<<"$(mlc ping acme --flows all)" || fail "vendor detail"
start_sandbox noseg --netsuite-segment none
expect_misfit "no segment" netsuite.segment
start_sandbox lines --misfits ns:segment-lines
expect_misfit "segment not on lines" netsuite.segment.lines
# costs.use_segment auto: costs would write the memo instead, so a warning
store_sql ml-connector.db "UPDATE tenants SET settings =
	json_remove(settings, '$.costs.use_segment') WHERE name = 'acme'"
out=$(mlc ping acme --flows all --json) || fail "segment lines with use_segment auto: $out"
jq -e '.checks[] | select(.check == "netsuite.segment.lines") | (.ok | not) and (.required | not)' \
	<<<"$out" >/dev/null || fail "segment lines not a warning: $out"
grep -q -- "^warn netsuite.segment.lines" <<<"$(mlc ping acme --flows all)" || fail "no warn line"
start_sandbox budgets --misfits ns:segment-budgets
expect_misfit "segment not on budgets" netsuite.segment.budgets
start_sandbox noscript --misfits ns:no-push-script
expect_misfit "push script not deployed" netsuite.push_script
start_sandbox pcbudget --misfits pc:deny=budget
expect_misfit "no budget permission" procore.tool.budget
grep -q "procore.tool.budget .*403.*User does not have correct permissions.*Budget tool" \
	<<<"$(mlc ping acme --flows all || true)" || fail "budget 403 detail"
start_sandbox pcdc --misfits pc:deny=direct_costs
expect_misfit "no direct costs permission" procore.tool.direct_costs
start_sandbox foreign --misfits pc:foreign-origin
expect_misfit "objects owned by another integration" procore.foreign_origin
out=$(mlc ping acme --flows all --json || true)
jq -e '.checks[] | select(.check == "procore.foreign_origin") |
	.detail | test("^3 object.*vendor [0-9]+ \\(sage:V-[0-9]+\\).*purchase order [0-9]+ \\(sage:PO-")' \
	<<<"$out" >/dev/null || fail "foreign origin detail: $out"
# a flow that writes neither vendors nor commitments does not care
mlc ping acme --flows costs >/dev/null || fail "costs alone failed on foreign origin ids"
echo ok
