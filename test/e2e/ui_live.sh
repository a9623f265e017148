#!/usr/bin/env bash
# Live updates in a real browser: a record under way (its epochs gated by
# files the test creates, so nothing depends on timing) is shown as running,
# and its charts grow epoch by epoch as the page polls `flor ui`; once the run
# ends the page says so and its charts hold exactly the stored values. Driven
# through the DevTools protocol (test/e2e/cdp.py): one --dump-dom sees only one moment.
source "$(dirname "$0")/driver_lib.bash"
source "$(dirname "$0")/ui_lib.bash"
setup_program callee_batches
cd "$REPO"
mkdir "$WORK/gate"
"$FLOR" run live --eps 1 -- ./build/train --epochs 4 --gate "$WORK/gate" > "$WORK/run.out" 2>&1 &
RUN_PID=$!
# On any failure, open every gate so the record ends by itself: nothing is left running.
trap 'touch "$WORK"/gate/{1,2,3}; wait "$RUN_PID"; [ -n "$UI_PID" ] && kill "$UI_PID" 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 300); do grep -q "^epoch 0 " "$WORK/run.out" && break; sleep 0.1; done
grep -q "^epoch 0 " "$WORK/run.out" || fail "the record did not start: $(cat "$WORK/run.out")"
start_ui

# JS: an expression over points(NAME) (the newest run's line in NAME's chart), live() and status().
js() {
  echo "(() => { const points = (n) => { const c = florPage.state.charts.find((c) => c.name === n);
    return c ? c.chart.data.datasets[0].data.length : 0; };
    const live = () => document.getElementById('live').textContent;
    const status = () => document.querySelector('#runs tbody tr [class^=status-]').textContent;
    return $1; })()"
}
python3 "$FLOR_SOURCE_DIR/test/e2e/cdp.py" "$UI_URL" \
  "wait:$(js "status() === 'running' && live() === 'live: 1 running' && points('weight_sum') === 1")" \
  "print:$(js "[points('weight_sum'), points('batch_loss')]")" \
  "run:touch $WORK/gate/1" \
  "wait:$(js "points('weight_sum') === 2")" \
  "print:$(js "[points('weight_sum'), points('batch_loss'), status()]")" \
  "run:touch $WORK/gate/2 $WORK/gate/3" \
  "wait:$(js "status() === 'complete' && live() === '' && points('weight_sum') === 4")" \
  "print:$(js "florPage.state.charts.find((c) => c.name === 'weight_sum').chart.data.datasets[0].data.map((p) => p.y)")" \
  "print:florPage.state.errors" > "$WORK/cdp.out" 2> "$WORK/cdp.err" ||
  fail "the page: $(cat "$WORK/cdp.out" "$WORK/cdp.err")"
wait "$RUN_PID" || fail "the record failed: $(cat "$WORK/run.out")"
mapfile -t seen < "$WORK/cdp.out"
expect_eq "${seen[0]}" "[1, 4]" "epoch 0 while running (weight_sum, batch_loss points)"
expect_eq "${seen[1]}" '[2, 8, "running"]' "epoch 1 while running"
expect_eq "${seen[3]}" "[]" "page errors"
want=$(log_values live 1 weight_sum | awk '{print $2}' | jq -cs .)
expect_eq "$(jq -c . <<<"${seen[2]}")" "$want" "the charted weight_sum after the run equals the store's"
echo "ui_live: ok"
