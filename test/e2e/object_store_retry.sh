#!/usr/bin/env bash
# Failed uploads are tried again (docs/object-store.md): the object store is
# stopped mid-record, so uploads fail: those rows say 'local' (never 'remote'
# for bytes that are not there: checked while the server is back and the
# record frozen), one warning says so. The server comes back on the same port
# and folder: the failed checkpoints are uploaded on a later try, every row
# ends 'remote', the objects are exactly the local files, and a line says the
# uploads work again. (object_store.sh stops the server for good: rows stay local.)
source "$(dirname "$0")/lib.bash"
source "$FLOR_SOURCE_DIR/test/common/s3.bash"
setup_fmnist_binaries
start_s3
export FLOR_CKPT_URL=s3://ckpts/team
keys() {  # the object keys under team/fm/, one a line (a listing the server does not answer yet is asked again)
  local listing
  for _ in $(seq 50); do
    listing=$(s3curl -f "http://127.0.0.1:$PORT/ckpts?list-type=2&prefix=team/fm/") && break
    listing=
    sleep 0.2
  done
  [ -n "$listing" ] || fail "s3rver did not answer a listing: $(cat "$WORK/s3.log")"
  grep -o '<Key>[^<]*</Key>' <<< "$listing" | sed 's/<[^>]*>//g' | sort
}
rows() { q fm "select count(*) from checkpoints where run=1 and location='$1'"; }
# wait_rows LOCATION: until a row of run 1 is at LOCATION (30 s at most, while the record runs).
wait_rows() {
  for _ in $(seq 600); do
    [ -f "$FLOR_HOME/fm/flor.db" ] && [ "$(rows "$1" 2>/dev/null || echo 0)" -ge 1 ] && return 0
    alive "$rec" || break
    sleep 0.05
  done
  fail "no checkpoint '$1' while the record ran: $(cat "$WORK/record.err")"
}

"$TRAIN" --epochs 12 --train-size 4000 --test-size 300 --batch-size 64 --flor fm 1 > /dev/null 2> "$WORK/record.err" &
rec=$!
wait_rows remote
stop_s3
wait_rows local
kill -STOP "$rec"
start_s3
# Frozen: what the rows say now is checked against what the server holds.
held=$(keys)
for ck in $(q fm "select path from checkpoints where run=1 and location='remote'"); do
  grep -qx "team/fm/$ck" <<< "$held" || fail "row $ck says remote, the object store lacks it: $held"
done
[ "$(q fm "select status from runs where id=1")" = running ] || fail "the record ended before the server came back"
kill -CONT "$rec"
wait "$rec" || fail "record failed: $(cat "$WORK/record.err")"
cat "$WORK/record.err"

expect_eq "$(q fm "select status from runs where id=1")" complete "record"
expect_eq "$(q fm "select group_concat(distinct location) from checkpoints where run=1")" remote "rows at the end"
expect_eq "$(keys)" "$(cd "$FLOR_HOME/fm" && find ckpt -type f ! -name '*.tmp-*' -printf 'team/fm/%p\n' | sort)" \
  "objects = the local checkpoint files"
expect_eq "$(grep -c "warning: cannot upload checkpoint" "$WORK/record.err")" 1 "upload warnings"
contains "warning: cannot upload checkpoint .*it stays local, and failed uploads are tried again later" \
  < "$WORK/record.err" || fail "the warning does not say a retry comes: $(cat "$WORK/record.err")"
contains "flor: uploads to s3://ckpts/team/fm work again: checkpoint ckpt/.* uploaded on try [2-9]" \
  < "$WORK/record.err" || fail "no line about the retry: $(cat "$WORK/record.err")"
echo "object_store_retry: ok"
