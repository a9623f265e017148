#!/usr/bin/env bash
# flor sweep on the Fashion-MNIST example, CPU slots: bad configs start nothing;
# 6 tiny runs with max_parallel 2 all finish with CSV and plots; a sweep killed
# halfway resumes without rerunning finished runs; an edit of the config while
# it runs adds and drops pending permutations; failures with continue and halt;
# replay with a new log statement on one sweep run.
source "$(dirname "$0")/lib.bash"
setup_example
cd "$REPO"
"$FLOR" help | grep -q '^  sweep' || { echo "skip: flor sweep not in this build"; exit 77; }

# write_config FILE LRS BATCH_SIZES [META...]: the example's own flag names as keys.
write_config() {
  local file=$1 lrs=$2 bss=$3 meta=${4:-}
  cat > "$file.tmp" <<EOF
{ "data_name": "fm", "epochs": ${EPOCHS:-2}, "train-size": 256, "test-size": 128,
  "lr": [$lrs], "batch-size": [$bss],
  "meta": { "max_parallel": ${PAR:-2}, "allow_cpu": true $meta } }
EOF
  mv "$file.tmp" "$file"  # atomic: a running sweep never reads half a file
}
sweep_dir() { echo "$FLOR_HOME/fm/sweeps/$1"; }
count_state() { grep -c "\"state\": \"$2\"" "$(sweep_dir "$1")/journal.json" 2>/dev/null || true; }
at_least() { [ "$(count_state "$1" "$2")" -ge "$3" ] 2>/dev/null; }  # at_least ID STATE N
wait_for() {  # wait_for SECONDS CONDITION...
  local t=$1; shift
  for _ in $(seq $((t * 10))); do "$@" && return 0; sleep 0.1; done
  fail "timed out waiting for: $*"
}

echo "== bad input: one clear line each, nothing started"
printf '{\n  "data_name": "fm",\n  "lr": [0.1,, 0.2]\n}\n' > "$WORK/bad.json"
one_line_error "$FLOR" sweep "$WORK/bad.json" -- ./build/train | grep -q 'bad.json:3:14: malformed JSON' || fail "line:col"
echo '{"data_name": "fm", "lr": [1], "meta": {"max_paralel": 2}}' > "$WORK/meta.json"
one_line_error "$FLOR" sweep "$WORK/meta.json" -- ./build/train | grep -q 'known: exclude_configs, max_parallel' ||
  fail "unknown meta key"
echo '{"data_name": "fm", "lr": [1], "meta": {"exclude_configs": [{"lr": 1}]}}' > "$WORK/none.json"
one_line_error "$FLOR" sweep "$WORK/none.json" -- ./build/train | grep -q 'expands to nothing' || fail "empty sweep"
write_config "$WORK/grid.json" "0.1, 0.01, 0.001" "32, 64"
one_line_error "$FLOR" sweep "$WORK/grid.json" | grep -q 'missing command' || fail "missing command"
echo '{"data_name": "fm", "lr": [1, 2], "meta": {"exclude_configs": [{"optimiser": "sgd"}]}}' > "$WORK/warn.json"
"$FLOR" sweep "$WORK/warn.json" --dry-run -- ./build/train 2> "$WORK/warn.err" > /dev/null
grep -q "warning: .*unknown key 'optimiser'" "$WORK/warn.err" || fail "exclude rule warning"
[ ! -e "$FLOR_HOME/fm" ] || fail "bad input wrote $(find "$FLOR_HOME")"

echo "== dry run lists 6 permutations"
"$FLOR" sweep "$WORK/grid.json" --id grid --dry-run -- ./build/train | tee "$WORK/dry.out"
grep -q '^6 of 6 permutations would run' "$WORK/dry.out" || fail "dry run"
"$FLOR" sweep "$WORK/grid.json" --id grid --dry-run --format json -- ./build/train > "$WORK/dry.json"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert len(r)==6 and r[0]["action"]=="run" and r[0]["state"]=="new" and r[0]["lr"]==0.1, r' "$WORK/dry.json" ||
  fail "dry run json: $(cat "$WORK/dry.json")"
[ ! -e "$FLOR_HOME/fm" ] || fail "dry run wrote something"

echo "== 6 runs on CPU slots, max_parallel 2"
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

echo "== kill halfway, restart: finished runs are not rerun"
EPOCHS=4 write_config "$WORK/kill.json" "0.1, 0.01, 0.001" "32, 64"
"$FLOR" sweep "$WORK/kill.json" --id kill -- ./build/train > /dev/null 2>&1 &
pid=$!
wait_for 120 at_least kill done 2
kill -9 $pid; wait $pid 2>/dev/null || true
done_before=$("$FLOR" sweep "$WORK/kill.json" --id kill --dry-run --format json -- ./build/train |
  jq -r '.[] | select(.action == "skip" and .state == "done") | .run')
[ -n "$done_before" ] || fail "no finished run before the kill"
sleep 1  # the killed runs' programs see their flor run die
"$FLOR" sweep "$WORK/kill.json" --id kill -- ./build/train > /dev/null 2> "$WORK/kill.err" || fail "restart: $(cat "$WORK/kill.err")"
[ "$(count_state kill done)" -eq 6 ] || fail "restart did not finish"
grep -q 'started ' "$WORK/kill.err" || fail "the kill came too late: nothing was left to run"
for run in $done_before; do
  ! grep -q "started $run " "$WORK/kill.err" || fail "$run ran again"
  [ "$(grep -c 'recording run' "$(sweep_dir kill)/runs/$run/stderr.log")" -eq 1 ] || fail "$run recorded twice"
done

echo "== edit the config while it runs"
PAR=1 write_config "$WORK/live.json" "0.1, 0.01, 0.001" "32"
"$FLOR" sweep "$WORK/live.json" --id live -- ./build/train > /dev/null 2> "$WORK/live.err" &
pid=$!
wait_for 60 at_least live running 1
PAR=1 write_config "$WORK/live.json" "0.1, 0.01, 0.5" "32"
wait $pid || fail "live sweep: $(cat "$WORK/live.err")"
L=$(sweep_dir live)
grep -q 'config edited: added fm_bs32_lr0.5' "$WORK/live.err" || fail "no added line: $(cat "$WORK/live.err")"
grep -q '"state": "done"' "$L/runs/fm_bs32_lr0.5/run_data.json" || fail "the added permutation did not run"
[ ! -e "$L/runs/fm_bs32_lr0.001/stdout.log" ] || fail "the removed permutation ran"
[ "$(count_state live dropped)" -eq 1 ] || fail "dropped state"

echo "== a failing permutation: continue, then halt"
PAR=1 write_config "$WORK/cont.json" '"oops", 0.1' "32"
rc=0; "$FLOR" sweep "$WORK/cont.json" --id cont -- ./build/train > /dev/null 2> "$WORK/cont.err" || rc=$?
[ $rc -eq 1 ] || fail "continue: exit $rc"
grep -q "FAILED  fm_bs32_lroops (exit status [0-9]" "$WORK/cont.err" || fail "no failure line: $(cat "$WORK/cont.err")"
grep -q '    | .*oops' "$WORK/cont.err" || fail "no log tail with the failure: $(cat "$WORK/cont.err")"
[ "$(count_state cont done)" -eq 1 ] || fail "continue did not run the rest"
PAR=1 write_config "$WORK/halt.json" '"oops", 0.1, 0.01' "32" ', "on_failure": "halt"'
rc=0; "$FLOR" sweep "$WORK/halt.json" --id halt -- ./build/train > /dev/null 2> "$WORK/halt.err" || rc=$?
[ $rc -eq 1 ] || fail "halt: exit $rc"
[ "$(count_state halt failed)" -eq 1 ] && [ "$(count_state halt pending)" -eq 2 ] || fail "halt states"
[ ! -e "$(sweep_dir halt)/runs/fm_bs32_lr0.1" ] || fail "halt started another run"
# The same command resumes the halted sweep without the failure; --retry-failed runs only the failure.
"$FLOR" sweep "$WORK/halt.json" --id halt -- ./build/train > /dev/null 2> "$WORK/resume.err" ||
  fail "resume: $(cat "$WORK/resume.err")"
[ "$(count_state halt done)" -eq 2 ] && [ "$(count_state halt failed)" -eq 1 ] || fail "resume states"
! grep -q 'started fm_bs32_lroops' "$WORK/resume.err" || fail "resume reran the failed run"
rc=0; "$FLOR" sweep "$WORK/halt.json" --id halt --retry-failed -- ./build/train > /dev/null 2> "$WORK/retry.err" || rc=$?
[ $rc -eq 1 ] || fail "--retry-failed: exit $rc"
[ "$(grep -c 'started ' "$WORK/retry.err")" -eq 1 ] && grep -q 'started fm_bs32_lroops' "$WORK/retry.err" ||
  fail "--retry-failed ran: $(grep started "$WORK/retry.err")"

echo "== replay one sweep run with a new log statement"
run=$(jq -r '.flor_run // empty' "$D/runs/fm_bs32_lr0.01/run_data.json")
[ -n "$run" ] || fail "no store run for fm_bs32_lr0.01"
add_hindsight_logs
"$FLOR" replay fm --run "$run" > "$WORK/replay.out" 2>&1 || fail "replay: $(cat "$WORK/replay.out")"
"$FLOR" show fm --run "$run" --format csv > "$WORK/replay.csv"
head -1 "$WORK/replay.csv" | grep -q 'weight_norm' || fail "no hindsight column: $(cat "$WORK/replay.csv")"
[ "$("$FLOR" show fm --run "$run" --format json | jq '[.[] | select(.weight_norm != null)] | length')" -ge 2 ] ||
  fail "weight_norm values"
echo "sweep e2e: ok"
