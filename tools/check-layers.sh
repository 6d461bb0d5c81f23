#!/usr/bin/env bash
# The folder chain as a build fact (issue 17, "Layers as a build fact"):
#
#   util <- net <- core <- auth <- {netsuite, procore} <- flows <- server <- cli
#
# A folder may use itself and the folders below it; netsuite and procore
# never use each other.  Two checks:
#   include  every #include "folder/..." in src/<folder>/*.[ch] names an
#            allowed folder;
#   call     every symbol a folder's library (libmlc_<folder>.a, one per
#            folder, see CMakeLists.txt) leaves undefined and another
#            folder's library defines comes from an allowed folder (nm).
#   sql      store SQL only in core: no library above core calls
#            store_exec, store_prepare(_cached) or stmt_* (core/store.h).
# The simulator (src/sandbox) sits outside the chain: only cli may use it
# (the `sandbox` command launches it); its own files are not checked here.
#
# Usage: tools/check-layers.sh SRC_DIR LIB_DIR
#   SRC_DIR  the src/ folder;  LIB_DIR  where libmlc_<folder>.a are built.
# Prints one line per violation; exit 0 clean, 1 violations, 2 usage.
set -euo pipefail

if [ $# -ne 2 ] || [ ! -d "$1" ] || [ ! -d "$2" ]; then
	echo "usage: $0 SRC_DIR LIB_DIR" >&2
	exit 2
fi
SRC=$1
LIB=$2

LAYERS=(util net core auth netsuite procore flows server cli)
declare -A ALLOWED=(
	[util]="util"
	[net]="net util"
	[core]="core net util"
	[auth]="auth core net util"
	[netsuite]="netsuite auth core net util"
	[procore]="procore auth core net util"
	[flows]="flows netsuite procore auth core net util"
	[server]="server flows netsuite procore auth core net util"
	[cli]="cli server flows netsuite procore auth core net util sandbox"
)
KNOWN=" ${LAYERS[*]} sandbox "

allowed() { # FROM TO
	[[ " ${ALLOWED[$1]} " == *" $2 "* ]]
}

bad=0

# --- includes
for layer in "${LAYERS[@]}"; do
	[ -d "$SRC/$layer" ] || { echo "missing folder: $SRC/$layer"; bad=1; continue; }
	while IFS= read -r hit; do
		[ -n "$hit" ] || continue
		file=${hit%%:*}
		rest=${hit#*:}
		line=${rest%%:*}
		to=$(sed -E 's/^[^"]*"([a-z_]+)\/.*/\1/' <<<"${rest#*:}")
		[[ "$KNOWN" == *" $to "* ]] || continue
		if ! allowed "$layer" "$to"; then
			echo "include: ${file#"$SRC"/}:$line uses $to/ ($layer may use: ${ALLOWED[$layer]})"
			bad=1
		fi
	done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[a-z_]+/' \
		"$SRC/$layer"/*.[ch] /dev/null || true)
done

# --- calls: which library defines each global symbol
declare -A DEF
for layer in "${LAYERS[@]}" sandbox; do
	a=$LIB/libmlc_$layer.a
	if [ ! -f "$a" ]; then
		[ "$layer" = sandbox ] && continue
		echo "missing library: $a"
		bad=1
		continue
	fi
	while read -r sym; do
		DEF[$sym]=$layer
	done < <(nm -g --defined-only "$a" 2>/dev/null | awk 'NF == 3 { print $3 }')
done
for layer in "${LAYERS[@]}"; do
	a=$LIB/libmlc_$layer.a
	[ -f "$a" ] || continue
	while read -r member sym; do
		to=${DEF[$sym]:-}
		[ -n "$to" ] && [ "$to" != "$layer" ] || continue
		if ! allowed "$layer" "$to"; then
			echo "call: ${member} ($layer) calls $sym, defined in $to ($layer may use: ${ALLOWED[$layer]})"
			bad=1
		fi
	done < <(nm -A -u "$a" 2>/dev/null | awk '{ n = split($1, p, ":"); print p[n - 1], $NF }')
done

# --- store SQL only in core
for layer in auth netsuite procore flows server cli; do
	a=$LIB/libmlc_$layer.a
	[ -f "$a" ] || continue
	while read -r member sym; do
		echo "sql: ${member} ($layer) calls $sym: store SQL belongs in core/"
		bad=1
	done < <(nm -A -u "$a" 2>/dev/null | awk '{ n = split($1, p, ":"); print p[n - 1], $NF }' |
		grep -E ' (store_exec|store_prepare|store_prepare_cached|stmt_[a-z0-9_]+)$' || true)
done

if [ "$bad" = 0 ]; then
	echo "layers: ok (${LAYERS[*]}; includes, calls, store SQL)"
fi
exit "$bad"
