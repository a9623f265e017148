#!/usr/bin/env bash
# bench/ui_report.sh BUILD [RUNS EPOCHS METRICS]: the size of `flor report` for
# an experiment of RUNS x EPOCHS x METRICS (default 50 x 100 x 10; goal: under
# 5 MB) and how long headless Chromium takes to open it (goal: under 2 s):
# the page's own clock from navigation start to every chart drawn, for the
# default view (the newest run) and with every run overlaid. Best of 2.
set -euo pipefail
build=${1:?usage: bench/ui_report.sh BUILD [RUNS EPOCHS METRICS]}
runs=${2:-50} epochs=${3:-100} metrics=${4:-10}
work=$(mktemp -d /tmp/flor-bench-ui-XXXXXX)
trap 'rm -rf "$work"' EXIT
"$build/bench/ui_store" "$work/home" big "$runs" "$epochs" "$metrics"
FLOR_HOME=$work/home "$build/tools/flor/flor" report big -o "$work/big.html"
bytes=$(stat -c %s "$work/big.html")
all=$(seq -s, 1 "$runs")
open_ms() {  # FRAGMENT: the page's time to its test report, best of 3
  local best=""
  for _ in 1 2; do
    chromium --headless --no-sandbox --disable-gpu --window-size=1280,1000 --dump-dom "file://$work/big.html#$1" \
      2> /dev/null > "$work/dom.html"
    ms=$(python3 -c 'import html,json,re,sys; m=re.search(r"<pre id=\"flor-test\">(.*?)</pre>", open(sys.argv[1]).read(), re.S); r=json.loads(html.unescape(m.group(1))); assert not r["errors"], r["errors"]; print(r["ms"], r["charts"], len(r["datasets"]))' "$work/dom.html")
    read -r t charts sets <<<"$ms"
    [ -z "$best" ] || [ "$t" -lt "$best" ] && best=$t
  done
  echo "$best ms ($charts charts, $sets lines)"
}
echo "report: $bytes bytes ($(python3 -c "print(round($bytes/1e6, 2))") MB) for $runs runs x $epochs epochs x $metrics metrics"
echo "open, newest run:  $(open_ms test)"
echo "open, all runs:    $(open_ms "test&select=$all")"
