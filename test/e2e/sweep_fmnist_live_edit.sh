#!/usr/bin/env bash
# flor sweep on the Fashion-MNIST example: an edit of the config while the
# sweep runs adds a pending permutation (it runs) and drops one (it never runs).
source "$(dirname "$0")/lib.bash"
setup_sweep_example

PAR=1 sweep_config "$WORK/live.json" "0.1, 0.01, 0.001" "32"
"$FLOR" sweep "$WORK/live.json" --id live -- ./build/train > /dev/null 2> "$WORK/live.err" &
pid=$!
wait_for 60 at_least live running 1
PAR=1 sweep_config "$WORK/live.json" "0.1, 0.01, 0.5" "32"
wait $pid || fail "live sweep: $(cat "$WORK/live.err")"
L=$(sweep_dir live)
grep -q 'config edited: added fm_bs32_lr0.5' "$WORK/live.err" || fail "no added line: $(cat "$WORK/live.err")"
grep -q '"state": "done"' "$L/runs/fm_bs32_lr0.5/run_data.json" || fail "the added permutation did not run"
[ ! -e "$L/runs/fm_bs32_lr0.001/stdout.log" ] || fail "the removed permutation ran"
[ "$(count_state live dropped)" -eq 1 ] || fail "dropped state"
echo "sweep_fmnist_live_edit: ok"
