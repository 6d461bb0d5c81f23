#!/usr/bin/env bash
# make demo-stop: stops what `make demo` left running.
cd "$(dirname "$0")/.."
D=$PWD/.demo
for p in serve sandbox; do
  if [ -f "$D/$p.pid" ]; then
    pid=$(cat "$D/$p.pid")
    if kill -TERM "$pid" 2>/dev/null; then
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      echo "stopped $p ($pid)"
    fi
    rm -f "$D/$p.pid"
  fi
done
