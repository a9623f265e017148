#!/usr/bin/env bash
# flor ui's JSON API over a real store: every endpoint answers JSON that
# matches the store; bad parameters (unknown experiment or run, bad name or
# id, unknown path) get 4xx with a message; `..` in any parameter is refused;
# --port 0 picks a free port; a second server on a port in use fails with one
# line; --host other than loopback warns that there is no authentication.
source "$(dirname "$0")/driver_lib.bash"
source "$(dirname "$0")/ui_lib.bash"
ui_experiment
start_ui
grep -q '^http://127.0.0.1:[0-9]*/$' <<<"$UI_URL" || fail "URL: $UI_URL"
[ ! -s "$WORK/ui.err" ] || fail "loopback printed a warning: $(cat "$WORK/ui.err")"
get() {  # PATH OUT: the body in OUT, prints the HTTP status
  curl -s -o "$2" -w '%{http_code}' --path-as-is "${UI_URL%/}$1"
}
[ "$(get / "$WORK/page.html")" = 200 ] || fail "GET /"
grep -q 'Chart.js v3' "$WORK/page.html" || fail "the page does not embed Chart.js"
! grep -qiE '<script[^>]+src=|<link[^>]+href=' "$WORK/page.html" || fail "the page loads files from elsewhere"
"$FLOR" dump cb:1 --json > "$WORK/dump1.json"

for path in /api/experiments /api/experiments/cb/runs /api/experiments/cb/sweeps /api/experiments/cb/runs/1/series \
            /api/experiments/cb/runs/4/series /api/experiments/cb/runs/2/divergences /api/experiments/cb/runs/4/divergences \
            /api/experiments/cb/runs/2/diff /api/experiments/cb/runs/1/diff; do
  name=$(tr / _ <<<"$path")
  [ "$(get "$path" "$WORK/$name.json")" = 200 ] || fail "GET $path: $(cat "$WORK/$name.json")"
done
python3 - "$WORK" <<'PY' || fail "API documents"
import json, sys
w = sys.argv[1]
doc = lambda p: json.load(open(w + "/" + p.replace("/", "_") + ".json"))
assert doc("/api/experiments") == [{"name": "cb", "runs": 5, "last_started": doc("/api/experiments")[0]["last_started"]}], doc("/api/experiments")
runs = doc("/api/experiments/cb/runs")
assert [r["id"] for r in runs] == [5, 4, 3, 2, 1], runs
by = {r["id"]: r for r in runs}
dump = json.load(open(w + "/dump1.json"))
r1 = by[1]
assert r1["kind"] == "record" and r1["status"] == "complete" and r1["vid"] == dump["run"]["vid"], (r1, dump["run"])
assert r1["checkpoints"] == len(dump["checkpoints"]) == 4 and r1["bytes"] == sum(c["bytes"] for c in dump["checkpoints"]) > 0, r1
assert r1["args"]["epochs"] == "4" and r1["epochs"] == 4 and r1["duration_s"] > 0 and r1["command"][0] == "./build/train", r1
assert by[3]["kind"] == "replay" and by[3]["parent"] == 1 and by[4]["divergences"] + by[5]["divergences"] > 0, by
assert doc("/api/experiments/cb/sweeps") == [], "no sweeps"
s1 = doc("/api/experiments/cb/runs/1/series")
names = {s["name"]: s for s in s1["series"]}
assert set(names) == {"batch_loss", "weight_sum", "weight_norm"}, names.keys()
logs = [l for l in dump["logs"]]
# every logged value is in the series, recorded apart from hindsight
for n, s in names.items():
    rec = [l for l in logs if l["name"] == n and not l["hindsight"]]
    hs = [l for l in logs if l["name"] == n and l["hindsight"]]
    assert len(s["recorded"]) == len(rec) and len(s["hindsight"]) == len(hs), (n, s, len(rec), len(hs))
    assert s["kind"] == "scalar", s
assert names["weight_norm"]["hindsight"] and not names["weight_norm"]["recorded"], names["weight_norm"]
assert names["batch_loss"]["axis"] == "step" and names["weight_sum"]["axis"] == "epoch", names
xs = [p[0] for p in names["batch_loss"]["recorded"]]
assert xs == sorted(xs) and len(set(xs)) == len(xs), xs  # a global step per value
assert [p[1] for p in names["weight_sum"]["recorded"]] == [float(l["value"]) for l in logs if l["name"] == "weight_sum"]
# a replay's series are its record's; a diverged replay's values are not hindsight
s4 = doc("/api/experiments/cb/runs/4/series")
assert s4["record"] == 2, s4
wn = [s for s in s4["series"] if s["name"] == "weight_norm"][0]
assert wn["diverged"] and not wn["hindsight"], wn
d2 = doc("/api/experiments/cb/runs/2/divergences")["divergences"]
assert d2 and {d["run"] for d in d2} == {4, 5} and all(d["name"] == "calls" for d in d2), d2
assert sum(d["first"] for d in d2) == 2 and d2[0]["first"], d2  # each replay's first
assert doc("/api/experiments/cb/runs/4/divergences")["divergences"] == [d for d in d2 if d["run"] == 4]
diff = doc("/api/experiments/cb/runs/2/diff")
assert diff["previous"] == 1 and "+// version 2" in diff["patch"], diff
assert doc("/api/experiments/cb/runs/1/diff")["previous"] is None, "run 1 is the first version"
PY

# Bad parameters: 4xx with a message, never a crash.
bad() {  # STATUS PATH
  local got
  got=$(get "$2" "$WORK/bad.json")
  [ "$got" = "$1" ] || fail "GET $2: $got, expected $1: $(cat "$WORK/bad.json")"
  python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["error"]; assert len(e) > 10, e; print("ok", sys.argv[2], "->", e)' \
    "$WORK/bad.json" "$2" || fail "GET $2: no message: $(cat "$WORK/bad.json")"
}
bad 404 /api/experiments/nope/runs
bad 404 /api/experiments/cb/runs/99/series
bad 400 /api/experiments/cb/runs/x1/series
bad 400 /api/experiments/cb/runs/-1/diff
bad 400 /api/experiments/.hidden/runs
bad 404 /api/experiments/cb/runs/1/blobs
bad 404 /api/experiments/cb/bogus
bad 404 /api/nothing
bad 404 /etc/passwd
bad 400 "/api/experiments/cb/runs?id=1"
# Path traversal, plain and encoded, in every parameter.
bad 400 /api/experiments/../runs
bad 400 /api/experiments/..%2f..%2fetc/runs
bad 400 /api/experiments/cb/runs/..%2f1/series
bad 400 /api/experiments/%2e%2e/sweeps
bad 400 /api/experiments/cb/runs/1/..
bad 400 "/api/experiments/cb%2f..%2f..%2f..%2fetc/runs"
bad 404 /../../etc/passwd
alive "$UI_PID" || fail "the server died"
[ "$(get /api/experiments "$WORK/again.json")" = 200 ] || fail "the server stopped answering"

# A port in use: one line naming it. Another host: a warning.
port=$(sed 's/.*:\([0-9]*\)\/$/\1/' <<<"$UI_URL")
one_line_error "$FLOR" ui --port "$port" | contains "127.0.0.1:$port" || fail "the error does not name the port"
one_line_error "$FLOR" ui --port 70000
kill "$UI_PID"; UI_PID=""
start_ui --host 0.0.0.0
grep -q 'no authentication' "$WORK/ui.err" || fail "no warning for 0.0.0.0: $(cat "$WORK/ui.err")"
grep -q '^http://0.0.0.0:[0-9]*/$' <<<"$UI_URL" || fail "URL: $UI_URL"
echo "ui_api: ok"
