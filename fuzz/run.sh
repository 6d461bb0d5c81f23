#!/usr/bin/env bash
# Runs every libFuzzer target built in BUILD_DIR for SECONDS each, JOBS at
# a time, over its seeds (fuzz/corpus/<target>/, read only) and dictionary
# (fuzz/dict/<target>.dict).  New inputs go to BUILD_DIR/fuzz-work/<target>/,
# crashes to BUILD_DIR/fuzz-artifacts/<target>/.  Prints one line per
# target and exits non-zero when any target crashed (or did not run).
#
#   fuzz/run.sh build-fuzz 60 2
set -euo pipefail

build=${1:?usage: fuzz/run.sh BUILD_DIR SECONDS [JOBS]}
seconds=${2:?usage: fuzz/run.sh BUILD_DIR SECONDS [JOBS]}
jobs=${3:-2}
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$build" && pwd)

targets=()
for bin in "$build"/fuzz_*; do
	[ -x "$bin" ] && targets+=("$(basename "$bin")")
done
if [ ${#targets[@]} -eq 0 ]; then
	echo "fuzz: no targets in $build (make fuzz builds them)" >&2
	exit 1
fi

# fuzz_pkey starts from real keys, generated here: none is checked in
mkdir -p "$build/fuzz-work/fuzz_pkey"
for spec in "EC ec_paramgen_curve:P-384" "RSA rsa_keygen_bits:3072"; do
	set -- $spec
	out="$build/fuzz-work/fuzz_pkey/generated-$1"
	[ -s "$out" ] || openssl genpkey -algorithm "$1" -pkeyopt "$2" -out "$out" 2>/dev/null
done

run_one() {
	local t=$1 short=${1#fuzz_} opts=() dirs=()
	local work="$build/fuzz-work/$t" art="$build/fuzz-artifacts/$t" log="$build/fuzz-logs/$t.log"
	mkdir -p "$work" "$art" "$build/fuzz-logs"
	dirs+=("$work")
	[ -f "$here/dict/$short.dict" ] && opts+=("-dict=$here/dict/$short.dict")
	[ -d "$here/corpus/$short" ] && dirs+=("$here/corpus/$short")
	local rc=0
	"$build/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$art/" ${opts[@]+"${opts[@]}"} "${dirs[@]}" >"$log" 2>&1 || rc=$?
	local execs cov
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 || true)
	if [ "$rc" -eq 0 ]; then
		printf 'fuzz: %-18s ok     %10s runs  %s\n' "$t" "${execs:-?}" "${cov:-}"
	else
		printf 'fuzz: %-18s FAILED (exit %d): %s; log %s\n' "$t" "$rc" \
			"$(ls "$art" 2>/dev/null | head -n 1)" "$log"
		grep -m 3 -E 'ERROR|runtime error|SUMMARY' "$log" | sed 's/^/fuzz:     /' || true
	fi
	return "$rc"
}
export -f run_one
export build seconds here

echo "fuzz: ${#targets[@]} targets, ${seconds}s each, $jobs at a time"
status=0
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one "$1"' _ {} || status=$?
if [ "$status" -ne 0 ]; then
	echo "fuzz: a target failed; replay a crash with $build/<target> <artifact>" >&2
	exit 1
fi
echo "fuzz: all ${#targets[@]} targets ran ${seconds}s without a crash"
