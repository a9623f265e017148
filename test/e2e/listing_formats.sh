#!/usr/bin/env bash
# --format table|csv|json on every listing (ls, log, diff's values): csv and json
# carry the same rows as the table, every digit of a value, exact byte counts.
source "$(dirname "$0")/lib.bash"
setup_example
cd "$REPO"
args=(--epochs 2 --train-size 256 --test-size 128)
"$FLOR" run fm -- ./build/train "${args[@]}" > /dev/null 2>&1
"$FLOR" run fm -- ./build/train "${args[@]}" --lr 0.5 > /dev/null 2>&1

"$FLOR" ls --format csv > "$WORK/ls.csv"
head -1 "$WORK/ls.csv" | grep -qx 'experiment,runs,last run,epochs,checkpoints,bytes' || fail "ls csv: $(cat "$WORK/ls.csv")"
grep -q "^fm,2,.*,2,[0-9]*,[0-9]*$" "$WORK/ls.csv" || fail "ls csv row: $(cat "$WORK/ls.csv")"
python3 - "$WORK/ls.csv" <(FLOR_HOME=$FLOR_HOME "$FLOR" ls --format json) <<'PY' || fail "ls csv and json differ"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
js = json.load(open(sys.argv[2]))
assert [r["experiment"] for r in rows] == [j["experiment"] for j in js] == ["fm"], (rows, js)
assert js[0]["runs"] == 2 and int(rows[0]["bytes"]) == js[0]["bytes"] > 0, js
PY

"$FLOR" log fm --format json > "$WORK/log.json"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert [x["run"] for x in r]==[2,1] and r[0]["kind"]=="record" and r[0]["status"]=="complete", r' \
  "$WORK/log.json" || fail "log json: $(cat "$WORK/log.json")"
[ "$("$FLOR" log fm --format csv | head -1)" = "run,commit,date,status,kind,of,segment,command" ] || fail "log csv header"

# diff: the values that differ, the full text of each (a table shows 6 digits).
"$FLOR" diff fm:1 fm:2 --format csv > "$WORK/diff.csv"
head -1 "$WORK/diff.csv" | grep -qx 'change,epoch,step,name,a,b' || fail "diff csv: $(head -3 "$WORK/diff.csv")"
python3 - "$WORK/diff.csv" <<'PY' || fail "diff values are not the runs' own"
import csv, subprocess, sys, os
flor = os.environ["FLOR_BUILD_DIR"] + "/tools/flor/flor"
def show(run):
    out = subprocess.run([flor, "show", "fm", "--run", run, "--format", "csv"], check=True, capture_output=True, text=True).stdout
    return {r["epoch"]: r for r in csv.DictReader(out.splitlines())}
a, b = show("1"), show("2")
rows = list(csv.DictReader(open(sys.argv[1])))
assert rows and all(r["change"] == "~" for r in rows), rows
for r in rows:
    assert r["a"] == a[r["epoch"]][r["name"]] and r["b"] == b[r["epoch"]][r["name"]], r
assert any(len(r["a"]) > 8 for r in rows), rows  # more digits than a table shows
PY
"$FLOR" diff 1 2 --format json | python3 -c 'import json,sys; r=json.load(sys.stdin); assert r and r[0]["change"]=="~", r' ||
  fail "diff 1 2 --format json"
"$FLOR" diff 1 2 | contains '^logs: (- only in A' || fail "diff table"
one_line_error "$FLOR" ls --format xml
echo "listing_formats: ok"
