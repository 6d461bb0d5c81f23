#!/usr/bin/env bash
# Issue 22: `ml-connector store migrate --from sqlite:FILE --to postgres://...`
# moves an installation.  A tenant is set up and synced on SQLite, copied
# into a new PostgreSQL database (the one MLC_STORE names when the pg
# fixture runs this, else one in a throwaway cluster of its own); every
# table's row count is the same on both sides, a second copy is refused
# (the target is not empty), and a sync run on PostgreSQL afterwards works
# with the copied secrets and ids and finds nothing to write again.
# Usage: test_store_migrate.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
case "${MLC_STORE:-}" in
  postgres://* | postgresql://*) ;;
  *) exec bash "$HERE/lib/pg.sh" run store_migrate bash "$0" "$BIN" ;;
esac
PG=$MLC_STORE
unset MLC_STORE # the installation starts on SQLite
. "$HERE/lib/assert.sh"
. "$HERE/lib/world.sh"
world_start
world_tenant acme
DB="$WORK/ml-connector.db"

run "$BIN" sync acme --flow vendors --json
expect_rc 0 "vendors sync on SQLite"
expect_le 1 "$(jq '.stats.created + .stats.updated' <<<"$OUT")" "the first vendors sync wrote vendors"
run "$BIN" sync acme --flow purchase-orders --json
expect_rc 0 "purchase-orders sync on SQLite"

tables=$(sqlite3 "$DB" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_version' ORDER BY name")
declare -A before
total=0
for t in $tables; do
  before[$t]=$(sqlite3 "$DB" "SELECT count(*) FROM \"$t\"")
  total=$((total + before[$t]))
done
expect_le 1 "${before[id_map]}" "SQLite has id_map rows to move"
expect_le 1 "${before[secrets]}" "SQLite has secrets to move"

run "$BIN" store migrate --from "sqlite:$DB" --to "$PG" --json
expect_rc 0 "store migrate"
expect_eq "$(jq .rows <<<"$OUT")" "$total" "the report counts every row"
for t in $tables; do
  expect_eq "$(psql -X -At "$PG" -c "SELECT count(*) FROM \"$t\"")" "${before[$t]}" "table $t: same row count"
done
# secrets stay sealed as stored: the same bytes on both sides
# (compared as digests, so that a failure prints no ciphertext)
expect_eq "$(psql -X -At "$PG" -c "SELECT string_agg(name || ':' || encode(nonce, 'hex') || encode(ciphertext, 'hex'), ',' ORDER BY tenant_id, name) FROM secrets" | sha256sum)" \
  "$(sqlite3 "$DB" "SELECT group_concat(name || ':' || lower(hex(nonce)) || lower(hex(ciphertext)), ',') FROM (SELECT * FROM secrets ORDER BY tenant_id, name)" | sha256sum)" \
  "secrets copied as sealed bytes (nonce and ciphertext), byte for byte"
expect_eq "$(psql -X -At "$PG" -c "SELECT id FROM tenants WHERE name = 'acme'")" \
  "$(sqlite3 "$DB" "SELECT id FROM tenants WHERE name = 'acme'")" "ids kept"

run "$BIN" store migrate --from "sqlite:$DB" --to "$PG"
expect_rc 1 "a second copy into the same database is refused"
expect_err "not empty" "the refusal says why"

# the installation now runs on PostgreSQL
export MLC_STORE=$PG
run "$BIN" tenant list
expect_out "acme" "the tenant is there on PostgreSQL"
run "$BIN" sync acme --flow vendors --json
expect_rc 0 "vendors sync on PostgreSQL after the move"
expect_eq "$(jq '.stats.created + .stats.updated' <<<"$OUT")" "0" "nothing to write again: the copied id_map holds"
# a new id continues after the copied ones
runs_sqlite=$(sqlite3 "$DB" "SELECT max(id) FROM runs")
expect_le "$((runs_sqlite + 1))" "$(psql -X -At "$PG" -c "SELECT max(id) FROM runs")" "new run ids follow the copied ones"
finish
