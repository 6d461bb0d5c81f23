#!/usr/bin/env bash
# Runs every unit test binary of BUILD_DIR (tests/unit/test_*.c) under
# valgrind memcheck, JOBS at a time: any invalid access, use of an
# uninitialised value, or definite/indirect leak fails the run.  Logs go to
# BUILD_DIR/valgrind/<test>.log; prints one line per test and the total time.
#
#   scripts/valgrind-unit.sh build 2
set -euo pipefail

build=${1:?usage: scripts/valgrind-unit.sh BUILD_DIR [JOBS]}
jobs=${2:-2}
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd)
command -v valgrind >/dev/null || { echo "valgrind: not installed (scripts/install-deps)" >&2; exit 1; }

tests=()
for src in "$root"/tests/unit/test_*.c; do
	name=$(basename "$src" .c)
	if [ ! -x "$build/$name" ]; then
		echo "valgrind: $build/$name is not built (make build)" >&2
		exit 1
	fi
	tests+=("$name")
done
mkdir -p "$build/valgrind"

run_one() {
	local t=$1 rc=0 start=$SECONDS
	(cd "$build" && CMOCKA_MESSAGE_OUTPUT=stdout valgrind --quiet --error-exitcode=99 \
		--leak-check=full --show-leak-kinds=definite,indirect \
		--errors-for-leak-kinds=definite,indirect --child-silent-after-fork=yes \
		--suppressions="$root/scripts/valgrind.supp" --log-file="$build/valgrind/$t.log" \
		"./$t" >"$build/valgrind/$t.out" 2>&1) || rc=$?
	if [ "$rc" -eq 0 ]; then
		printf 'valgrind: %-28s clean  %4ds\n' "$t" $((SECONDS - start))
	elif [ "$rc" -eq 99 ]; then
		printf 'valgrind: %-28s ERRORS (see %s)\n' "$t" "$build/valgrind/$t.log"
	else
		printf 'valgrind: %-28s FAILED exit %d (see %s)\n' "$t" "$rc" "$build/valgrind/$t.out"
	fi
	return "$rc"
}
export -f run_one
export build root

start=$SECONDS
status=0
printf '%s\n' "${tests[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one "$1"' _ {} || status=$?
echo "valgrind: ${#tests[@]} unit tests in $((SECONDS - start))s"
if [ "$status" -ne 0 ]; then
	echo "valgrind: memcheck found errors or a test failed" >&2
	exit 1
fi
echo "valgrind: clean"
