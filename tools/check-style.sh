#!/usr/bin/env bash
# The style checks CI runs (issue #17, "Style in CI"; the rules are STYLE's).
#  1. format:  clang-format --dry-run --Werror over every C file (.clang-format at the root declares the
#              jansson foreach macros, so their bodies are formatted as loops).
#  2. The rules the formatter cannot see:
#     assign:  no assignment inside an `if` / `else if` condition (`rc = f(); if (rc < 0)`, not
#              `if ((rc = f()) < 0)`); strings, character literals and comments are ignored;
#     shadow:  no file-local function named after a function the C library exports (a
#              `static int send(...)` shadows send(2));
#     net:     every global symbol libmlc_net.a defines carries one of the net room's prefixes, and what
#              its files share only among themselves (src/net/*_int.h) carries `http_int_`.
# Every finding is one line `style: RULE: WHERE: WHAT` on stderr; the verdict is `style: ok` on stdout,
# or exit 1 after all rules ran.
# Usage: tools/check-style.sh [BUILD_DIR]   (BUILD_DIR holds libmlc_net.a; default ./build)
# The tree checked is the one this script sits in (git ls-files, or find outside a git checkout).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$root/build}")
cd "$root"
fail=0

if git rev-parse --is-inside-work-tree >/dev/null 2>&1 &&
	[ "$(git rev-parse --show-toplevel)" = "$root" ]; then
	mapfile -t files < <(git ls-files -- 'src/*.[ch]' 'tests/*.[ch]' 'fuzz/*.[ch]' 'bench/*.[ch]')
else
	mapfile -t files < <(find src tests fuzz bench -name '*.[ch]' 2>/dev/null | sort)
fi
[ ${#files[@]} -gt 0 ] || { echo "style: no C files found under $root" >&2; exit 1; }

# --- 1. format
if ! command -v clang-format >/dev/null; then
	echo "style: format: clang-format is not installed (scripts/install-deps installs it)" >&2
	fail=1
elif ! out=$(clang-format --dry-run --Werror "${files[@]}" 2>&1); then
	# One line per differing file; the first diagnostics show where.
	grep -oE '^[^ :]+\.[ch]:[0-9]+' <<<"$out" | sort -t: -k1,1 -u |
		sed -E 's/^(.*)$/style: format: \1: differs from .clang-format (clang-format -i FILE)/' >&2
	fail=1
fi

# --- 2a/2b. assign and shadow (python: the condition is read with balanced parentheses)
libc_names=$(mktemp)
trap 'rm -f "$libc_names"' EXIT
for so in libc.so.6 libm.so.6; do
	path=$(${CC:-cc} -print-file-name="$so" 2>/dev/null || true)
	[ -f "$path" ] || continue
	nm -D --defined-only "$path" | awk 'NF == 3 && $2 ~ /^[TWi]$/ { sub(/@.*/, "", $3); print $3 }'
done | sort -u >"$libc_names"
if [ ! -s "$libc_names" ]; then
	echo "style: shadow: the C library's symbol list could not be read (nm -D libc.so.6)" >&2
	fail=1
fi
python3 - "$libc_names" "${files[@]}" <<'EOF' || fail=1
import re, sys

libc = set(open(sys.argv[1]).read().split())
bad = 0

def blank(s):
    """s with comments, string and character literals replaced by spaces (newlines kept)."""
    out = []
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if s.startswith('/*', i):
            j = s.find('*/', i + 2)
            j = n if j < 0 else j + 2
        elif s.startswith('//', i):
            j = s.find('\n', i)
            j = n if j < 0 else j
        elif c in '"\'':
            j = i + 1
            while j < n and s[j] != c and s[j] != '\n':
                j += 2 if s[j] == '\\' else 1
            j = min(j + 1, n)
        else:
            out.append(c)
            i += 1
            continue
        out.append(re.sub(r'[^\n]', ' ', s[i:j]))
        i = j
    return ''.join(out)

def close_paren(s, i):
    depth = 0
    for j in range(i, len(s)):
        if s[j] == '(':
            depth += 1
        elif s[j] == ')':
            depth -= 1
            if depth == 0:
                return j
    return -1

# = and the compound assignments, but not == != <= >= (longest operators first).
OPS = re.compile(r'<<=|>>=|==|!=|<=|>=|[-+*/%&|^]=|=')
IF = re.compile(r'(?<![\w#])if\s*\(')
STATIC_FN = re.compile(r'^static\b[^;=(]*?\b([A-Za-z_]\w*)\s*\(', re.M)

for f in sys.argv[2:]:
    s = blank(open(f, encoding='utf-8', errors='replace').read())
    for m in IF.finditer(s):
        line_start = s.rfind('\n', 0, m.start()) + 1
        if s[line_start:m.start()].lstrip().startswith('#'):
            continue
        o = m.end() - 1
        c = close_paren(s, o)
        if c < 0:
            continue
        ops = [op for op in OPS.findall(s[o + 1:c]) if op not in ('==', '!=', '<=', '>=')]
        if ops:
            bad += 1
            ln = s.count('\n', 0, m.start()) + 1
            print(f"style: assign: {f}:{ln}: assignment ({ops[0]}) inside an if condition "
                  "(assign above the if)", file=sys.stderr)
    for m in STATIC_FN.finditer(s):
        if m.group(1) in libc:
            bad += 1
            ln = s.count('\n', 0, m.start()) + 1
            print(f"style: shadow: {f}:{ln}: file-local {m.group(1)}() shadows the C library's",
                  file=sys.stderr)
sys.exit(1 if bad else 0)
EOF

# --- 2c. net
lib="$build/libmlc_net.a"
if [ ! -f "$lib" ]; then
	echo "style: net: $lib not found (build first; pass the build folder)" >&2
	fail=1
else
	prefixes='^(http_|cidr_|xff_|url_|metrics_|ip_parse$|listen_parse$|retry_|rate_reset_ms$|server_now_ms$|router_)'
	while read -r sym; do
		echo "style: net: $lib: global $sym has none of the net room's prefixes" >&2
		fail=1
	done < <(nm -g --defined-only "$lib" | awk 'NF == 3 && $2 ~ /^[TDBRCVW]$/ { print $3 }' |
		grep -vE -- "$prefixes" || true)
	while IFS=: read -r file line sym; do
		echo "style: net: $file:$line: $sym is internal to net and lacks the http_int_ prefix" >&2
		fail=1
	done < <(grep -HnE '^[A-Za-z_][A-Za-z0-9_ ]*[ *]+[a-z_][a-z0-9_]*\(' src/net/*_int.h |
		sed -E 's/^([^:]+):([0-9]+):[^(]*[ *]([a-z_][a-z0-9_]*)\(.*/\1:\2:\3/' |
		grep -v -- ':http_int_' || true)
fi

if [ "$fail" = 0 ]; then
	echo "style: ok (${#files[@]} files)"
fi
exit "$fail"
