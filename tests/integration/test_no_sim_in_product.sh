#!/usr/bin/env bash
# The simulator is a program of its own (issue 17): the release
# ml-connector carries none of its code, the simulator uses util/ and net/
# only, and `ml-connector sandbox` runs mlc-sandbox.  Reads the objects the
# build left next to BINARY.  Usage: test_no_sim_in_product.sh BINARY
set -euo pipefail
export LC_ALL=C
. "$(dirname "$0")/lib/assert.sh"
BIN=$1
BUILD=$(cd "$(dirname "$BIN")" && pwd)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SIM_LIB=$BUILD/libmlc_sim.a
SIM_BIN=$BUILD/mlc-sandbox
# the simulator's own name prefixes (src/sandbox/)
SIM_PREFIX='^(nssim|nsdb|nsjwt|nsrec|nstxn|nsasync|pcsim|sandbox|sbx|contractor)_'

[ -f "$SIM_LIB" ] || { echo "no $SIM_LIB" >&2; exit 1; }
[ -x "$SIM_BIN" ] || { echo "no $SIM_BIN" >&2; exit 1; }

defined() { nm -g --defined-only "$1" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u; }

# --- the product binary holds no simulator symbol ---------------------------------------
sim_syms=$(defined "$SIM_LIB")
prod_syms=$(defined "$BIN")
n_sim=$(grep -c . <<<"$sim_syms" || true)
if [ "$n_sim" -gt 100 ]; then ok "libmlc_sim.a defines $n_sim symbols"; else not_ok "libmlc_sim.a defines too few symbols ($n_sim) for the check to mean anything"; fi
both=$(comm -12 <(echo "$sim_syms") <(echo "$prod_syms"))
if [ -z "$both" ]; then ok "ml-connector defines none of libmlc_sim.a's symbols"; else not_ok "ml-connector defines simulator symbols" "$(head -20 <<<"$both")"; fi
pref=$(grep -E -- "$SIM_PREFIX" <<<"$prod_syms" || true)
if [ -z "$pref" ]; then ok "nm finds no simulator-prefixed symbol in ml-connector"; else not_ok "simulator-prefixed symbols in ml-connector" "$(head -20 <<<"$pref")"; fi
# the same checks do find the simulator where it is
in_sbx=$(comm -12 <(echo "$sim_syms") <(defined "$SIM_BIN") | grep -cE -- "$SIM_PREFIX" || true)
if [ "$in_sbx" -gt 50 ]; then ok "the checks find the simulator in mlc-sandbox ($in_sbx symbols)"; else not_ok "the checks find too little in mlc-sandbox ($in_sbx)"; fi

# --- the simulator uses util/ and net/ only ------------------------------------------------
inc=$(grep -hoE '#include "[^"]+"' "$ROOT"/src/sandbox/*.[ch] | grep -vE '"(sandbox|util|net)/' | sort -u || true)
if [ -z "$inc" ]; then ok "src/sandbox includes sandbox/, util/ and net/ headers only"; else not_ok "src/sandbox includes other folders" "$inc"; fi
# every symbol the simulator's objects need that product objects define
# must come from an object compiled from src/util or src/net
others=$(find "$BUILD/CMakeFiles" -path '*/src/*' -name '*.c.o' \
  -not -path '*/mlc_sim.dir/*' -not -path '*/mlc-sandbox.dir/*' -not -path '*/ml-connector.dir/*' \
  -not -path '*/src/util/*' -not -path '*/src/net/*' -not -path '*/src/sandbox/*')
n_others=$(grep -c . <<<"$others" || true)
if [ "$n_others" -gt 20 ]; then ok "$n_others product objects outside util/ and net/ to check against"; else not_ok "found only $n_others product objects under $BUILD/CMakeFiles"; fi
above=$(for o in $others; do defined "$o"; done | sort -u)
needs=$(nm -u "$SIM_LIB" | awk 'NF == 2 { print $2 }' | sort -u)
leak=$(comm -12 <(echo "$needs") <(echo "$above"))
if [ -z "$leak" ]; then ok "libmlc_sim.a calls nothing above util/ and net/"; else not_ok "libmlc_sim.a calls product code above util/ and net/" "$(head -20 <<<"$leak")"; fi

# --- inside: a NetSuite group and a Procore group that meet only in the frame ----------------
# sandbox.c creates both; sandbox_faults.c (the shared controls) and
# sim_clock.c (the clock leaf) call neither; no group calls the other or
# sandbox.c.  calls OBJ: the sandbox/ objects that define what OBJ needs.
SIM_OBJ=$(find "$BUILD/CMakeFiles" -path '*/mlc_sim.dir/src/sandbox/*.c.o')
declare -A DEF
for o in $SIM_OBJ; do
  n=$(basename "$o" .c.o)
  for s in $(defined "$o"); do DEF[$s]=$n; done
done
calls() { nm -u "$1" | awk 'NF == 2 { print $2 }' | while read -r s; do if [ -n "${DEF[$s]:-}" ]; then echo "${DEF[$s]}"; fi; done | sort -u; }
bad=
for o in $SIM_OBJ; do
  n=$(basename "$o" .c.o)
  case $n in
    nssim*) forbid='^(pcsim.*|sandbox)$' ;;
    pcsim*) forbid='^(nssim.*|sandbox)$' ;;
    sandbox_faults|sim_clock|contractor) forbid='^(nssim.*|pcsim.*|sandbox)$' ;;
    *) continue ;;
  esac
  hit=$(calls "$o" | grep -E -- "$forbid" || true)
  [ -z "$hit" ] || bad="$bad $n->{$(echo $hit)}"
done
if [ -z "$bad" ]; then ok "the NetSuite and Procore groups call neither each other nor sandbox.c"; else not_ok "calls across the simulator groups" "$bad"; fi
sbx=$(calls "$(grep '/sandbox.c.o$' <<<"$SIM_OBJ")")
if grep -qx nssim <<<"$sbx" && grep -qx pcsim <<<"$sbx"; then ok "sandbox.c creates both simulators"; else not_ok "sandbox.c calls" "$sbx"; fi
clk=$(calls "$(grep '/sim_clock.c.o$' <<<"$SIM_OBJ")")
if [ -z "$clk" ]; then ok "the clock (sim_clock.c) is a leaf"; else not_ok "sim_clock.c calls" "$clk"; fi

# --- ml-connector sandbox runs mlc-sandbox ---------------------------------------------------
run "$BIN" sandbox --help
expect_rc 0 "ml-connector sandbox --help exits 0"
expect_out "usage: mlc-sandbox" "and prints mlc-sandbox's help"
run "$BIN" sandbox --seed x
expect_rc 2 "ml-connector sandbox passes its arguments on (a bad --seed is a usage error)"
expect_err "mlc-sandbox: --seed" "and mlc-sandbox names the option"
run env MLC_SANDBOX_BIN="$BUILD/no-such-sandbox" "$BIN" sandbox --help
expect_rc 1 "MLC_SANDBOX_BIN naming nothing fails"
expect_err "cannot run $BUILD/no-such-sandbox" "and says which program it could not run"
FAKE=$(mktemp)
trap 'rm -f "$FAKE"' EXIT
printf '#!/bin/sh\necho "fake sandbox: $*"\n' >"$FAKE"
chmod +x "$FAKE"
run env MLC_SANDBOX_BIN="$FAKE" "$BIN" sandbox --seed 7 --data "a b"
expect_rc 0 "MLC_SANDBOX_BIN picks the program"
expect_out "fake sandbox: --seed 7 --data a b" "with the arguments unchanged"
finish
