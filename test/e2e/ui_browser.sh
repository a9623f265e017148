#!/usr/bin/env bash
# The dashboard in a real browser (headless Chromium) against `flor ui` on a
# free loopback port: no errors, a chart per logged scalar name of the newest
# record, ticking two runs overlays them (each name charted once, a line per
# run), the hindsight series present and marked (dashed, its own label), the
# diverged replay's values apart from hindsight ones, the first divergence
# highlighted, and a screenshot that is not blank.
source "$(dirname "$0")/driver_lib.bash"
source "$(dirname "$0")/ui_lib.bash"
ui_experiment
start_ui
browser_test "${UI_URL}#test" "$WORK/default.json"
browser_test "${UI_URL}#test&select=1,2" "$WORK/overlay.json"
python3 - "$WORK/default.json" "$WORK/overlay.json" <<'PY' || fail "page: $(cat "$WORK/default.json" "$WORK/overlay.json")"
import json, sys
d, o = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for r in (d, o):
    assert r["errors"] == [] and not r["embedded"] and r["runs"] == 5, r
# the newest record (run 2) by default: a chart per scalar name it has
assert d["selected"] == [2] and sorted(d["names"]) == ["batch_loss", "calls", "weight_norm", "weight_sum"], d
assert d["charts"] == 4, d
# run 1 and run 2 overlaid: the union of their names, a dataset per run in shared charts
assert o["selected"] == [1, 2] and o["charts"] == 4 == len(set(o["names"])), o
labels = {(x["chart"], x["label"]) for x in o["datasets"]}
for n in ("batch_loss", "weight_sum"):
    assert (n, "run 1 " + n) in labels and (n, "run 2 " + n) in labels, labels
hs = [x for x in o["datasets"] if x["hindsight"]]
assert [(x["chart"], x["label"]) for x in hs] == [("weight_norm", "run 1 weight_norm (hindsight)")], hs
assert hs[0]["dashed"] and hs[0]["points"] == 4, hs
assert not any(x["dashed"] for x in o["datasets"] if not x["hindsight"] and not x["diverged"]), o["datasets"]
dv = [x for x in o["datasets"] if x["diverged"]]
assert [x["label"] for x in dv] == ["run 2 weight_norm (diverged replay)"], dv
assert o["firstDivergence"] and "calls" in o["firstDivergence"], o
PY
screenshot "${UI_URL}" "$WORK/page.png"
colours=$(png_colours "$WORK/page.png") || fail "cannot read the screenshot"
[ "$colours" -gt 20 ] || fail "the screenshot is blank: $colours colour(s)"
echo "ui_browser: ok ($colours colours)"
