#!/usr/bin/env bash
# One damaged flor.db among two experiments: flor ls lists the other and gc
# collects it; each names the damaged file and what to do in one line, and
# exits 1.
source "$(dirname "$0")/lib.bash"
setup_example
cd "$REPO"
for name in good bad; do
  for _ in 1 2; do
    "$FLOR" run $name --eps 1 -- build/train --epochs 1 "${TRAIN_ARGS[@]}" > /dev/null 2>&1 || fail "record $name"
  done
done
db=$FLOR_HOME/bad/flor.db
rm -f "$db-wal" "$db-shm"
head -c 16384 /dev/urandom > "$db"

rc=0
"$FLOR" ls > "$WORK/ls.out" 2> "$WORK/ls.err" || rc=$?
[ $rc -eq 1 ] || fail "flor ls: exit $rc"
grep -q "^good  *2 " "$WORK/ls.out" || fail "flor ls did not list good: $(cat "$WORK/ls.out")"
! grep -q "^bad " "$WORK/ls.out" || fail "flor ls listed bad: $(cat "$WORK/ls.out")"
[ "$(wc -l < "$WORK/ls.err")" -eq 1 ] && grep -q "^flor: ls: skipped 'bad': $db is damaged (.*): move it aside (mv $db " "$WORK/ls.err" ||
  fail "flor ls error: $(cat "$WORK/ls.err")"

rc=0
"$FLOR" gc > "$WORK/gc.out" 2> "$WORK/gc.err" || rc=$?
[ $rc -eq 1 ] || fail "flor gc: exit $rc"
grep -q "^good: freed .* from 1 run(s)" "$WORK/gc.out" || fail "flor gc did not collect good: $(cat "$WORK/gc.out")"
[ "$(wc -l < "$WORK/gc.err")" -eq 1 ] && grep -q "^flor: gc: skipped 'bad': $db is damaged" "$WORK/gc.err" ||
  fail "flor gc error: $(cat "$WORK/gc.err")"
one_line_error "$FLOR" show bad | contains "$db is damaged" || fail "flor show bad"
echo "driver_corrupt_store: ok"
