#!/usr/bin/env bash
# The flows' shape (tools/check-flows.sh): no function in src/flows over 80
# lines, no REST path or SuiteQL text outside the adapters.  First the tree
# itself, then a copy with violations put in, to show the check finds each
# kind and passes what it should.  Usage: test_flow_shape.sh BINARY
set -euo pipefail
. "$(dirname "$0")/lib/assert.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CHECK=$ROOT/tools/check-flows.sh

run bash "$CHECK" "$ROOT"
if [ "$RC" -eq 0 ]; then ok "the tree has the flows' shape"; else not_ok "the tree has the flows' shape" "$OUT"; fi

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/src"
cp -R "$ROOT/src/flows" "$ROOT/src/procore" "$T/src/"

# a function of N lines, counted from its first line to its closing brace
fn_of() { # name lines
  printf 'static int %s(int a,\n\t\tint b)\n{\n' "$1"
  for ((k = 0; k < $2 - 5; k++)); do printf '\ta += b; /* } */\n'; done
  printf '\treturn a;\n}\n'
}
# the base line: whatever the copied tree reports before anything is put in
run bash "$CHECK" "$T"
BASE=$OUT BASE_RC=$RC
new_lines() { comm -13 <(sort <<<"$BASE") <(sort <<<"$OUT"); }

F=$T/src/flows/flow_shape_probe.c
{ fn_of probe_at_limit 80; fn_of probe_too_long 81; } >"$F"
run bash "$CHECK" "$T"
expect_rc 1 "a flow function of 81 lines fails the check"
got=$(new_lines)
if [ "$got" = "src/flows/flow_shape_probe.c:81: probe_too_long is 81 lines (max 80)" ]; then
  ok "the long function is named with its line and length, the 80-line one passes"
else
  not_ok "the long function is named with its line and length, the 80-line one passes" "$got"
fi

{
  echo '/* GET /rest/v1.0/projects/1 and SELECT id FROM vendor, in a comment */'
  echo 'static const char *p = "/rest/v1.0/projects/1";'
  echo 'static const char *q = "SELECT id FROM vendor";'
} >"$F"
run bash "$CHECK" "$T"
expect_rc 1 "a REST path and SuiteQL text in a flow fail the check"
got=$(new_lines)
want=$'src/flows/flow_shape_probe.c:2: ["/rest/] outside the adapters: static const char *p = "/rest/v1.0/projects/1";\nsrc/flows/flow_shape_probe.c:3: [SELECT ] outside the adapters: static const char *q = "SELECT id FROM vendor";'
if [ "$got" = "$want" ]; then ok "each code line is reported once; the comment is not"; else not_ok "each code line is reported once; the comment is not" "$got"; fi

rm -f "$F"
echo 'static const char *p = "/rest/v1.0/companies/1/vendors";' >"$T/src/procore/pc_shape_probe.c"
run bash "$CHECK" "$T"
got=$(new_lines)
if [ -z "$got" ]; then ok "a REST path inside the Procore adapter is allowed"; else not_ok "a REST path inside the Procore adapter is allowed" "$got"; fi

mkdir -p "$T/src/cli"
echo 'static const char *p = "/rest/v1.0/companies/1/vendors";' >"$T/src/cli/cli_shape_probe.c"
run bash "$CHECK" "$T"
expect_rc 1 "a REST path in the CLI fails the check"
expect_out "src/cli/cli_shape_probe.c:1: [\"/rest/]" "the CLI file is named"

# the auth providers' token endpoint: exempt in src/auth/oauth.c only, and
# only as its NS_TOKEN_PATH define
rm -f "$T/src/cli/cli_shape_probe.c"
mkdir -p "$T/src/auth"
cp "$ROOT/src/auth/oauth.c" "$T/src/auth/oauth.c"
run bash "$CHECK" "$T"
if [ "$RC" -eq "$BASE_RC" ] && [[ "$OUT" != *"src/auth/oauth.c:"* ]]; then
  ok "the token path of src/auth/oauth.c is allowed"
else
  not_ok "the token path of src/auth/oauth.c is allowed" "exit $RC (base $BASE_RC): $OUT"
fi
grep -q '^#define NS_TOKEN_PATH "/services/' "$T/src/auth/oauth.c" || not_ok "oauth.c still defines NS_TOKEN_PATH" "$(grep -n NS_TOKEN_PATH "$T/src/auth/oauth.c" || true)"

echo '#define NS_TOKEN_PATH "/services/rest/auth/oauth2/v1/token"' >"$T/src/auth/auth_shape_probe.c"
run bash "$CHECK" "$T"
expect_rc 1 "the same token path elsewhere in src/auth fails the check"
expect_out "src/auth/auth_shape_probe.c:1: [\"/services/]" "the other auth file is named"

rm -f "$T/src/auth/auth_shape_probe.c"
echo 'static const char *p = "/services/rest/record/v1/vendor";' >>"$T/src/auth/oauth.c"
run bash "$CHECK" "$T"
expect_rc 1 "another REST path in src/auth/oauth.c fails the check"
got=$(new_lines)
if grep -q '^src/auth/oauth.c:[0-9]*: \["/services/\] outside the adapters: static const char \*p' <<<"$got"; then
  ok "only the token define is exempt in oauth.c"
else
  not_ok "only the token define is exempt in oauth.c" "$got"
fi

finish
