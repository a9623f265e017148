#!/usr/bin/env bash
# Corrupt checkpoints: bytes flipped in the tensor data of every checkpoint of
# the recorded example. Replay detects it by checksum, names the file, and
# falls back to re-executing, so the results are still right.
source "$(dirname "$0")/lib.bash"
setup_fmnist_binaries
E=4

"$TRAIN" --epochs $E "${ARGS[@]}" --flor bad 1 > /dev/null
expect_eq "$(q bad "select count(*) from checkpoints")" $E "checkpoints to corrupt"
for f in "$FLOR_HOME"/bad/ckpt/packs/*; do
  printf '\xde\xad\xbe\xef\xde\xad\xbe\xef' | dd of="$f" bs=1 seek=4096 conv=notrunc status=none
done
"$TRAIN_HS" --replay_flor 2/2 > /dev/null 2> "$WORK/corrupt.err"
grep -q "cannot restore $FLOR_HOME/bad/ckpt/[0-9a-f]\{8\}-r1-e0000.-b0.ckpt" "$WORK/corrupt.err" || fail "corrupt file not named: $(cat "$WORK/corrupt.err")"
R=$(q bad "select max(id) from runs")
expect_eq "$(q bad "select status from runs where id=$R")" complete "replay over corrupt checkpoints"
expect_eq "$(q bad "select count(*) from divergences where run=$R")" 0 "divergences over corrupt checkpoints"
expect_eq "$(q bad "select count(distinct epoch) from logs where source=$R and name='weight_norm'")" 2 "epochs of segment 2/2"
echo "runtime_corrupt_checkpoint: ok"
