#!/usr/bin/env bash
# The dashboard over real typed values: the example recorded, then a replay
# fills in FMNIST_RICH's confusion matrix (a 2-D tensor), weight histogram and
# image of predictions. `flor ui` serves them as tensor, histogram and image
# series, the image's PNG at its values path (equal to the blob; bad keys
# refused), and the page draws them in headless Chromium; `flor report` holds
# the image itself as a data: URI.
source "$(dirname "$0")/driver_lib.bash"
source "$(dirname "$0")/ui_lib.bash"
record_example fm 2
add_hindsight_logs
FMNIST_RICH=1 "$FLOR" replay fm > "$WORK/replay.out" 2>&1 || fail "replay: $(cat "$WORK/replay.out")"

start_ui
curl -sf "${UI_URL}api/experiments/fm/runs/1/series" > "$WORK/series.json" || fail "series of run 1"
src=$(python3 - "$WORK/series.json" <<'PY') || fail "series: $(cat "$WORK/series.json")"
import json, sys
s = {x["name"]: x for x in json.load(open(sys.argv[1]))["series"]}
cm, h, im = s["confusion"], s["fc1_weight"], s["predictions"]
assert cm["kind"] == "tensor" and len(cm["hindsight"]) == 2 and cm["recorded"] == [], cm
m = cm["hindsight"][0][1]
assert m["shape"] == [10, 10] and len(m["data"]) == 10 and all(len(r) == 10 for r in m["data"]), m
assert sum(map(sum, m["data"])) == 300, "every test image counted once"
assert h["kind"] == "histogram" and len(h["hindsight"]) == 2, h
hv = h["hindsight"][0][1]
assert len(hv["edges"]) == 31 and len(hv["counts"]) == 30 and sum(hv["counts"]) == 784 * 256, hv
assert im["kind"] == "image" and len(im["hindsight"]) == 2, im
src = im["hindsight"][0][1]["src"]
assert src.startswith("/api/experiments/fm/values/") and src.endswith(".png"), src
assert s["loss"]["kind"] == "scalar", s["loss"]
print(src)
PY
key=${src##*/}
curl -sf "${UI_URL}${src#/}" > "$WORK/served.png" || fail "GET $src"
cmp -s "$WORK/served.png" "$FLOR_HOME/fm/ckpt/values/$key" || fail "the served image is not the blob $key"
type=$(curl -s -o /dev/null -w '%{content_type}' "${UI_URL}${src#/}")
[ "$type" = image/png ] || fail "content type of $src: $type"
status() { curl -s -o "$WORK/error.json" -w '%{http_code}' --path-as-is "${UI_URL}$1"; }
for bad in "api/experiments/fm/values/nope.png" "api/experiments/fm/values/${key%.png}" \
           "api/experiments/fm/values/..%2Fflor.db" "api/experiments/fm/values/../flor.db" \
           "api/experiments/../values/$key" "api/experiments/nope/values/$key"; do
  code=$(status "$bad")
  [[ "$code" == 4* ]] || fail "GET /$bad: $code, expected 4xx"
  grep -q '"error"' "$WORK/error.json" || fail "GET /$bad: no message: $(cat "$WORK/error.json")"
done
code=$(status "api/experiments/fm/values/0123456789abcdef-12.png")
[ "$code" = 404 ] || fail "an unknown key: $code, expected 404"

check_page() {  # URL REPORT SRC_PREFIX
  browser_test "$1" "$2"
  python3 - "$2" "$3" <<'PY' || fail "page $1: $(cat "$2")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["errors"] == [], r
assert r["histograms"] == 1 and r["heatmapCells"] == 100, r
assert len(r["images"]) == 1 and r["images"][0].startswith(sys.argv[2]), r["images"]
assert "confusion" not in r["names"], r  # not a scalar chart
PY
}
check_page "${UI_URL}#test" "$WORK/live.json" /api/experiments/fm/values/
"$FLOR" report fm -o "$WORK/fm.html" > "$WORK/report.out" || fail "report: $(cat "$WORK/report.out")"
grep -q "/api/experiments/fm/values/" "$WORK/fm.html" && fail "the report links an image instead of holding it"
check_page "file://$WORK/fm.html#test" "$WORK/report.json" "data:image/png;base64,iVBORw0KGgo"
echo "ui_rich_values: ok"
