#!/usr/bin/env bash
# A log inside a plain batch loop in a called function (the runtime has no step
# there: only flor::loop counts steps) is stored with step -1 once per batch;
# flor show numbers those values 0, 1, ... per epoch, in the order logged,
# instead of one value per epoch. Replay compares them one by one.
source "$(dirname "$0")/lib.bash"
setup_program callee_batches
cd "$REPO"

"$FLOR" run steps --eps 1 -- ./build/train --epochs 2 > "$WORK/record.out" 2>&1 || fail "record: $(cat "$WORK/record.out")"
"$FLOR" dump steps:1 --json > "$WORK/dump.json"
"$FLOR" show steps --format csv > "$WORK/show.csv"
"$FLOR" show steps --by-epoch > "$WORK/by_epoch.txt"
cat "$WORK/show.csv"
python3 - "$WORK/dump.json" "$WORK/show.csv" "$WORK/by_epoch.txt" <<'PY' || fail "flor show"
import csv, json, sys
logs = json.load(open(sys.argv[1]))["logs"]
stored = {}  # epoch -> batch_loss values in the order logged
for l in logs:
    if l["name"] == "batch_loss":
        assert l["step"] == -1, l  # what the runtime stores: it knows no step here
        stored.setdefault(l["epoch"], []).append(l["value"])
assert sorted(stored) == [0, 1] and all(len(v) == 4 for v in stored.values()), stored
rows = list(csv.DictReader(open(sys.argv[2])))
assert list(rows[0].keys()) == ["epoch", "step", "batch_loss", "weight_sum"], rows[0].keys()
for epoch, values in stored.items():
    per_step = [r for r in rows if r["epoch"] == str(epoch) and r["step"] != ""]
    assert [r["step"] for r in per_step] == ["0", "1", "2", "3"], per_step
    assert [r["batch_loss"] for r in per_step] == values, (per_step, values)
    epoch_row = [r for r in rows if r["epoch"] == str(epoch) and r["step"] == ""]
    assert len(epoch_row) == 1 and epoch_row[0]["weight_sum"] != "" and epoch_row[0]["batch_loss"] == "", epoch_row
header = open(sys.argv[3]).readline()
assert "batch_loss@last" in header, header
PY

# Probing the block runs the loop again: its values match the record's one by one.
"$FLOR" replay steps -j 2 --probe train_epoch > "$WORK/replay.out" 2>&1 || fail "replay: $(cat "$WORK/replay.out")"
grep -q '^blocks: 0 skipped (restored), 2 re-executed' "$WORK/replay.out" || fail "blocks: $(cat "$WORK/replay.out")"
grep -qxF 'fidelity: ok (every recorded value reproduced)' "$WORK/replay.out" || fail "fidelity: $(cat "$WORK/replay.out")"
echo "show_callee_steps: ok"
