#!/usr/bin/env bash
# Throwaway PostgreSQL (and Redis) for the tests: a cluster made by initdb
# in a temporary folder, listening only on a Unix socket in that folder,
# with a free port number (the socket's name), trust authentication for
# the cluster's owner, stopped and removed at the end.  Run as root (CI),
# the cluster belongs to the `postgres` system user, since PostgreSQL
# refuses to run as root; otherwise to the current user.
#
#   pg.sh start DIR      make and start a cluster in DIR (created; must not
#                        exist), print its base URL; DIR/url holds it
#   pg.sh stop DIR       stop the cluster in DIR and remove DIR
#   pg.sh run NAME CMD.. run CMD with MLC_STORE set to a new, empty database
#                        named after NAME: in the cluster of $MLC_PG_DIR
#                        when it runs (the ctest fixture), else in a cluster
#                        of its own that is stopped when CMD ends
#   pg.sh redis-start DIR / redis-stop DIR
#                        redis-server on a free loopback port, persistence
#                        off; DIR/redis_url holds redis://127.0.0.1:PORT
set -euo pipefail

pg_bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && echo "$d"
  done | sort -V | tail -1
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

as_owner() { # run as the cluster's owner
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

owner_name() {
  if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi
}

pg_start() {
  local dir=$1 bin port user
  bin=$(pg_bindir)
  [ -n "$bin" ] || { echo "pg.sh: no initdb under /usr/lib/postgresql/*/bin (scripts/install-deps)" >&2; return 1; }
  mkdir -p "$dir"
  port=$(free_port)
  user=$(owner_name)
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
  as_owner "$bin/initdb" -D "$dir/data" -A trust -U "$user" -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; return 1; }
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -p $port -c fsync=off -c max_connections=200" \
    start >/dev/null || { cat "$dir/server.log" >&2; return 1; }
  echo "postgres:///postgres?host=$dir&port=$port&user=$user" >"$dir/url"
  echo "$bin" >"$dir/bindir"
  cat "$dir/url"
}

pg_stop() {
  local dir=$1
  if [ -f "$dir/bindir" ] && [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$(cat "$dir/bindir")/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

pg_running() {
  local dir=$1
  [ -n "$dir" ] && [ -f "$dir/url" ] && [ -f "$dir/data/postmaster.pid" ] &&
    as_owner "$(cat "$dir/bindir")/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

# The SQLite functions the tests' own inspection SQL uses (json_extract,
# json_remove, group_concat), in a schema of their own that only the
# tests' psql puts on its search_path (lib/store.sh): the connector's
# connections never see them, so its SQL cannot come to depend on them.
SQLITE_COMPAT="
CREATE SCHEMA sqlite_compat;
CREATE FUNCTION sqlite_compat.json_extract(j text, p text) RETURNS text LANGUAGE sql IMMUTABLE
  AS \$\$ SELECT j::jsonb #>> string_to_array(substr(p, 3), '.') \$\$;
CREATE FUNCTION sqlite_compat.json_remove(j text, p text) RETURNS text LANGUAGE sql IMMUTABLE
  AS \$\$ SELECT (j::jsonb #- string_to_array(substr(p, 3), '.'))::text \$\$;
CREATE FUNCTION sqlite_compat.gc_step(a text, v text) RETURNS text LANGUAGE sql IMMUTABLE
  AS \$\$ SELECT CASE WHEN v IS NULL THEN a WHEN a IS NULL THEN v ELSE a || ',' || v END \$\$;
CREATE AGGREGATE sqlite_compat.group_concat(text) (SFUNC = sqlite_compat.gc_step, STYPE = text);
"

# pg_createdb BASE_URL NAME: prints the URL of a new database NAME.
pg_createdb() {
  local base=$1 name=$2 url
  psql -X -q -v ON_ERROR_STOP=1 "$base" -c "CREATE DATABASE \"$name\"" >/dev/null
  url=${base/\/\/\/postgres?/\/\/\/$name?}
  psql -X -q -v ON_ERROR_STOP=1 "$url" -c "$SQLITE_COMPAT" >/dev/null
  echo "$url"
}

pg_run() {
  local name=$1 own='' dir rc=0 db
  shift
  dir=${MLC_PG_DIR:-}
  if ! pg_running "$dir"; then
    own=$(mktemp -d)
    rmdir "$own"
    dir=$own
    pg_start "$dir" >/dev/null
    trap 'pg_stop "'"$own"'"' EXIT
  fi
  db=$(echo "t_${name}_$$_${RANDOM}" | tr -c 'a-zA-Z0-9_\n' '_' | tr 'A-Z' 'a-z')
  MLC_STORE=$(pg_createdb "$(cat "$dir/url")" "$db")
  export MLC_STORE
  "$@" || rc=$?
  psql -X -q "$(cat "$dir/url")" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  return $rc
}

redis_start() {
  local dir=$1 port
  mkdir -p "$dir"
  port=$(free_port)
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null
  for _ in $(seq 1 100); do
    grep -q PONG <<<"$(redis-cli -p "$port" ping 2>/dev/null || true)" && break
    sleep 0.05
  done
  echo "redis://127.0.0.1:$port" >"$dir/redis_url"
  cat "$dir/redis_url"
}

redis_stop() {
  local dir=$1
  if [ -f "$dir/redis.pid" ]; then kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; fi
  rm -f "$dir/redis.pid" "$dir/redis_url" "$dir/redis.log"
}

case "${1:-}" in
  start) pg_start "$2" ;;
  stop) pg_stop "$2" ;;
  run) shift; pg_run "$@" ;;
  redis-start) redis_start "$2" ;;
  redis-stop) redis_stop "$2" ;;
  *) echo "usage: pg.sh start DIR | stop DIR | run NAME CMD... | redis-start DIR | redis-stop DIR" >&2; exit 2 ;;
esac
