#!/usr/bin/env bash
# The end-of-run wait for uploads (docs/object-store.md): the object store
# hangs for the whole record (s3rver stopped with SIGSTOP), the backlog has
# room, so every checkpoint is taken and queued. Training ends; the program
# waits for the uploads with a progress line (bytes and checkpoints left) while
# the rows say 'uploading' and the run is still running. The server resumes:
# the uploads finish, the program exits 0, the run is complete, every row
# 'remote', no warning.
source "$(dirname "$0")/lib.bash"
source "$FLOR_SOURCE_DIR/test/common/s3.bash"
setup_fmnist_binaries
start_s3
export FLOR_CKPT_URL=s3://ckpts/team
E=3
progress_re="^flor: uploading checkpoints to s3://ckpts/team/fm: [0-9]* MiB in [0-9]* checkpoint(s) left$"

pause_s3
"$TRAIN" --epochs $E "${ARGS[@]}" --flor fm 1 > "$WORK/record.out" 2> "$WORK/record.err" &
rec=$!
for _ in $(seq 600); do
  grep -q "$progress_re" "$WORK/record.err" && break
  alive "$rec" || break
  sleep 0.05
done
grep "$progress_re" "$WORK/record.err" || fail "no progress line while the uploads wait: $(cat "$WORK/record.err")"
alive "$rec" || fail "the record ended with the server hanging"
expect_eq "$(q fm "select count(*) from epochs where run=1")" $E "epoch rows (training is over)"
expect_eq "$(q fm "select count(*)||' '||group_concat(distinct location) from checkpoints where run=1")" "$E uploading" \
  "checkpoints while the uploads wait"
expect_eq "$(q fm "select status from runs where id=1")" running "the run while the uploads wait"
resume_s3
wait "$rec" || fail "record failed after the server resumed: $(cat "$WORK/record.err")"
cat "$WORK/record.err"
expect_eq "$(q fm "select status||' '||exit_code from runs where id=1")" "complete 0" "the run at the end"
expect_eq "$(q fm "select count(*)||' '||group_concat(distinct location) from checkpoints where run=1")" "$E remote" \
  "checkpoints at the end"
grep -q warning "$WORK/record.err" && fail "warned: $(cat "$WORK/record.err")"
contains "upload backlog is full" < "$WORK/record.err" && fail "skipped a checkpoint: $(cat "$WORK/record.err")"
echo "object_store_drain: ok"
