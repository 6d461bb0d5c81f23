# Small assertion helpers for integration tests (sourced).
# Each check prints "ok - name" or "not ok - name" and the script exits 1 at
# the end (via finish) if anything failed.
PASS=0
FAIL=0

ok() { PASS=$((PASS + 1)); echo "ok - $1"; }
not_ok() { FAIL=$((FAIL + 1)); echo "not ok - $1"; [ -n "${2:-}" ] && printf '    %s\n' "$2"; }

# run CMD...: runs it, captures stdout in $OUT, stderr in $ERR, exit code in $RC.
run() {
  local o e
  o=$(mktemp) e=$(mktemp)
  set +e
  "$@" >"$o" 2>"$e"
  RC=$?
  set -e
  OUT=$(cat "$o") ERR=$(cat "$e")
  rm -f "$o" "$e"
}

expect_rc() { # expected name
  if [ "$RC" -eq "$1" ]; then ok "$2"; else not_ok "$2" "exit $RC, wanted $1; stderr: $ERR"; fi
}

expect_out() { # needle name
  if grep -qF -- "$1" <<<"$OUT"; then ok "$2"; else not_ok "$2" "stdout lacks '$1': $OUT"; fi
}

expect_err() { # needle name
  if grep -qF -- "$1" <<<"$ERR"; then ok "$2"; else not_ok "$2" "stderr lacks '$1': $ERR"; fi
}

finish() {
  echo "$PASS passed, $FAIL failed"
  [ "$FAIL" -eq 0 ]
}
