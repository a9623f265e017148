#!/usr/bin/env bash
# Typed values in hindsight: record the example, add a confusion matrix, a
# weight histogram and an image of predictions (FMNIST_RICH), replay with -j 2.
# They are stored whole and equal byte for byte to a run that logged them from
# the start; flor show prints their short forms and --format json whole values;
# a deliberately perturbed replay names the first differing element.
source "$(dirname "$0")/driver_lib.bash"
command -v sqlite3 >/dev/null || fail "sqlite3 (Debian package sqlite3, scripts/setup-deps) is missing"
setup_example
cd "$REPO"
epochs=3

"$FLOR" run fm --eps 1 -- ./build/train --epochs $epochs "${TRAIN_ARGS[@]}" > "$WORK/record.out"
add_hindsight_logs
FMNIST_RICH=1 "$FLOR" replay fm -j 2 > "$WORK/j2.out" 2>&1 || fail "replay -j 2: $(cat "$WORK/j2.out")"
grep -q '^fidelity: ok' "$WORK/j2.out" || fail "fidelity: $(cat "$WORK/j2.out")"

# The same program logging them from the start (a second experiment).
FMNIST_RICH=1 "$FLOR" run ref --eps 1 -- ./build/train --epochs $epochs "${TRAIN_ARGS[@]}" > "$WORK/ref.out"

values() {  # every byte of the typed values, from the store itself
  sqlite3 "$FLOR_HOME/$1/flor.db" "SELECT epoch, name, type, value, hex(data), blob FROM logs
    WHERE name IN ('confusion', 'fc1_weight', 'predictions') ORDER BY epoch, name"
}
[ "$(values fm | wc -l)" -eq $((3 * epochs)) ] || fail "hindsight values: $(values fm)"
[ "$(values fm)" = "$(values ref)" ] || fail "hindsight values differ from the plain run's:
$(diff <(values fm) <(values ref))"
# Stored whole: a 10x10 int64 matrix is 800 bytes, inline; the image is a PNG file.
[ "$(sqlite3 "$FLOR_HOME/fm/flor.db" "SELECT DISTINCT length(data) FROM logs WHERE name='confusion'")" = 800 ] ||
  fail "confusion matrix not stored whole"
png=$(sqlite3 "$FLOR_HOME/fm/flor.db" "SELECT blob FROM logs WHERE name='predictions' LIMIT 1")
[ "$(head -c 8 "$FLOR_HOME/fm/ckpt/values/$png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] || fail "not a PNG: $png"

"$FLOR" show fm --format csv > "$WORK/show.csv"
head -1 "$WORK/show.csv" | contains 'confusion,fc1_weight,predictions' || fail "columns: $(head -1 "$WORK/show.csv")"
contains ',"int64\[10,10\]",hist\[30\] mean=[-0-9.e]* min=.*,image 112x112x1' < "$WORK/show.csv" ||
  fail "short forms: $(cat "$WORK/show.csv")"
"$FLOR" show fm --format json > "$WORK/show.json"
python3 - "$WORK/show.json" "$FLOR_HOME/fm" <<'PY' || fail "show --format json"
import json, os, sys
rows = [r for r in json.load(open(sys.argv[1])) if r.get("confusion") is not None]
assert len(rows) == 3, rows
cm = rows[0]["confusion"]
assert cm["dtype"] == "int64" and cm["shape"] == [10, 10], cm
assert len(cm["values"]) == 10 and all(len(r) == 10 for r in cm["values"]), cm
assert sum(map(sum, cm["values"])) == 300, "every test image counted once"
h = rows[0]["fc1_weight"]
assert len(h["edges"]) == 31 and len(h["counts"]) == 30 and sum(h["counts"]) == h["count"] == 784 * 256, h
im = rows[0]["predictions"]
assert (im["height"], im["width"], im["channels"]) == (112, 112, 1), im  # 16 images: 4 x 4
assert os.path.isfile(im["path"]) and im["path"].startswith(sys.argv[2]), im
PY

# A replay whose matrix differs from the recorded one: the first element named.
rc=0
FMNIST_RICH=1 FMNIST_PERTURB=1 "$FLOR" replay ref > "$WORK/perturbed.out" 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "a perturbed replay passed: $(cat "$WORK/perturbed.out")"
grep -q "'confusion'.*first difference at \[0,1\]: recorded [0-9]*, replayed [0-9]*" "$WORK/perturbed.out" ||
  fail "no first differing element: $(cat "$WORK/perturbed.out")"
echo "ok"
