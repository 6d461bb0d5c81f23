#!/usr/bin/env bash
# The flows' shape, checked on the sources (issue #17, docs/intended-shape.md):
#  1. no function in src/flows is longer than MAX_LINES (80) lines, counted
#     from the line at column 0 that starts its definition to its closing
#     '}' at column 0, both included;
#  2. no REST path ("/rest/, /projects/, /companies/, /vendors, "/services/)
#     and no SuiteQL text ("SELECT ", " FROM ") in src/ outside the adapters
#     (src/netsuite, src/procore), the simulator (src/sandbox, src/sim) and
#     src/core (where the store's SQL lives).
# Comments are left out of both checks, #include lines out of the second.
# Usage: tools/check-flows.sh [ROOT]  (ROOT: the tree to check, default the
# repository).  Prints one line per violation; exits 1 if there is any.
set -euo pipefail
ROOT=${1:-$(cd "$(dirname "$0")/.." && pwd)}
MAX_LINES=${MAX_LINES:-80}
cd "$ROOT"

# Prints FILE:LINE:CODE for every line of the files given, with comments
# blanked out (strings and character literals kept as they are).
strip_comments() {
  awk '
  FNR == 1 { incom = 0 }
  {
    out = ""; n = length($0); i = 1; q = ""
    while (i <= n) {
      c = substr($0, i, 1); d = substr($0, i, 2)
      if (incom) {
        if (d == "*/") { incom = 0; out = out "  "; i += 2 } else { out = out " "; i++ }
        continue
      }
      if (q != "") {
        out = out c
        if (c == "\\") { out = out substr($0, i + 1, 1); i += 2; continue }
        if (c == q) q = ""
        i++
        continue
      }
      if (d == "/*") { incom = 1; out = out "  "; i += 2; continue }
      if (d == "//") break
      if (c == "\"" || c == "\047") q = c
      out = out c; i++
    }
    print FILENAME ":" FNR ":" out
  }' "$@"
}

# Function lengths: a definition starts at a column-0 line with a '(' that is
# not a declaration (no trailing ';'); its body opens with '{' at column 0
# (or at the end of that line) and ends at the next '}' at column 0.
long_functions() {
  strip_comments "$@" | awk -v max="$MAX_LINES" '
  {
    f = $0; sub(/:.*/, "", f)
    rest = substr($0, length(f) + 2); ln = rest; sub(/:.*/, "", ln)
    line = substr(rest, length(ln) + 2)
    if (f != file) { file = f; cand = 0; infn = 0 }
    if (infn) {
      if (line ~ /^}/) {
        len = ln - start + 1
        if (len > max) printf "%s:%d: %s is %d lines (max %d)\n", f, start, name, len, max
        infn = 0; cand = 0
      }
      next
    }
    if (line ~ /^[ \t]*$/ || line ~ /^#/ || line ~ /^}/ || line ~ /;[ \t]*$/) { cand = 0; next }
    if (line ~ /^[A-Za-z_]/ && line ~ /\(/) {
      cand = ln; name = line; sub(/\(.*/, "", name); sub(/.*[ *]/, "", name)
    }
    if (cand && (line ~ /^{/ || line ~ /\)[ \t]*{[ \t]*$/)) { start = cand; infn = 1 }
  }'
}

# REST paths and SuiteQL text outside the adapters.  One file speaks another
# language that shares a word: the Redis token store sends Redis's
# "SELECT <db>" command (src/auth/token_redis.c), which is not SuiteQL.
# One path belongs to the auth providers' own protocol, not to NetSuite's
# record or query services: NetSuite's OAuth 2.0 token endpoint, which
# src/auth/oauth.c (below netsuite/ in the layer chain, tools/check-layers.sh)
# defines as NS_TOKEN_PATH.  Only that define in that file is let through.
leaks() {
  strip_comments "$@" | awk '
  {
    f = $0; sub(/:.*/, "", f)
    rest = substr($0, length(f) + 2); ln = rest; sub(/:.*/, "", ln)
    line = substr(rest, length(ln) + 2)
    if (line ~ /^[ \t]*#[ \t]*include/) next
    n = split("\"/rest/|/projects/|/companies/|/vendors|\"/services/|SELECT | FROM ", pats, "|")
    for (k = 1; k <= n; k++)
      if (index(line, pats[k])) {
        if (f == "src/auth/token_redis.c" && pats[k] == "SELECT " && line !~ / FROM /) continue
        if (f == "src/auth/oauth.c" && pats[k] == "\"/services/" &&
            line ~ /^[ \t]*#[ \t]*define[ \t]+NS_TOKEN_PATH[ \t]+"\/services\/rest\/auth\/oauth2\/v1\/token"[ \t]*$/) continue
        sub(/^[ \t]+/, "", line); printf "%s:%s: [%s] outside the adapters: %s\n", f, ln, pats[k], line
        break
      }
  }'
}

flows=$(find src/flows -name '*.c' | sort)
others=$(find src -type f \( -name '*.c' -o -name '*.h' \) \
  -not -path 'src/netsuite/*' -not -path 'src/procore/*' -not -path 'src/sandbox/*' \
  -not -path 'src/sim/*' -not -path 'src/core/*' | sort)

report=""
[ -z "$flows" ] || report+=$(long_functions $flows)
[ -z "$others" ] || report+=$'\n'$(leaks $others)
report=$(sed '/^$/d' <<<"$report")
if [ -n "$report" ]; then
  printf '%s\n' "$report"
  echo "check-flows: $(wc -l <<<"$report") violation(s)" >&2
  exit 1
fi
echo "check-flows: ok ($(wc -w <<<"$flows") flow files, $(wc -w <<<"$others") files outside the adapters)"
