#!/usr/bin/env bash
# The style rules are checked (tools/check-style.sh):
#  - the tree as it is passes (clang-format, no assignment in an if condition, no libc shadow,
#    the net room's prefixes in libmlc_net.a and src/net/*_int.h);
#  - on a copy of the tree, each injected violation fails the check and is named by rule and place:
#    a misformatted file; an assignment (=, +=) inside an if / else if condition (while '=' in a
#    character literal, a string or a comment is not one); a file-local send(); a global without a
#    net prefix in libmlc_net.a; a declaration in src/net/*_int.h without http_int_.
# The per-folder libraries are read next to the binary (CMake's build dir).
set -euo pipefail
BIN=$(realpath "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LIB=$(dirname "$BIN")
WORK=$(mktemp -d /tmp/mlc-style-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# --- the tree as it is
out=$(bash "$ROOT/tools/check-style.sh" "$LIB" 2>&1) || fail "the tree breaks the style rules:
$(head -40 <<<"$out")"
grep -q '^style: ok' <<<"$out" || fail "no verdict: $out"

# A copy of the tracked files (outside git, so the check lists them with find) and of the build's
# net library; each case starts from a fresh copy and must fail the check.
fresh() {
	rm -rf "$WORK/t"
	mkdir -p "$WORK/t/build"
	if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		(cd "$ROOT" && git ls-files -z -- src tests fuzz bench tools .clang-format |
			xargs -0 cp --parents -t "$WORK/t")
	else
		(cd "$ROOT" && cp -r --parents src tests fuzz bench tools .clang-format "$WORK/t")
	fi
	cp "$LIB/libmlc_net.a" "$WORK/t/build/"
}
run_fails() { # what
	local rc=0
	out=$(bash "$WORK/t/tools/check-style.sh" "$WORK/t/build" 2>&1) || rc=$?
	[ "$rc" = 1 ] || fail "$1 passed the check (rc $rc): $(head -20 <<<"$out")"
}

# --- format: a function on one line, spaces for indentation
fresh
printf 'int style_probe(void) {  return 1; }\n' >"$WORK/t/src/util/style_probe.c"
run_fails "a misformatted file"
grep -q '^style: format: src/util/style_probe.c:1' <<<"$out" || fail "format not named: $out"

# --- assign: lines 6 and 8 assign inside a condition; 10-13 only compare or quote '='
fresh
cat >"$WORK/t/src/util/style_probe.c" <<'EOF'
#include <string.h>
int style_probe(int (*f)(void), const char *s, char c)
{
	int rc = 0;

	if ((rc = f()) < 0)
		return rc;
	else if (s && (rc += 2) > 3)
		return rc;
	if (c == '=' || strcmp(s, "a=b") == 0 || rc <= 1 || rc >= 2 || rc != 3)
		return 1;
	if (c == '\'' /* x = y */)
		return 2;
	return 0;
}
EOF
clang-format --dry-run --Werror "$WORK/t/src/util/style_probe.c" ||
	fail "the assign probe is not formatted, so it would test the formatter"
run_fails "an assignment inside an if condition"
grep -q '^style: assign: src/util/style_probe.c:6: assignment (=)' <<<"$out" ||
	fail "if ((rc = f()) < 0) not named: $out"
grep -q '^style: assign: src/util/style_probe.c:8: assignment (+=)' <<<"$out" ||
	fail "else if (... (rc += 2) ...) not named: $out"
if grep -qE '^style: assign: src/util/style_probe.c:1[0-9]:' <<<"$out"; then
	fail "a comparison, a character literal, a string or a comment was taken for an assignment: $out"
fi

# --- shadow: a file-local send() hides send(2)
fresh
printf 'static int send(int x)\n{\n\treturn x;\n}\n' >"$WORK/t/src/util/style_probe.c"
run_fails "a file-local send()"
grep -q '^style: shadow: src/util/style_probe.c:1: file-local send()' <<<"$out" ||
	fail "send() shadow not named: $out"

# --- net: a global without a room prefix in the library
fresh
printf 'int conn_pool_size(void)\n{\n\treturn 1;\n}\n' >"$WORK/probe.c"
${CC:-cc} -c -o "$WORK/probe.o" "$WORK/probe.c"
ar rcs "$WORK/t/build/libmlc_net.a" "$WORK/probe.o"
run_fails "a net global without a prefix"
grep -q '^style: net: .*libmlc_net.a: global conn_pool_size has none' <<<"$out" ||
	fail "conn_pool_size not named: $out"

# --- net: an internal declaration without http_int_ (http_int_ ones are not named)
fresh
printf 'void upstream_reset(struct mlc_http_upstream *up);\n' >>"$WORK/t/src/net/http_client_int.h"
run_fails "a net internal without http_int_"
grep -q '^style: net: src/net/http_client_int.h:[0-9]*: upstream_reset is internal' <<<"$out" ||
	fail "upstream_reset not named: $out"
if grep -q 'http_int_[a-z_]* is internal' <<<"$out"; then
	fail "an http_int_ declaration was named: $out"
fi

# --- no build folder: the net rule cannot be checked, which fails
fresh
rm "$WORK/t/build/libmlc_net.a"
run_fails "a missing libmlc_net.a"
grep -q '^style: net: .*libmlc_net.a not found' <<<"$out" || fail "missing library not named: $out"

echo "style: all cases pass"
