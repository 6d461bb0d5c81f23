#!/usr/bin/env bash
# Benchmark (run by hand, prints figures): `mapping import` rows per second
# (issue 20 asks for at least 10,000) on generated cost-code-account CSVs,
# into a fresh store in a temporary directory.  For each size: a first
# import, the same file again (every row unchanged: nothing written), --replace, --dry-run.
# Usage: bench/mapping-import.sh [ROWS...]   (default: 10000 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(readlink -f "${BIN:-build/ml-connector}")
[ -x "$BIN" ] || { echo "build first: $BIN is missing" >&2; exit 1; }
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10000 100000)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
unset MLC_CONFIG MLC_STORE MLC_DATA_DIR MLC_LOG_LEVEL MLC_LOG_FORMAT || true

now() { date +%s.%N; }

# one timed import; prints "LABEL ROWS SECONDS ROWS/S"
timed() {
  local label=$1 rows=$2 t0 t1 out
  shift 2
  t0=$(now)
  out=$("$BIN" mapping import "$@")
  t1=$(now)
  grep -q "import.* $rows cost-code-account" <<<"$out" || { echo "unexpected: $out" >&2; exit 1; }
  awk -v l="$label" -v n="$rows" -v a="$t0" -v b="$t1" \
    'BEGIN { s = b - a; printf "%-22s %8d rows %8.3f s %10.0f rows/s\n", l, n, s, n / s }'
}

echo "ml-connector mapping import, $(nproc) cores, $(uname -sr), $("$BIN" --version)"
for rows in "${SIZES[@]}"; do
  d="$WORK/store-$rows"
  "$BIN" init --dir "$d" >/dev/null
  csv="$WORK/cc-$rows.csv"
  awk -v n="$rows" 'BEGIN {
    print "cost_code,cost_type,account,department"
    for (i = 1; i <= n; i++) printf "%02d-%05d,L,%d,%d\n", i % 100, i, 5000 + i % 900, i % 7 + 1
  }' >"$csv"
  (
    cd "$d"
    "$BIN" tenant add bench --procore-company 5 --netsuite-account 1 >/dev/null
    timed "import (new rows)" "$rows" bench cost-code-account "$csv"
    timed "import (same file)" "$rows" bench cost-code-account "$csv"
    timed "import --replace" "$rows" bench cost-code-account "$csv" --replace
    timed "import --dry-run" "$rows" bench cost-code-account "$csv" --dry-run
  )
done
