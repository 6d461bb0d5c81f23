#!/usr/bin/env bash
# Regenerates the figures section of docs/BENCHMARKS.md (`make bench-report`):
# runs the benches (bench/webhook-intake.sh, bench/time-to-ledger.sh,
# bench/scale.sh, bench/commitments.sh, bench/mapping-import.sh,
# bench/scale-out.sh) and writes their output, with the machine, the load
# and the commands, between the FIGURES markers.
# Env: BIN (default build/ml-connector), SCALES (default "1 5 20"),
# COMMIT_SCALE (default 5), COMMIT_LATENCY_MS (default 25), TTL_N (100)
# and TTL_WINDOW (120) for time-to-ledger, ONLY (space-separated bench
# names to run, e.g. "intake ttl"; default all: the section is rewritten
# with those only).
set -euo pipefail
cd "$(dirname "$0")/.."
export BIN=$(readlink -f "${BIN:-build/ml-connector}")
DOC=docs/BENCHMARKS.md
SCALES=${SCALES:-1 5 20}
CS=${COMMIT_SCALE:-5}
CL=${COMMIT_LATENCY_MS:-25}
TTL_N=${TTL_N:-100}
TTL_WINDOW=${TTL_WINDOW:-120}
ONLY=${ONLY:-intake ttl scale commitments mapping scaleout}
want() { case " $ONLY " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
section() { # TITLE COMMAND...: one bench's output in a code block
  local title=$1; shift
  echo "### $title: \`$*\`"
  echo
  echo "Load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo '```'
  "$@" 2>&1 | grep -v '^machine:' || echo "(the bench failed: exit $?)"
  echo '```'
  echo
}
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.new"' EXIT
{
  echo "<!-- FIGURES BEGIN (written by bench/report.sh; do not edit by hand) -->"
  echo
  echo "Measured $(date -u +%Y-%m-%d) at commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "on $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"
  echo "$(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo) of memory."
  echo
  if want intake; then section "Webhook intake against the Node peer" bench/webhook-intake.sh; fi
  if want ttl; then section "Approval to journal entry under scheduled runs" bench/time-to-ledger.sh "$TTL_N" "$TTL_WINDOW"; fi
  if want scale; then
    echo "### Cost at scale: \`bench/scale.sh $SCALES\`"
    echo
    # shellcheck disable=SC2086
    bench/scale.sh $SCALES | grep -v '^machine:'
    echo
  fi
  if want commitments; then section "The NetSuite pool" bench/commitments.sh "$CS" "$CL"; fi
  if want mapping; then section "Mapping import" bench/mapping-import.sh; fi
  if want scaleout; then section "Processes against API limits" bench/scale-out.sh; fi
  echo "<!-- FIGURES END -->"
} >"$tmp"
awk -v f="$tmp" '
  /<!-- FIGURES BEGIN/ { while ((getline l < f) > 0) print l; skip = 1; next }
  /<!-- FIGURES END/ { skip = 0; next }
  !skip { print }' "$DOC" >"$tmp.new"
mv "$tmp.new" "$DOC"
echo "rewrote the figures in $DOC"
