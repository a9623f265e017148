#!/usr/bin/env bash
# The whole story on the example: record, add log statements, rebuild, replay
# with -j 2 and as manual segments 1/3..3/3, show the new columns, the
# versions in flor log and flor diff. The user's HEAD, index and work tree are
# byte-identical across every flor command.
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

# -j 2: two workers, a progress line, a summary with the new names and a
# verdict; every epoch's weight_norm exactly once.
record_replay_compare fm weight_norm 0-$((epochs - 1)) - -j 2
grep -q "^epochs replayed: $epochs of $epochs" "$WORK/replay.out" || fail "epochs replayed"
grep -q '^new logs: .*weight_norm' "$WORK/replay.out" || fail "new logs"
grep -q 'replay fm:' "$WORK/replay.err" || fail "no progress line"
[ "${#REPLAY_RUNS[@]}" -eq 2 ] || fail "-j 2 used ${#REPLAY_RUNS[@]} workers"

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
"$FLOR" show fm --format json > "$WORK/show.json"
[ "$(jq '[.[] | select(.step == null and .weight_norm != null)] | length' "$WORK/show.json")" -eq $epochs ] ||
  fail "weight_norm per epoch"
[ "$(jq '[.[] | select(.step != null and .grad_norm != null)] | length' "$WORK/show.json")" -gt $epochs ] ||
  fail "grad_norm per step"
jq -e 'all(.[] | select(.weight_norm != null); .weight_norm | type == "number")' "$WORK/show.json" > /dev/null || fail "json"

# The versions: one record and five replays on the shadow branch; the code diff shows the edit.
"$FLOR" log fm
[ "$("$FLOR" log fm --format json | jq '[.[] | select(.kind == "replay")] | length')" -eq 5 ] || fail "flor log"
replay=$(newest_replays fm 1)
"$FLOR" diff fm:1 "fm:$replay" | contains '^+#define FMNIST_HINDSIGHT' || fail "diff"
echo "driver_replay: ok"
