#!/usr/bin/env bash
# Issue 20, "cost that grows with the work": a quiet rerun of the vendor
# flows (nothing changed on either side) reads every pair and settles it
# without a write to NetSuite, Procore or the store.  Store writes are
# counted by triggers on id_map and md_base (the tables the unchanged-pair
# path used to write for every pair on every run).
# Usage: test_vendors_back_quiet.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
world_start
world_tenant acme
DB=$WORK/ml-connector.db
sql() { sqlite3 "$DB" "$1"; }
ns_writes() { ns_calls '^(PUT|PATCH|POST|DELETE) /services/rest/record'; }
pc_writes() { pc_calls '^(PATCH|POST|PUT|DELETE) /rest'; }

"$BIN" tenant set acme --setting vendors_back.enabled=true >/dev/null
run "$BIN" sync acme --flow vendors --json
expect_rc 0 "forward load"
run "$BIN" sync acme --flow vendors-back --full --json
expect_rc 0 "vendors-back load"
# settle the echoes of the first runs (our own writes come back once)
"$BIN" sync acme --flow vendors-back --full >/dev/null 2>&1
pairs=$(sql "select count(*) from id_map where entity = 'vendor' and netsuite_key is not null and procore_key is not null")
[ "$pairs" -gt 10 ] && ok "vendors linked ($pairs pairs)" || not_ok "vendors linked" "only $pairs pairs"

sql "create table perf_writes(tbl text);
create trigger perf_w1 after insert on id_map begin insert into perf_writes values ('id_map'); end;
create trigger perf_w2 after update on id_map begin insert into perf_writes values ('id_map'); end;
create trigger perf_w3 after insert on md_base begin insert into perf_writes values ('md_base'); end;
create trigger perf_w4 after update on md_base begin insert into perf_writes values ('md_base'); end;"
reset_stats
run "$BIN" sync acme --flow vendors-back --full --json
expect_rc 0 "quiet rerun"
read_n=$(jq .stats.read <<<"$OUT")
[ "$read_n" -ge "$pairs" ] && ok "the quiet rerun read every vendor ($read_n)" || not_ok "quiet rerun read" "read $read_n of $pairs"
expect_eq "$(sql 'select count(*) from perf_writes')" 0 "quiet rerun: no id_map or md_base write"
expect_eq "$(ns_writes)" 0 "quiet rerun: no NetSuite write"
expect_eq "$(pc_writes)" 0 "quiet rerun: no Procore write"
# the triggers do see the writes a changed pair makes
vid=$(sql "select procore_key from id_map where entity = 'vendor' and procore_key is not null limit 1")
sql "update md_base set base = '{}' where type = 'vendors' and key = (select netsuite_key from id_map where entity = 'vendor' and procore_key = '$vid')"
sql "delete from perf_writes"
run "$BIN" sync acme --flow vendors-back --full --json
expect_rc 0 "rerun after a base change"
[ "$(sql 'select count(*) from perf_writes')" -ge 1 ] && ok "a changed base is written again" || not_ok "changed base" "no write counted"
finish
