#!/usr/bin/env bash
# flor replay --epochs on the recorded example: only epochs 2-3, split over
# two workers, starting from checkpoints. Then, without --probe, a source
# file whose log calls changed is analyzed; with no compile_commands.json a
# note says how to name the blocks and the replay goes on.
source "$(dirname "$0")/lib.bash"
setup_example
cd "$REPO"
epochs=4
# --eps 1: checkpoint every epoch, so any segment can start anywhere.
record_replay_compare --record "--eps 1 -- ./build/train --epochs $epochs ${TRAIN_ARGS[*]}" --edit add_hindsight_logs \
  fm weight_norm 2-3 - --epochs 2-3 -j2  # -j2: the value stuck to -j
contains '^epochs replayed: 2 of 2' < "$WORK/replay.out" || fail "--epochs 2-3: $(cat "$WORK/replay.out")"

echo '    // flor::log("later", 1.0);' >> train.cc
"$FLOR" replay fm --epochs 3 > "$WORK/note.out" 2> "$WORK/note.err" || fail "replay with a note: $(cat "$WORK/note.err")"
contains '^flor: note: train.cc changed its log calls; no compile_commands.json .* name it with --probe BLOCK$' \
  < "$WORK/note.err" || fail "no note: $(cat "$WORK/note.err")"
contains '^fidelity: ok' < "$WORK/note.out" || fail "fidelity after the note"
echo "driver_replay_epochs: ok"
