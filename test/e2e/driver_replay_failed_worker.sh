#!/usr/bin/env bash
# A worker of `flor replay -j 2` that fails is reported with its log tail and
# flor exits 1; the other worker finishes.
source "$(dirname "$0")/lib.bash"
epochs=4
record_example fm $epochs
add_hindsight_logs

rc=0
"$FLOR" replay fm -j 2 -- sh -c 'if [ "$FLOR_SEGMENT" = 1/2 ]; then echo boom-in-worker-1; exit 5; fi; exec "$@"' \
  sh ./build/train --epochs $epochs "${TRAIN_ARGS[@]}" > "$WORK/fail.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "failed worker: exit $rc"
contains 'worker 1 .* failed (exit 5)' < "$WORK/fail.out" || fail "failure line: $(cat "$WORK/fail.out")"
contains '^boom-in-worker-1' < "$WORK/fail.out" || fail "log tail"
contains 'worker 2 .* ok  (2/2 epochs)' < "$WORK/fail.out" || fail "the other worker must finish"
echo "driver_replay_failed_worker: ok"
