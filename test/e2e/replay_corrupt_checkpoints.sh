#!/usr/bin/env bash
# Every checkpoint of a record is corrupt (bytes flipped in every pack): the
# workers of `flor replay -j 2` refuse each one and re-execute, and the
# summary says so, naming every file, instead of a plain "fidelity: ok"; the
# exit status is 4 (docs/cli.md), not 0. Read from the store's report, not
# from the per-worker logs.
source "$(dirname "$0")/lib.bash"
setup_program callee_batches
cd "$REPO"
epochs=4

"$FLOR" run bad --eps 1 -- ./build/train --epochs $epochs > "$WORK/record.out" 2>&1 || fail "record: $(cat "$WORK/record.out")"
"$FLOR" dump bad:1 --json > "$WORK/dump.json"
paths=$(python3 -c 'import json,sys; print("\n".join(c["path"] for c in json.load(open(sys.argv[1]))["checkpoints"]))' "$WORK/dump.json")
[ "$(wc -l <<<"$paths")" -eq $epochs ] || fail "checkpoints recorded: $paths"

# Intact, the replay restores and exits 0: what the corrupt case is compared with.
"$FLOR" replay bad -j 2 --no-probes > "$WORK/ok.out" 2>&1 || fail "replay of intact checkpoints: $(cat "$WORK/ok.out")"
grep -qxF 'fidelity: ok (every recorded value reproduced)' "$WORK/ok.out" || fail "intact: $(cat "$WORK/ok.out")"
! grep -q 'refused' "$WORK/ok.out" || fail "intact replay refused something: $(cat "$WORK/ok.out")"

for f in "$FLOR_HOME"/bad/ckpt/packs/*.pack; do
  printf '\xde\xad\xbe\xef\xde\xad\xbe\xef' | dd of="$f" bs=1 seek=4096 conv=notrunc status=none
done
rc=0
"$FLOR" replay bad -j 2 --no-probes > "$WORK/bad.out" 2> "$WORK/bad.err" || rc=$?
cat "$WORK/bad.out"
[ $rc -eq 4 ] || fail "exit status $rc, expected 4: $(cat "$WORK/bad.out" "$WORK/bad.err")"
grep -q "^epochs replayed: $epochs of $epochs" "$WORK/bad.out" || fail "epochs replayed"
grep -q "^blocks: 0 skipped (restored), [0-9]* re-executed" "$WORK/bad.out" || fail "blocks line"
grep -q "^checkpoints refused: $epochs (corrupt" "$WORK/bad.out" || fail "refused count"
for p in $paths; do
  [ "$(grep -c "^  $p (epoch [0-9]*, block 'train_epoch'): .*fails its checksum.*; re-executing block 'train_epoch'\|^  $p (epoch [0-9]*, block 'train_epoch'): .*fails its checksum.*; falling back" "$WORK/bad.out")" -eq 1 ] ||
    fail "$p not named once: $(cat "$WORK/bad.out")"
done
grep -q '^restored: nothing: every checkpoint this replay tried was refused' "$WORK/bad.out" || fail "nothing restored not said"
grep -qxF 'fidelity: ok (every recorded value reproduced), but no checkpoint could be restored' "$WORK/bad.out" ||
  fail "verdict: $(grep fidelity "$WORK/bad.out")"

# One segment in this process: the same summary and status.
rc=0
"$FLOR" replay bad 2/2 --no-probes > "$WORK/seg.out" 2> "$WORK/seg.err" || rc=$?
[ $rc -eq 4 ] || fail "2/2: exit status $rc, expected 4: $(cat "$WORK/seg.out" "$WORK/seg.err")"
grep -q '^restored: nothing' "$WORK/seg.out" || fail "2/2 summary: $(cat "$WORK/seg.out")"
echo "replay_corrupt_checkpoints: ok"
