#!/usr/bin/env bash
# secret set/list/remove and keys rotate through the real binary: values
# never on argv or stdout, never in the database file or the logs in
# plaintext; a wrong, missing or open master key stops with a clear
# message; rotation keeps every secret readable.
set -euo pipefail
BIN=$(realpath "$1")
WORK=$(mktemp -d /tmp/mlc-secret-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
LOG="$WORK/run.log"
fail() { echo "FAIL: $*" >&2; exit 1; }
run() { "$BIN" "$@" 2>>"$LOG"; }

"$BIN" init --dir d >/dev/null
cd d
# issue 21 item 16: the database is private from the start
[ "$(stat -c %a ml-connector.db)" = 600 ] || fail "init made the database $(stat -c %a ml-connector.db), wanted 600"
run tenant add acme --procore-company 42 --netsuite-account 1234567_SB1 >/dev/null

CID="pc-client-$RANDOM$RANDOM-id"
CSEC="pc-secret-$RANDOM$RANDOM-$RANDOM$RANDOM"
NSID="ns-client-$RANDOM$RANDOM-abcdef"
printf '%s\n' "$CID" | run secret set acme procore.client_id >>"$LOG"
printf '%s' "$CSEC" | run secret set acme procore.client_secret >>"$LOG"
echo "$NSID" >nsid.txt
run secret set acme netsuite.client_id --from-file nsid.txt >>"$LOG"
rm nsid.txt
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.pem 2>/dev/null
run secret set acme netsuite.private_key --from-file ec.pem >>"$LOG"
KEYLINE=$(sed -n 2p ec.pem)

# a short RSA key and an unknown name are refused, with the reason
openssl genrsa -out rsa2048.pem 2048 2>/dev/null
if run secret set acme netsuite.private_key --from-file rsa2048.pem; then fail "2048-bit RSA accepted"; fi
grep -q "RSA of 2048 bits" "$LOG" || fail "no reason for the short key"
if printf 'x' | run secret set acme netsuite.nope; then fail "unknown name accepted"; fi

out=$(run secret list acme)
echo "$out" >>"$LOG"
grep -q -- procore.client_secret <<<"$out" || fail "list misses a name"
for v in "$CID" "$CSEC" "$NSID"; do
  grep -qF -- "$v" <<<"$out" && fail "list shows a value"
done
grep -q '"key_id"' <<<"$(run secret list acme --json)" || fail "list --json"

# keys rotate: new key id on every row, old key file gone, values intact
before=$(run keys show)
run keys rotate >>"$LOG"
after=$(run keys show)
[ "$before" != "$after" ] || fail "key id unchanged after rotate"
[ ! -e master.key.old ] || fail "master.key.old left after success"
[ ! -e master.key.new ] || fail "master.key.new left after success"
[ "$(stat -c %a master.key)" = 600 ] || fail "master.key mode after rotate"
newid=$(echo "$after" | awk '{print $3}')
[ "$(run secret list acme | grep -cF -- "$newid")" = 4 ] || fail "not every row under the new key"

# a rotation interrupted after the database commit, before the rename:
# the secrets are under the key in master.key.new, master.key is the old
# one.  The next rotate finishes the rename first, then rotates again.
cp master.key k2
run keys rotate >>"$LOG"            # secrets now under k3
cp master.key master.key.new        # k3 is "the new key not yet renamed"
cp k2 master.key                    # master.key is still the old k2
chmod 600 master.key master.key.new
rm k2
out=$(run keys rotate)
grep -q -- "finished an interrupted rotation" <<<"$out" || fail "interrupted rotation not finished: $out"
[ ! -e master.key.new ] || fail "master.key.new left after recovery"
newid=$(run keys show | awk '{print $3}')
[ "$(run secret list acme | grep -cF -- "$newid")" = 4 ] || fail "secrets lost in recovery"

# a crash before the commit: master.key.new exists but sealed nothing
head -c 32 /dev/urandom >master.key.new
chmod 600 master.key.new
run keys rotate >>"$LOG"
[ ! -e master.key.new ] || fail "stale master.key.new kept"
after=$(run keys show)
newid=$(echo "$after" | awk '{print $3}')
[ "$(run secret list acme | grep -cF -- "$newid")" = 4 ] || fail "secrets lost after a stale .new"

# wrong key: clear message naming both key ids, no garbage
cp master.key good.key
head -c 32 /dev/urandom >master.key
if run keys rotate; then fail "rotate with a wrong key"; fi
grep -q "not sealed under the current master key" "$LOG" || fail "no message for a wrong key"
cmp -s master.key good.key && fail "wrong key replaced"
if printf 'another-id' | run secret set acme netsuite.certificate_id; then
  fail "a secret saved under a wrong master key"
fi
grep -q "sealed under another master key" "$LOG" || fail "no message for set with a wrong key"
cp good.key master.key
if MLC_MASTER_KEY=$(od -An -tx1 good.key | tr -d ' \n') run keys rotate; then
  fail "rotate with the key from the environment"
fi
chmod 644 master.key
if run keys show; then fail "group-readable key accepted"; fi
grep -q "chmod 600" "$LOG" || fail "no fix named for an open key"
chmod 600 master.key
rm master.key
if run keys show; then fail "missing key accepted"; fi
grep -q "does not exist" "$LOG" || fail "no message for a missing key"
cp good.key master.key
chmod 600 master.key
rm good.key

# MLC_MASTER_KEY (hex) works the same as the file
HEX=$(od -An -tx1 master.key | tr -d ' \n')
grep -qF -- "$newid" <<<"$(MLC_MASTER_KEY=$HEX run keys show)" || fail "hex MLC_MASTER_KEY"
if MLC_MASTER_KEY=nothex run keys show; then fail "bad MLC_MASTER_KEY accepted"; fi

# issue 21 item 16: a running serve keeps the -wal/-shm files 0600, holds no
# MLC_MASTER_KEY in its environment, and makes no core file
SPID=
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf "$WORK"' EXIT
MLC_MASTER_KEY=$HEX "$BIN" serve --listen 127.0.0.1:0 --workers 1 >>"$LOG" 2>&1 &
SPID=$!
for _ in $(seq 100); do
  [ -e ml-connector.db-wal ] && [ -e ml-connector.db-shm ] && grep -q "serve started\|listening" "$LOG" && break
  sleep 0.1
done
kill -0 "$SPID" 2>/dev/null || fail "serve did not run: $(tail -3 "$LOG")"
for f in ml-connector.db ml-connector.db-wal ml-connector.db-shm; do
  [ -e "$f" ] || fail "$f missing while serve runs"
  [ "$(stat -c %a "$f")" = 600 ] || fail "$f is $(stat -c %a "$f"), wanted 600"
done
senv=$(tr '\0' '\n' <"/proc/$SPID/environ")
grep -q "^MLC_MASTER_KEY=" <<<"$senv" && fail "serve's environment still holds MLC_MASTER_KEY"
grep -qF -- "$HEX" <<<"$senv" && fail "serve's environment still holds the key's text"
grep -q "^PATH=" <<<"$senv" || fail "serve's environment unreadable or empty"
grep -qE '^Max core file size +0 +0 ' "/proc/$SPID/limits" || fail "serve may dump core: $(grep core "/proc/$SPID/limits")"
kill "$SPID"
wait "$SPID" || fail "serve did not stop cleanly on SIGTERM"
SPID=

run secret remove acme procore.client_id >>"$LOG"
grep -q "^procore.client_id " <<<"$(run secret list acme)" && fail "remove"
grep -q "^not set: .*procore.client_id" <<<"$(run secret list acme)" || fail "missing name not shown"

# nothing in plaintext, byte-wise, in the database or the logs
for v in "$CID" "$CSEC" "$NSID" "$KEYLINE"; do
  if grep -aqF -- "$v" ml-connector.db* "$LOG"; then fail "plaintext found: ${v:0:8}..."; fi
done
echo "ok"
