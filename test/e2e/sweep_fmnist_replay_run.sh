#!/usr/bin/env bash
# A run of a flor sweep on the Fashion-MNIST example replayed with a new log
# statement: the hindsight values are in its `flor show`.
source "$(dirname "$0")/lib.bash"
setup_sweep_example

sweep_config "$WORK/one.json" "0.01" "32"
"$FLOR" sweep "$WORK/one.json" --id one -- ./build/train > /dev/null 2> "$WORK/one.err" ||
  fail "sweep: $(tail -20 "$WORK/one.err")"
run=$(jq -r '.flor_run // empty' "$(sweep_dir one)/runs/fm_bs32_lr0.01/run_data.json")
[ -n "$run" ] || fail "no store run for fm_bs32_lr0.01"
add_hindsight_logs
"$FLOR" replay fm --run "$run" > "$WORK/replay.out" 2>&1 || fail "replay: $(cat "$WORK/replay.out")"
"$FLOR" show fm --run "$run" --format csv > "$WORK/replay.csv"
head -1 "$WORK/replay.csv" | grep -q 'weight_norm' || fail "no hindsight column: $(cat "$WORK/replay.csv")"
[ "$("$FLOR" show fm --run "$run" --format json | jq '[.[] | select(.weight_norm != null)] | length')" -ge 2 ] ||
  fail "weight_norm values"
echo "sweep_fmnist_replay_run: ok"
