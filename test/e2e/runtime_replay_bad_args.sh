#!/usr/bin/env bash
# Replay of the recorded example does not rewrite history: a changed
# hyper-parameter is an error (exit 2), and bad segment specs and too many
# workers get clear errors.
source "$(dirname "$0")/lib.bash"
setup_fmnist_binaries
E=5
"$TRAIN" --epochs $E "${ARGS[@]}" --flor fm 1 > "$WORK/record.out"

set +e
out=$("$TRAIN_HS" --replay_flor --lr 0.5 2>&1)
rc=$?
set -e
expect_eq $rc 2 "exit status of an arg change on replay"
echo "$out" | grep -q -- "--lr was recorded as 0.001 but this command line asks for 0.5" || fail "arg conflict message: $out"

for spec in 0/5 6/5 3/0 x; do
  set +e
  out=$("$TRAIN_HS" --replay_flor $spec 2>&1)
  rc=$?
  set -e
  expect_eq $rc 2 "exit status for --replay_flor $spec"
  echo "$out" | grep -q "flor: error: --replay_flor $spec" || fail "message for $spec: $out"
done
set +e
out=$("$TRAIN_HS" --replay_flor 1/6 2>&1)
set -e
echo "$out" | grep -q "use at most 5 workers" || fail "too many workers: $out"
echo "runtime_replay_bad_args: ok"
