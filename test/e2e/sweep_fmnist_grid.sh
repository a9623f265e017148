#!/usr/bin/env bash
# flor sweep on the Fashion-MNIST example: 6 tiny runs on CPU slots with
# max_parallel 2 all finish with CSV and plots, `flor show --sweep` lists them
# (its CSV is run_data.csv, digits unrounded), and the same command again
# starts nothing.
source "$(dirname "$0")/lib.bash"
setup_sweep_example

sweep_config "$WORK/grid.json" "0.1, 0.01, 0.001" "32, 64"
"$FLOR" sweep "$WORK/grid.json" --id grid -- ./build/train > "$WORK/grid.out" 2> "$WORK/grid.err" ||
  fail "sweep: $(tail -20 "$WORK/grid.err")"
cat "$WORK/grid.out"
D=$(sweep_dir grid)
[ "$(count_state grid done)" -eq 6 ] || fail "not all done: $(cat "$D/journal.json")"
[ "$(wc -l < "$D/run_data.csv")" -eq 7 ] || fail "csv rows: $(cat "$D/run_data.csv")"
head -1 "$D/run_data.csv" | grep -q ',batch-size,.*,lr,.*test_acc' || fail "csv header: $(head -1 "$D/run_data.csv")"
for m in loss test_acc test_loss; do [ -s "$D/plots/$m.svg" ] || fail "no plot $m"; done
[ "$(grep -c '<polyline' "$D/plots/test_acc.svg")" -eq 6 ] || fail "comparison plot has not 6 runs"
for run in fm_bs32_lr0.1 fm_bs32_lr0.01 fm_bs32_lr0.001 fm_bs64_lr0.1 fm_bs64_lr0.01 fm_bs64_lr0.001; do
  grep -q '"state": "done"' "$D/runs/$run/run_data.json" || fail "$run run_data.json"
  grep -q '"metrics_from": "store"' "$D/runs/$run/run_data.json" || fail "$run metrics not from the store"
  grep -q '"test_acc"' "$D/runs/$run/history.json" || fail "$run history.json"
  [ -s "$D/runs/$run/plots/loss.svg" ] || fail "$run plot"
done
grep -q 'sweep: 6 done, 0 running, 0 queued, 0 failed' "$WORK/grid.err" || fail "progress line"
"$FLOR" show fm --sweep | tee "$WORK/show.out"
grep -q '^fm_bs64_lr0.001  done' "$WORK/show.out" || fail "flor show --sweep"
# Machine-readable: run_data.csv's columns (a sweep column first) and its digits, not the table's 6.
"$FLOR" show fm --sweep --format csv > "$WORK/show.csv"
[ "$(tail -n +2 "$WORK/show.csv")" = "$(tail -n +2 "$D/run_data.csv" | sed 's/^/grid,/')" ] ||
  fail "show --sweep --format csv is not run_data.csv: $(cat "$WORK/show.csv")"
python3 - "$D" <<'PY' || fail "run_data.csv rounds the metrics"
import csv, json, sys
d = sys.argv[1]
for row in csv.DictReader(open(d + "/run_data.csv")):
    final = json.load(open(d + "/runs/" + row["run"] + "/run_data.json"))["final_metrics"]
    assert float(row["test_loss"]) == final["test_loss"], (row["test_loss"], final["test_loss"])
PY
echo "== restart: nothing to do"
"$FLOR" sweep "$WORK/grid.json" --id grid -- ./build/train > /dev/null 2> "$WORK/again.err"
! grep -q 'started' "$WORK/again.err" || fail "a finished run started again"
echo "sweep_fmnist_grid: ok"
