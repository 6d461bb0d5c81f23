#!/usr/bin/env bash
# The repository stands on its own: nothing it builds, tests or documents
# reads from outside the clone (the team's shared folder beside it was once
# needed by a unit test),
# every reference a comment cites exists under docs/, and no shell script
# pipes into `grep -q` (under pipefail, grep exiting early makes the writer
# die of SIGPIPE and the check fail at random).  Usage: test_repo_hygiene.sh BINARY
set -euo pipefail
. "$(dirname "$0")/lib/assert.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

FILES=$(find src tests tools scripts bench fuzz examples .ci CMakeLists.txt Makefile README.md docs/architecture.md \
  -type f \( -name '*.c' -o -name '*.h' -o -name '*.sh' -o -name '*.py' -o -name '*.md' -o -name '*.txt' \
  -o -name 'Makefile' -o -name 'run' -o -name 'install-deps' -o -name '*.yaml' -o -name '*.lua' -o -name '*.js' \) \
  -not -path 'tests/integration/test_repo_hygiene.sh' 2>/dev/null | sort)

# the pattern is assembled so that this file does not match itself
S=shared
hits=$(grep -nE "\.\./$S|$S/reference" $FILES || true)
if [ -z "$hits" ]; then ok "nothing reads or cites the folder beside the clone"; else not_ok "files reach outside the clone" "$hits"; fi

# every docs/... path a comment names exists
missing=""
for p in $(grep -ohE 'docs/[A-Za-z0-9_./-]+\.(md|json)' $FILES | sort -u); do
  [ -e "$p" ] || missing="$missing $p"
done
if [ -z "$missing" ]; then ok "every cited docs/ file exists"; else not_ok "cited docs missing" "$missing"; fi

for f in docs/reference/procore/endpoints/LICENSE docs/reference/netsuite/records.json docs/intended-shape.md; do
  if [ -s "$f" ]; then ok "$f is in the repository"; else not_ok "$f is missing"; fi
done
n=$(find docs/reference/procore/endpoints -name '*.json' | wc -l)
if [ "$n" -ge 208 ]; then ok "$n Procore endpoint schemas carried"; else not_ok "endpoint schemas" "$n < 208"; fi

# a pipe into grep's quiet mode is flaky under pipefail (grep exits early, the
# writer dies of SIGPIPE); use grep -q PATTERN <<<"$(cmd)"
pipes=$(grep -nE '\|[[:space:]]*grep[[:space:]]+-[A-Za-z]*q' $(grep -lE '^#!.*(bash|sh)' $FILES) || true)
if [ -z "$pipes" ]; then ok "no shell script pipes into grep -q"; else not_ok "pipes into grep -q" "$pipes"; fi

# `grep "$VAR"`: a value that starts with '-' (a random certificate id did) is read as an option
dash=$(grep -nE 'grep +-[A-Za-z]+ +"\$' $(grep -lE '^#!.*(bash|sh)' $FILES) || true)
if [ -z "$dash" ]; then ok "grep patterns from variables follow --"; else not_ok "grep \"\$VAR\" without --" "$dash"; fi

# the generated NetSuite field table is what its generator makes of the carried input
if command -v python3 >/dev/null; then
  gen=$(python3 tools/gen_nssim_fields.py docs/reference/netsuite/records.json | tr -d ' \t\n')
  have=$(tr -d ' \t\n' <src/sandbox/nssim_fields.c)
  if [ "$gen" = "$have" ]; then ok "nssim_fields.c is generated from docs/reference/netsuite/records.json"; else not_ok "nssim_fields.c differs from its generator's output"; fi
fi
finish
