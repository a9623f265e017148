#!/usr/bin/env bash
# A record whose driver and program are killed (kill -9) mid-run: flor ls and
# flor log show the run dead (and the store keeps that), and flor gc, which
# skips an experiment while a run is alive, collects it and removes the temp
# files the killed writer left.
source "$(dirname "$0")/lib.bash"
need_commands sqlite3
setup_example
cd "$REPO"

"$FLOR" run mnist --eps 1 -- build/train --epochs 500 "${TRAIN_ARGS[@]}" > "$WORK/run.out" 2>&1 &
driver=$!
# The program's pid once it has claimed its run (the driver's before) and a checkpoint is written.
prog=
for _ in $(seq 600); do
  dump=$("$FLOR" dump mnist:1 --json 2>/dev/null || true)
  pid=$(jq -r '.run.process.pid // empty' <<<"$dump" 2>/dev/null || true)
  if [ -n "$pid" ] && [ "$pid" != "$driver" ] && [ "$(jq '.checkpoints | length' <<<"$dump")" -gt 0 ]; then prog=$pid; break; fi
  sleep 0.1
done
[ -n "$prog" ] || fail "the program never claimed run 1 with a checkpoint: $(cat "$WORK/run.out")"
"$FLOR" gc mnist | contains '^mnist: skipped (a run is still running)' || fail "gc beside a live run"

kill -9 "$driver" "$prog"
wait "$driver" 2>/dev/null || true
for _ in $(seq 100); do alive "$prog" || break; sleep 0.1; done
# What a checkpoint write cut by the kill leaves: temp files named by its pid.
ckpt=$FLOR_HOME/mnist/ckpt
echo partial > "$ckpt/packs/00000000deadbeef.pack.tmp-$prog"
echo partial > "$ckpt/x-r1-e00099.ckpt.tmp-$prog"

"$FLOR" ls | contains "^mnist .* 1 record dead " || fail "flor ls: $("$FLOR" ls)"
"$FLOR" log mnist > "$WORK/log.out" 2> "$WORK/log.err"
grep -q "^ *1 .* dead  *record " "$WORK/log.out" || fail "flor log: $(cat "$WORK/log.out")"
grep -q "^flor: run 1 is dead: its process (pid $prog on .*) ended without finishing it$" "$WORK/log.err" ||
  fail "flor log note: $(cat "$WORK/log.err")"
expect_eq "$(q mnist "select status from runs where id=1")" dead "dead not stored"

"$FLOR" gc mnist | contains '^mnist: freed .* from 0 run(s)$' || fail "gc after the run died"
[ -z "$(find "$ckpt" -name '*.tmp-*')" ] || fail "temp files left: $(find "$ckpt" -name '*.tmp-*')"
# The dead record is the newest: the checkpoints its rows name stay.
paths=$("$FLOR" dump mnist:1 --json | jq -r '.checkpoints[].path')
[ -n "$paths" ] || fail "no checkpoint rows: $("$FLOR" dump mnist:1)"
for p in $paths; do [ -f "$FLOR_HOME/mnist/$p" ] || fail "gc deleted the dead record's $p"; done
echo "driver_dead_run: ok"
