#!/usr/bin/env bash
# make demo-stop: stops what `make demo` left running.
cd "$(dirname "$0")/.."
D=$PWD/.demo
for p in serve sandbox; do
  if [ -f "$D/$p.pid" ]; then
    pid=$(cat "$D/$p.pid")
    if kill -TERM "$pid" 2>/dev/null; then
      # serve finishes its running jobs first; a job still retrying after 15 s is cut short
      for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
        echo "stopped $p ($pid) with SIGKILL after 15 s"
      else
        echo "stopped $p ($pid)"
      fi
    fi
    rm -f "$D/$p.pid"
  fi
done
