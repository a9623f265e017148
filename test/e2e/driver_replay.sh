#!/usr/bin/env bash
# The whole story on the example: record, add log statements, rebuild, replay
# with -j 2 and as manual segments 1/3..3/3, show the new columns. The user's
# HEAD, index and work tree are byte-identical across every flor command.
source "$(dirname "$0")/lib.bash"
setup_example
cd "$REPO"
epochs=4

before=$(user_state "$REPO")
# --eps 1: checkpoint every epoch, so any segment can start anywhere.
"$FLOR" run fm --eps 1 -- ./build/train --epochs $epochs "${TRAIN_ARGS[@]}"
[ "$(user_state "$REPO")" = "$before" ] || fail "record changed the user's state"
"$FLOR" show fm --format csv > "$WORK/show0.csv"
head -1 "$WORK/show0.csv" | contains '^epoch,loss,test_loss,test_acc$' || fail "recorded columns: $(head -1 "$WORK/show0.csv")"
[ "$(tail -n +2 "$WORK/show0.csv" | wc -l)" -eq $epochs ] || fail "rows: $(cat "$WORK/show0.csv")"

add_hindsight_logs
before=$(user_state "$REPO")

# -j 2: two workers, a progress line, a summary with the new names and a verdict.
"$FLOR" replay fm -j 2 > "$WORK/j2.out" 2> "$WORK/j2.err" || fail "replay -j 2: $(cat "$WORK/j2.out" "$WORK/j2.err")"
cat "$WORK/j2.out"
grep -q "^epochs replayed: $epochs of $epochs" "$WORK/j2.out" || fail "epochs replayed"
grep -q '^new logs: .*weight_norm' "$WORK/j2.out" || fail "new logs"
grep -q '^fidelity: ok' "$WORK/j2.out" || fail "fidelity"
grep -q 'replay fm:' "$WORK/j2.err" || fail "no progress line"
[ "$(summary_runs "$WORK/j2.out" | wc -l)" -eq 2 ] || fail "-j 2 used $(summary_runs "$WORK/j2.out" | wc -l) workers"
[ "$(epoch_counts fm weight_norm $(summary_runs "$WORK/j2.out"))" = "$(printf '0 1\n1 1\n2 1\n3 1')" ] ||
  fail "-j 2 did not fill every epoch exactly once: $(epoch_counts fm weight_norm $(summary_runs "$WORK/j2.out"))"

# Manual dispatch, segment by segment, the batch loop probed for per-step logs;
# from a subfolder, the recorded command still starts where it was recorded.
for p in 1 2 3; do
  (cd build && "$FLOR" replay fm $p/3 --probe batch) > "$WORK/seg$p.out" 2>&1 || fail "segment $p/3: $(cat "$WORK/seg$p.out")"
done
[ "$(epoch_counts fm weight_norm $(newest_replays fm 3))" = "$(printf '0 1\n1 1\n2 1\n3 1')" ] ||
  fail "1/3..3/3 did not fill every epoch exactly once"
[ "$(user_state "$REPO")" = "$before" ] || fail "replays changed the user's state"

# flor show: the new columns beside the recorded ones, per epoch and per step.
"$FLOR" show fm > "$WORK/show.txt"
cat "$WORK/show.txt" | head -5
head -1 "$WORK/show.txt" | contains 'weight_norm\*' || fail "table header: $(head -1 "$WORK/show.txt")"
# Rows per step too; --by-epoch: a row per epoch, the per-step grad_norm at each epoch's last step.
[ "$(grep -c '^ *[0-9]' "$WORK/show.txt")" -gt $epochs ] || fail "table rows: $(cat "$WORK/show.txt")"
"$FLOR" show fm --by-epoch > "$WORK/by_epoch.txt"
[ "$(grep -c '^ *[0-9]' "$WORK/by_epoch.txt")" -eq $epochs ] || fail "--by-epoch rows: $(cat "$WORK/by_epoch.txt")"
head -1 "$WORK/by_epoch.txt" | contains 'grad_norm\*@last' || fail "--by-epoch column: $(head -1 "$WORK/by_epoch.txt")"
"$FLOR" show fm --format csv > "$WORK/show.csv"
head -1 "$WORK/show.csv" | contains '^epoch,step,loss,test_loss,test_acc,grad_norm,weight_norm$' ||
  fail "csv header: $(head -1 "$WORK/show.csv")"
[ "$(awk -F, '$2 == "" && $7 != ""' "$WORK/show.csv" | wc -l)" -eq $epochs ] || fail "weight_norm per epoch"
[ "$(awk -F, '$2 != "" && $6 != ""' "$WORK/show.csv" | wc -l)" -gt $epochs ] || fail "grad_norm per step"
"$FLOR" show fm --format json | contains '"weight_norm": [0-9]' || fail "json"

# The versions: one record and five replays on the shadow branch; the code diff shows the edit.
"$FLOR" log fm
[ "$("$FLOR" log fm | awk '$6 == "replay"' | wc -l)" -eq 5 ] || fail "flor log"
replay=$(newest_replays fm 1)
"$FLOR" diff fm:1 "fm:$replay" | contains '^+#define FMNIST_HINDSIGHT' || fail "diff"

# --epochs: only epochs 2-3, split over two workers (-j2: the value stuck to -j), starting from checkpoints.
"$FLOR" replay fm --epochs 2-3 -j2 > "$WORK/range.out" 2>&1 || fail "--epochs: $(cat "$WORK/range.out")"
contains '^epochs replayed: 2 of 2' < "$WORK/range.out" || fail "--epochs 2-3: $(cat "$WORK/range.out")"
[ "$(epoch_counts fm weight_norm $(summary_runs "$WORK/range.out"))" = "$(printf '2 1\n3 1')" ] ||
  fail "--epochs 2-3 filled other epochs"

# Without --probe, a source file whose log calls changed is analyzed; here there
# is no compile_commands.json, so a note says how to name the blocks and the replay goes on.
echo '    // flor::log("later", 1.0);' >> train.cc
"$FLOR" replay fm --epochs 3 > "$WORK/note.out" 2> "$WORK/note.err" || fail "replay with a note: $(cat "$WORK/note.err")"
contains '^flor: note: train.cc changed its log calls; no compile_commands.json .* name it with --probe BLOCK$' \
  < "$WORK/note.err" || fail "no note: $(cat "$WORK/note.err")"
contains '^fidelity: ok' < "$WORK/note.out" || fail "fidelity after the note"
sed -i '$d' train.cc

# A worker that fails is reported with its log tail; the other one finishes.
rc=0
"$FLOR" replay fm -j 2 -- sh -c 'if [ "$FLOR_SEGMENT" = 1/2 ]; then echo boom-in-worker-1; exit 5; fi; exec "$@"' \
  sh ./build/train --epochs $epochs "${TRAIN_ARGS[@]}" > "$WORK/fail.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "failed worker: exit $rc"
contains 'worker 1 .* failed (exit 5)' < "$WORK/fail.out" || fail "failure line: $(cat "$WORK/fail.out")"
contains '^boom-in-worker-1' < "$WORK/fail.out" || fail "log tail"
contains 'worker 2 .* ok  (2/2 epochs)' < "$WORK/fail.out" || fail "the other worker must finish"

# gc: a newer record keeps its checkpoints; the older record's are freed, its logs stay.
"$FLOR" run fm --eps 1 -- ./build/train --epochs 1 "${TRAIN_ARGS[@]}" > /dev/null 2>&1
ckpt_before=$(du -sb "$FLOR_HOME/fm/ckpt" | cut -f1)
"$FLOR" gc --dry-run | tee "$WORK/gc-dry.out"
contains '^fm: would free' < "$WORK/gc-dry.out" || fail "gc --dry-run"
[ "$(du -sb "$FLOR_HOME/fm/ckpt" | cut -f1)" -eq "$ckpt_before" ] || fail "gc --dry-run changed the folder"
"$FLOR" gc | tee "$WORK/gc.out"
freed=$(sed -n 's/.*(\([0-9]*\) bytes)$/\1/p' "$WORK/gc.out")
[ "$freed" -gt 0 ] || fail "gc freed nothing"
[ "$(sed -n 's/.*(\([0-9]*\) bytes)$/\1/p' "$WORK/gc-dry.out")" -eq "$freed" ] || fail "gc --dry-run said otherwise"
[ "$(du -sb "$FLOR_HOME/fm/ckpt" | cut -f1)" -lt "$ckpt_before" ] || fail "checkpoint folder did not shrink"
"$FLOR" dump fm:1 | contains '^checkpoints: 0$' || fail "record 1 still lists checkpoints"
[ "$("$FLOR" show fm --run 1 --format csv | wc -l)" -gt $epochs ] || fail "logs must survive gc"
# A checkpoint file of this store (its name carries the store id) that no row names (a gc stopped
# midway, a run killed before its row) goes at the next gc.
kept=$(ls "$FLOR_HOME/fm/ckpt" | grep -m1 '\.ckpt$')
rowless=${kept%%-r*}-r99-e00000-b0.ckpt
cp "$FLOR_HOME/fm/ckpt/$kept" "$FLOR_HOME/fm/ckpt/$rowless"
"$FLOR" gc fm > /dev/null || fail "second gc"
[ ! -e "$FLOR_HOME/fm/ckpt/$rowless" ] || fail "gc left a checkpoint no row names"
[ -e "$FLOR_HOME/fm/ckpt/$kept" ] || fail "gc deleted a kept checkpoint"
echo "driver_replay: ok"
