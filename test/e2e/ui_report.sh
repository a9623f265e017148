#!/usr/bin/env bash
# `flor report NAME`: the dashboard as one self-contained file. It loads
# nothing from elsewhere, works from file:// in headless Chromium with the
# same charts as the live page, and renders the kinds the API may return
# beside scalars (histograms, images, 2-D tensors as heatmaps, non-finite
# values shown and marked), fed through the embedded data in the API's shape.
source "$(dirname "$0")/driver_lib.bash"
source "$(dirname "$0")/ui_lib.bash"
ui_experiment
"$FLOR" report cb -o "$WORK/cb.html" > "$WORK/report.out" || fail "report: $(cat "$WORK/report.out")"
grep -q "^flor report: $WORK/cb.html " "$WORK/report.out" || fail "report output: $(cat "$WORK/report.out")"
# Nothing loaded from elsewhere (Chart.js's comments name its web site: not a load).
! grep -qiE '<(script|img|iframe)[^>]+src=|<link[^>]+href=|fetch\(.https?:|import\(' "$WORK/cb.html" ||
  fail "the report loads something from outside it: $(grep -oiE '<(script|img|iframe)[^>]+src=[^>]*|<link[^>]+href=[^>]*|fetch\(.https?:[^)]*' "$WORK/cb.html" | head -3)"
one_line_error "$FLOR" report nope
one_line_error "$FLOR" report ../cb
browser_test "file://$WORK/cb.html#test&select=1,2" "$WORK/report.json"
python3 - "$WORK/report.json" <<'PY' || fail "report page: $(cat "$WORK/report.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["errors"] == [] and r["embedded"] and r["runs"] == 5, r
assert r["selected"] == [1, 2] and r["charts"] == 4, r
assert [x["label"] for x in r["datasets"] if x["hindsight"]] == ["run 1 weight_norm (hindsight)"], r
assert r["firstDivergence"] and "calls" in r["firstDivergence"], r
PY

# Crafted documents of the other kinds, in the API's shape, embedded in the report.
python3 - "$WORK/cb.html" "$WORK/kinds.html" <<'PY' || fail "cannot craft the kinds page"
import json, re, sys
page = open(sys.argv[1]).read()
m = re.search(r'(<script id="flor-data" type="application/json">)(.*?)(</script>)', page, re.S)
data = json.loads(m.group(2))
series = data["/api/experiments/cb/runs/2/series"]["series"]
png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
series += [
    {"name": "grad_hist", "kind": "histogram", "axis": "epoch", "hindsight": [], "diverged": [],
     "recorded": [[e, {"edges": [0, 1, 2, 3], "counts": [e, 2, 1]}] for e in range(4)]},
    {"name": "samples", "kind": "image", "axis": "epoch", "hindsight": [], "diverged": [],
     "recorded": [[e, {"src": png}] for e in range(2)]},
    {"name": "confusion", "kind": "tensor", "axis": "epoch", "hindsight": [], "diverged": [],
     "recorded": [[0, {"shape": [3, 3], "data": [[5, 1, 0], [0, 4, 2], [1, 0, 6]]}]]},
    {"name": "blowup", "kind": "scalar", "axis": "epoch", "hindsight": [], "diverged": [],
     "recorded": [[0, 1.5], [1, "inf"], [2, "nan"], [3, 2.5]]},
]
body = json.dumps(data).replace("</", "<\\/")
open(sys.argv[2], "w").write(page[:m.start(2)] + body + page[m.end(2):])
PY
browser_test "file://$WORK/kinds.html#test" "$WORK/kinds.json"
python3 - "$WORK/kinds.json" <<'PY' || fail "kinds page: $(cat "$WORK/kinds.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["errors"] == [], r
assert r["charts"] == 5 and "blowup" in r["names"], r      # scalars only; the other kinds have their own views
assert r["histograms"] == 1 and len(r["images"]) == 1 and r["images"][0].startswith("data:image/png"), r
assert r["heatmapCells"] == 9, r
nf = [x for x in r["datasets"] if x["nonFinite"]]
assert len(nf) == 1 and nf[0]["chart"] == "blowup" and nf[0]["points"] == 2, r["datasets"]
assert any("inf at 1" in n and "nan at 2" in n for n in r["notes"]), r["notes"]
PY
screenshot "file://$WORK/cb.html" "$WORK/report.png"
colours=$(png_colours "$WORK/report.png") || fail "cannot read the screenshot"
[ "$colours" -gt 20 ] || fail "the report's screenshot is blank: $colours colour(s)"
echo "ui_report: ok ($colours colours)"
