#!/usr/bin/env bash
# The folder chain is a build fact (tools/check-layers.sh):
#  - the tree as built passes (includes and calls);
#  - an include against the chain fails it, naming the file and line;
#  - a call against the chain (a util object calling into flows) fails it,
#    naming the symbol and both folders;
#  - netsuite and procore may not use each other;
#  - store SQL (store_prepare, stmt_*) above core fails it.
# The per-folder libraries are read next to the binary (CMake's build dir).
set -euo pipefail
BIN=$(realpath "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LIB=$(dirname "$BIN")
CHECK=$ROOT/tools/check-layers.sh
WORK=$(mktemp -d /tmp/mlc-layers-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

for l in util net core auth netsuite procore flows server cli; do
	[ -f "$LIB/libmlc_$l.a" ] || fail "no per-folder library libmlc_$l.a in $LIB"
done

# --- the tree as it is
out=$(bash "$CHECK" "$ROOT/src" "$LIB") || fail "the tree breaks the chain: $out"
grep -q '^layers: ok' <<<"$out" || fail "no verdict: $out"

# --- an injected include: core reaching up into flows
cp -r "$ROOT/src" "$WORK/src"
printf '#include "flows/session.h"\n' >>"$WORK/src/core/audit.c"
rc=0
out=$(bash "$CHECK" "$WORK/src" "$LIB") || rc=$?
[ "$rc" = 1 ] || fail "an include of flows/ from core passed (rc $rc): $out"
grep -q '^include: core/audit.c:[0-9]* uses flows/' <<<"$out" || fail "include not named: $out"

# --- netsuite and procore are siblings
rm -rf "$WORK/src" && cp -r "$ROOT/src" "$WORK/src"
printf '#include "procore/procore.h"\n' >>"$WORK/src/netsuite/netsuite.h"
rc=0
out=$(bash "$CHECK" "$WORK/src" "$LIB") || rc=$?
[ "$rc" = 1 ] || fail "netsuite including procore passed (rc $rc): $out"
grep -q '^include: netsuite/netsuite.h:[0-9]* uses procore/' <<<"$out" ||
	fail "sibling include not named: $out"

# --- an injected call: an object in util's library calling session_free (flows)
mkdir "$WORK/lib"
cp "$LIB"/libmlc_*.a "$WORK/lib/"
cat >"$WORK/probe.c" <<'C'
void session_free(void *s);
void layers_probe(void);
void layers_probe(void) { session_free(0); }
C
cc -c -o "$WORK/layers_probe.o" "$WORK/probe.c"
ar rcs "$WORK/lib/libmlc_util.a" "$WORK/layers_probe.o"
rc=0
out=$(bash "$CHECK" "$ROOT/src" "$WORK/lib") || rc=$?
[ "$rc" = 1 ] || fail "a call from util into flows passed (rc $rc): $out"
grep -q '^call: layers_probe.o (util) calls session_free, defined in flows' <<<"$out" ||
	fail "call not named: $out"
# --- store SQL above core: a flows object preparing a statement
cp "$LIB"/libmlc_*.a "$WORK/lib/"
cat >"$WORK/sql.c" <<'C'
int store_prepare(void *s, const char *sql, void **out, void *err);
int layers_sql_probe(void);
int layers_sql_probe(void) { return store_prepare(0, "SELECT 1", 0, 0); }
C
cc -c -o "$WORK/layers_sql.o" "$WORK/sql.c"
ar rcs "$WORK/lib/libmlc_flows.a" "$WORK/layers_sql.o"
rc=0
out=$(bash "$CHECK" "$ROOT/src" "$WORK/lib") || rc=$?
[ "$rc" = 1 ] || fail "store SQL in flows passed (rc $rc): $out"
grep -q '^sql: layers_sql.o (flows) calls store_prepare' <<<"$out" || fail "sql not named: $out"
echo "layers: the tree passes; injected include, sibling include, call and store SQL each fail"
