# Shared by the tests/integration/test_*.sh scripts that drive
# `ml-connector sandbox` (source it; not a test itself).  Expects BIN set.
# Gives DIR (a temporary directory removed on exit), fail, start ARGS...
# (waits for "ready" and DIR/data/credentials.json) and stop (SIGTERM,
# exit status 0 required).  SANDBOX_SEED picks --seed (default 1).
# SANDBOX_BIN is the simulator program: $MLC_SANDBOX_BIN, else mlc-sandbox
# next to BIN (the build directory).

SANDBOX_BIN=${MLC_SANDBOX_BIN:-$(dirname "$BIN")/mlc-sandbox}
DIR=$(mktemp -d)
PID=
sandbox_cleanup() {
	if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
	rm -rf "$DIR"
}
trap sandbox_cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- stdout"; cat "$DIR/out" 2>/dev/null; echo "--- stderr"; tail -20 "$DIR/err" 2>/dev/null; exit 1; }

start() {
	rm -f "$DIR/data/credentials.json"
	"$SANDBOX_BIN" --netsuite 127.0.0.1:0 --procore 127.0.0.1:0 --data "$DIR/data" --seed "${SANDBOX_SEED:-1}" "$@" \
		>"$DIR/out" 2>"$DIR/err" &
	PID=$!
	for _ in $(seq 1 200); do
		[ -s "$DIR/data/credentials.json" ] && grep -q '^ready' "$DIR/out" && return 0
		kill -0 "$PID" 2>/dev/null || fail "sandbox exited early"
		sleep 0.1
	done
	fail "sandbox not ready"
}

stop() {
	kill -TERM "$PID"
	wait "$PID" || fail "sandbox did not exit 0 on SIGTERM"
	PID=
}
