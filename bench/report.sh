#!/usr/bin/env bash
# Regenerates the figures section of docs/BENCHMARKS.md (`make bench-report`):
# runs bench/scale.sh and bench/commitments.sh and writes their output,
# with the machine and the commands, between the FIGURES markers.
# Env: BIN (default build/ml-connector), SCALES (default "1 5 20"),
# COMMIT_SCALE (default 5), COMMIT_LATENCY_MS (default 25).
set -euo pipefail
cd "$(dirname "$0")/.."
export BIN=$(readlink -f "${BIN:-build/ml-connector}")
DOC=docs/BENCHMARKS.md
SCALES=${SCALES:-1 5 20}
CS=${COMMIT_SCALE:-5}
CL=${COMMIT_LATENCY_MS:-25}
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.new"' EXIT
{
  echo "<!-- FIGURES BEGIN (written by bench/report.sh; do not edit by hand) -->"
  echo
  echo "Measured $(date -u +%Y-%m-%d) at commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "on $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"
  echo "$(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo) of memory."
  echo
  echo "### Cost at scale: \`bench/scale.sh $SCALES\`"
  echo
  # shellcheck disable=SC2086
  bench/scale.sh $SCALES | grep -v '^machine:'
  echo
  echo "### The NetSuite pool: \`bench/commitments.sh $CS $CL\`"
  echo
  echo '```'
  bench/commitments.sh "$CS" "$CL"
  echo '```'
  echo
  echo "<!-- FIGURES END -->"
} >"$tmp"
awk -v f="$tmp" '
  /<!-- FIGURES BEGIN/ { while ((getline l < f) > 0) print l; skip = 1; next }
  /<!-- FIGURES END/ { skip = 0; next }
  !skip { print }' "$DOC" >"$tmp.new"
mv "$tmp.new" "$DOC"
echo "rewrote the figures in $DOC"
