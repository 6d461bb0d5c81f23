#!/usr/bin/env bash
# Issue 20, "a quiet rerun that writes nothing to the store either": every
# flow runs until it has settled (its own writes come back once), then
# again with nothing changed on either side, by watermark and with --full
# (every record read again).  Store writes are counted by row triggers on
# every table (SQLite triggers, or a plpgsql trigger function on
# PostgreSQL).  What a quiet run may write is its bookkeeping: its row in
# runs (one insert, one update) and, for a record still parked for review,
# one audit row (action park) and the refresh of its open review item
# (updated_at, which the review list sorts by).  Nothing else, in any
# table.
# Usage: test_quiet_rerun.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
world_start
world_tenant acme
world_costs_mappings acme
DB=$WORK/ml-connector.db
sql() { store_sql "$DB" "$1"; }
pg() { case "${MLC_STORE:-}" in postgres://* | postgresql://*) return 0 ;; *) return 1 ;; esac; }
"$BIN" tenant set acme --setting vendors_back.enabled=true >/dev/null
"$BIN" tenant set acme --setting budgets.year='"FY 2026"' >/dev/null
FLOWS="vendors vendors-back cost-codes accounts purchase-orders requisitions budgets costs"

# settle: the first pass writes, the second sees its own writes come back
for pass in 1 2; do
  for f in $FLOWS; do "$BIN" sync acme --flow "$f" >/dev/null 2>&1 || true; done
done

# a row trigger on every table of the store counts its writes
if pg; then
  tables=$(sql "select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'")
  ddl='create table perf_writes (tbl text, op text);
create function perf_count() returns trigger language plpgsql as $f$
begin insert into perf_writes values (TG_TABLE_NAME, lower(TG_OP)); return null; end $f$;'
  for t in $tables; do
    ddl+="create trigger perf_$t after insert or update or delete on $t for each row execute function perf_count();"
  done
else
  tables=$(sql "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
  ddl='create table perf_writes (tbl text, op text);'
  for t in $tables; do
    for op in insert update delete; do
      ddl+="create trigger perf_${t}_$op after $op on $t begin insert into perf_writes values ('$t', '$op'); end;"
    done
  done
fi
sql "$ddl"
ntables=$(wc -w <<<"$tables")
[ "$ntables" -ge 15 ] && ok "writes counted on every table ($ntables)" || not_ok "tables" "only $ntables: $tables"

writes() { sql "select tbl || ':' || op || '=' || count(*) from perf_writes where $1 group by tbl, op order by tbl, op" | tr '\n' ' '; }

# quiet FLOW LABEL [--full]: one run with nothing changed, then its writes checked
quiet() {
  local f=$1 label=$2 read_n run_id parks
  shift 2
  sql "delete from perf_writes"
  run "$BIN" sync acme --flow "$f" --json "$@"
  expect_rc 0 "$f $label: runs"
  read_n=$(jq '.stats.read // 0' <<<"$OUT")
  [ "$read_n" -gt 0 ] && ok "$f $label: read $read_n records" || not_ok "$f $label: read" "$OUT"
  expect_eq "$(writes "tbl not in ('runs', 'audit', 'review')")" "" "$f $label: no store write besides bookkeeping"
  expect_eq "$(writes "tbl = 'runs'")" "runs:insert=1 runs:update=1 " "$f $label: its own run row"
  run_id=$(sql "select max(id) from runs")
  parks=$(sql "select count(*) from audit where run_id = $run_id")
  expect_eq "$(sql "select count(*) from audit where run_id = $run_id and action <> 'park'")" 0 \
    "$f $label: its audit rows are parked records only ($parks)"
  expect_eq "$(sql "select count(*) from perf_writes where tbl = 'audit'")" "$parks" "$f $label: no other audit write"
  expect_eq "$(sql "select count(*) from perf_writes where tbl = 'review' and op <> 'update'")" 0 \
    "$f $label: review items refreshed, none added or removed"
  expect_le "$(sql "select count(*) from perf_writes where tbl = 'review'")" "$parks" \
    "$f $label: one review refresh per parked record at most"
}

for f in $FLOWS; do
  quiet "$f" "quiet rerun"
  quiet "$f" "quiet rerun --full" --full
done

# sub-invoices runs only when Procore is the master of requisitions
"$BIN" tenant set acme --setting master.requisitions='"procore"' >/dev/null
for pass in 1 2; do "$BIN" sync acme --flow sub-invoices >/dev/null 2>&1 || true; done
quiet sub-invoices "quiet rerun"
quiet sub-invoices "quiet rerun --full" --full

# the triggers do see a write: a stale catalog entry is written again
acct=$(sql "select min(account_id) from account_catalog")
sql "update account_catalog set name = 'stale' where account_id = $acct"
sql "delete from perf_writes"
run "$BIN" sync acme --flow accounts --json
expect_rc 0 "accounts after a stale catalog entry"
expect_eq "$(writes "tbl = 'account_catalog'")" "account_catalog:update=1 " "the changed account is written again, only it"
finish
