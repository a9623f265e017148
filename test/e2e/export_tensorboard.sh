#!/usr/bin/env bash
# flor export of a run with recorded and hindsight values: TensorBoard event
# files checked by an independent reader (Python protobuf from Debian against
# the public field numbers, CRC-32C computed in Python, values and wall times
# compared with the store read by sqlite3; flor::text as text summaries), and
# CSV / JSON lines with every value.
source "$(dirname "$0")/driver_lib.bash"
/usr/bin/python3 -c 'import google.protobuf' 2>/dev/null ||
  fail "python3-protobuf (Debian package, scripts/setup-deps) is missing"
setup_example
cd "$REPO"
epochs=2

"$FLOR" run fm --eps 1 -- ./build/train --epochs $epochs "${TRAIN_ARGS[@]}" > "$WORK/record.out"
add_hindsight_logs
FMNIST_RICH=1 "$FLOR" replay fm > "$WORK/replay.out" 2>&1 || fail "replay: $(cat "$WORK/replay.out")"

"$FLOR" export fm --tensorboard "$WORK/tb" 2> "$WORK/export.err" || fail "export: $(cat "$WORK/export.err")"
[ -d "$WORK/tb/run1" ] && [ -d "$WORK/tb/run1-hindsight" ] || fail "folders: $(ls "$WORK/tb")"
/usr/bin/python3 "$FLOR_SOURCE_DIR/test/e2e/programs/tb_reader.py" "$WORK/tb" "$FLOR_HOME/fm/flor.db" 1 \
  > "$WORK/reader.out" || fail "reader: $(cat "$WORK/reader.out")"
cat "$WORK/reader.out"
grep -q 'checked (histogram, image, scalar, text)' "$WORK/reader.out" || fail "kinds: $(cat "$WORK/reader.out")"
# flor::text's values (the reader compared each one's text and wall time).
[ "$(sqlite3 "$FLOR_HOME/fm/flor.db" "SELECT count(*) FROM logs WHERE name='worst_class' AND type='string' AND
  hindsight=1")" -eq $epochs ] || fail "flor::text values missing"
# Hindsight values carry the record's times, not the replay's.
[ "$(sqlite3 "$FLOR_HOME/fm/flor.db" "SELECT count(*) FROM epochs e JOIN epochs r ON r.epoch = e.epoch
  WHERE e.run = 1 AND r.run > 1 AND r.ended != e.ended")" -gt 0 ] || fail "replay epochs ended as the record's did?"

# The reader must catch a damaged file.
f=$(ls "$WORK/tb/run1-hindsight"/events.out.tfevents.*)
python3 -c 'import sys; p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[100] ^= 0xff; open(p, "wb").write(b)' "$f"
if /usr/bin/python3 "$FLOR_SOURCE_DIR/test/e2e/programs/tb_reader.py" "$WORK/tb" "$FLOR_HOME/fm/flor.db" 1 \
  > "$WORK/damaged.out"; then fail "the reader passed a damaged file"; fi
grep -q 'CRC' "$WORK/damaged.out" || fail "damage not found by CRC: $(cat "$WORK/damaged.out")"

"$FLOR" export fm --csv "$WORK/csv" 2>/dev/null
rows=$(sqlite3 "$FLOR_HOME/fm/flor.db" "SELECT count(*) FROM logs WHERE run=1")
[ "$(tail -n +2 "$WORK/csv/run1.csv" | grep -c '^1,')" -eq "$rows" ] || fail "csv rows"
"$FLOR" export fm --runs all --jsonl "$WORK/all.jsonl" 2>/dev/null
[ "$(wc -l < "$WORK/all.jsonl")" -eq "$rows" ] || fail "jsonl rows"
python3 - "$WORK/all.jsonl" <<'PY' || fail "jsonl values"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
cm = [r for r in rows if r["name"] == "confusion"][0]
assert cm["hindsight"] and cm["value"]["shape"] == [10, 10], cm
acc = [r for r in rows if r["name"] == "test_acc"][0]
assert isinstance(acc["value"], float), acc
PY
one_line_error "$FLOR" export fm --tensorboard "$WORK/x" --csv "$WORK/y"
echo "ok"
