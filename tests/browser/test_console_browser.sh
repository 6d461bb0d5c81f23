#!/usr/bin/env bash
# Issue 23: the console in headless chromium (tests/browser/console.test.mjs)
# against serve and the sandbox.  Screenshots go to SHOTS (the build folder).
# Usage: test_console_browser.sh BINARY SHOTS_DIR
set -euo pipefail
BIN=$(readlink -f "$1")
SHOTS=$(realpath -m "$2")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../integration/lib/assert.sh"
. "$HERE/../integration/lib/world.sh"
[ -x /usr/bin/chromium ] || { echo "FAIL: /usr/bin/chromium is missing (scripts/install-deps installs it)"; exit 1; }
# playwright-core lives outside the tree (scripts/install-deps)
DEPS=${MLC_BROWSER_DEPS:-${XDG_CACHE_HOME:-$HOME/.cache}/ml-connector/browser}
[ -f "$DEPS/node_modules/playwright-core/index.mjs" ] || { echo "FAIL: playwright-core is missing from $DEPS (scripts/install-deps installs it)"; exit 1; }
export PLAYWRIGHT_CORE=$DEPS/node_modules/playwright-core/index.mjs
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
world_start
world_tenant acme
"$BIN" sync acme --flow vendors >/dev/null 2>&1
pc_admin POST /_sandbox/faults '{"faults":"pc:reject=1.0"}' >/dev/null
"$BIN" sync acme --flow purchase-orders >/dev/null 2>&1 || true
pc_admin POST /_sandbox/faults '{"faults":""}' >/dev/null
"$BIN" mapping check acme >/dev/null 2>&1 || true
ACCOUNT=$(sqlite3 "$WORK/ml-connector.db" "select account_id from account_catalog where inactive=0 and summary=0 order by account_id limit 1")
printf 'browser-admin-pw\n' | "$BIN" user add ada --role admin >/dev/null 2>&1
MLC_CONSOLE_ENABLED=true "$BIN" serve --listen "127.0.0.1:$PORT" --workers 1 >>"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
trap 'kill "$SERVE_PID" 2>/dev/null; sandbox_cleanup' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
ACCOUNT=$ACCOUNT node "$HERE/console.test.mjs" "http://127.0.0.1:$PORT" ada browser-admin-pw "$SHOTS"
