#!/usr/bin/env bash
# A full upload backlog (docs/object-store.md): the object store hangs
# (s3rver stopped with SIGSTOP: connections accepted, nothing answered) and
# FLOR_CKPT_BACKLOG_MB=0, so the first checkpoint's upload fills the backlog.
# The record goes on: the policy skips the later checkpoints, each skip is in
# its epoch's note (flor dump), a warning says so once, and the end of the run
# counts them. The server resumes: the checkpoints taken end 'remote', their
# objects the local files. Negative control: the same record with the server
# answering (and the default backlog) skips nothing.
source "$(dirname "$0")/lib.bash"
source "$FLOR_SOURCE_DIR/test/common/s3.bash"
setup_fmnist_binaries
start_s3
export FLOR_CKPT_URL=s3://ckpts/team
E=5
skip_re="upload backlog is full"

# The control: the server answers (the default backlog), every epoch checkpoints (eps 1).
FLOR_HOME=$WORK/ok FLOR_CKPT_URL=s3://ckpts/control "$TRAIN" --epochs $E "${ARGS[@]}" --flor fm 1 > /dev/null 2> "$WORK/ok.err" ||
  fail "control record: $(cat "$WORK/ok.err")"
FLOR_HOME=$WORK/ok
expect_eq "$(q fm "select count(*)||' '||sum(location='remote') from checkpoints where run=1")" "$E $E" \
  "control: checkpoints taken and remote"
contains "$skip_re" < "$WORK/ok.err" && fail "control: skipped for the backlog: $(cat "$WORK/ok.err")"

FLOR_HOME=$WORK/A
mkdir -p "$FLOR_HOME"
pause_s3
FLOR_CKPT_BACKLOG_MB=0 "$TRAIN" --epochs $E "${ARGS[@]}" --flor fm 1 > /dev/null 2> "$WORK/record.err" &
rec=$!
# Every epoch row is in (training is over, the end-of-run wait for the upload has begun): the server resumes.
for _ in $(seq 1200); do
  [ -f "$FLOR_HOME/fm/flor.db" ] && [ "$(q fm "select count(*) from epochs where run=1" 2>/dev/null || echo 0)" -ge $E ] &&
    break
  alive "$rec" || break
  sleep 0.05
done
expect_eq "$(q fm "select count(*) from epochs where run=1")" $E "epoch rows while the server hangs"
# The first checkpoint fills the backlog once it is durable and queued; one
# taken before that (its write still running, its row stored when it ends)
# may be queued too: the count is taken at the end.
[ "$(q fm "select count(*) from checkpoints where run=1")" -ge 1 ] || fail "no checkpoint while the server hangs"
expect_eq "$(q fm "select group_concat(distinct location) from checkpoints where run=1")" uploading \
  "the checkpoints while the server hangs"
resume_s3
wait "$rec" || fail "record failed: $(cat "$WORK/record.err")"
cat "$WORK/record.err"

expect_eq "$(q fm "select status from runs where id=1")" complete "record"
taken=$(q fm "select count(*) from checkpoints where run=1")
[ "$taken" -lt $E ] || fail "checkpoints taken with the backlog full: $taken of $E"
expect_eq "$(q fm "select group_concat(distinct location) from checkpoints where run=1")" remote \
  "where the checkpoints are"
skips=$("$FLOR" dump fm --json | jq --arg re "$skip_re" '[.epochs[] | select(.note | test($re))] | length')
expect_eq "$skips" $((E - taken)) "epochs whose note says their checkpoint was skipped for the backlog"
"$FLOR" dump fm | grep "note=" | contains "skipped: the object store's upload backlog is full" ||
  fail "flor dump shows no skip: $("$FLOR" dump fm)"
expect_eq "$(grep -c "warning: the upload backlog to s3://ckpts/team/fm is full" "$WORK/record.err")" 1 \
  "the backlog warning, once"
contains "flor: $((E - taken)) checkpoint(s) skipped while the upload backlog to s3://ckpts/team/fm was full" \
  < "$WORK/record.err" || fail "no count of the skips at the end: $(cat "$WORK/record.err")"
"$FLOR" dump fm --json | jq -e 'all(.checkpoints[]; .location == "remote")' > /dev/null || fail "flor dump: location"
for ck in $(q fm "select path from checkpoints where run=1"); do
  s3curl -o "$WORK/manifest" "http://127.0.0.1:$PORT/ckpts/team/fm/$ck"
  cmp "$WORK/manifest" "$FLOR_HOME/fm/$ck" || fail "the remote manifest $ck is not the local file"
done
echo "object_store_backlog: ok"
