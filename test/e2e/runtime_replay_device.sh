#!/usr/bin/env bash
# A record names the device it trained on (blob "device"); a replay on
# another device is refused before it trains, naming both devices and what to
# do, and runs when told to tolerate it (FLOR_TOLERATE, flor replay
# --tolerate). Without a GPU: the record's stored device is rewritten to cuda.
source "$(dirname "$0")/lib.bash"
setup_fmnist_binaries
E=2
"$TRAIN" --epochs $E "${ARGS[@]}" --flor fm > "$WORK/record.out"
device() { q fm "select cast(value as text) from blobs where run=$1 and key='device'"; }
expect_eq "$(device 1)" '{"device":"cpu"}' "the record's device (no CUDA settings on a CPU run)"

# Negative control: a replay on the record's device runs and records its own device.
"$TRAIN_HS" --replay_flor > /dev/null 2>&1 || fail "replay on the record's device failed"
expect_eq "$(device 2)" '{"device":"cpu"}' "the replay's device"

q fm "update blobs set value=cast('{\"device\":\"cuda\"}' as blob) where run=1 and key='device'"
rc=0
"$TRAIN_HS" --replay_flor > "$WORK/refused.out" 2> "$WORK/refused.err" || rc=$?
expect_eq $rc 2 "exit status of a replay on another device"
expect_eq "$(cat "$WORK/refused.err")" "flor: error: replay refused: run 1 was recorded on cuda but this replay runs on \
cpu: kernels differ between devices, so its values would not reproduce bit for bit. Replay where the record ran (the \
model on cuda), or pass --tolerate (FLOR_TOLERATE=1) to replay anyway and have the differences reported" "refusal"
if grep -q '^epoch' "$WORK/refused.out"; then fail "the refused replay trained: $(cat "$WORK/refused.out")"; fi
R=$(q fm "select max(id) from runs")
expect_eq "$(q fm "select status from runs where id=$R")" failed "refused replay's status"
expect_eq "$(q fm "select count(*) from logs where run=1 and source=$R")" 0 "logs of the refused replay"

# Tolerated: a warning, and the replay runs every epoch.
FLOR_TOLERATE=1 "$TRAIN_HS" --replay_flor > "$WORK/tolerated.out" 2> "$WORK/tolerated.err" ||
  fail "tolerated replay failed: $(cat "$WORK/tolerated.err")"
grep -q "flor: warning: run 1 was recorded on cuda but this replay runs on cpu: .* replaying anyway (--tolerate)" \
  "$WORK/tolerated.err" || fail "no warning: $(cat "$WORK/tolerated.err")"
expect_eq "$(grep -c '^epoch' "$WORK/tolerated.out")" $E "epochs of the tolerated replay"
R=$(q fm "select max(id) from runs")
expect_eq "$(q fm "select status from runs where id=$R")" complete "tolerated replay's status"
echo "runtime_replay_device: ok"
