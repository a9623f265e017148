#!/usr/bin/env bash
# flor gc on the example: a newer record keeps its checkpoints; the older
# record's are freed (what --dry-run announced, to the byte), its logs stay;
# a checkpoint file of this store that no row names goes at the next gc.
source "$(dirname "$0")/lib.bash"
epochs=4
record_example fm $epochs

"$FLOR" run fm --eps 1 -- ./build/train --epochs 1 "${TRAIN_ARGS[@]}" > /dev/null 2>&1
ckpt_before=$(du -sb "$FLOR_HOME/fm/ckpt" | cut -f1)
"$FLOR" gc --dry-run | tee "$WORK/gc-dry.out"
contains '^fm: would free' < "$WORK/gc-dry.out" || fail "gc --dry-run"
[ "$(du -sb "$FLOR_HOME/fm/ckpt" | cut -f1)" -eq "$ckpt_before" ] || fail "gc --dry-run changed the folder"
"$FLOR" gc | tee "$WORK/gc.out"
# (gc says what it freed only in its text line: "... (N bytes)".)
freed=$(sed -n 's/.*(\([0-9]*\) bytes)$/\1/p' "$WORK/gc.out")
[ "$freed" -gt 0 ] || fail "gc freed nothing"
[ "$(sed -n 's/.*(\([0-9]*\) bytes)$/\1/p' "$WORK/gc-dry.out")" -eq "$freed" ] || fail "gc --dry-run said otherwise"
[ "$(du -sb "$FLOR_HOME/fm/ckpt" | cut -f1)" -lt "$ckpt_before" ] || fail "checkpoint folder did not shrink"
[ "$("$FLOR" dump fm:1 --json | jq '.checkpoints | length')" -eq 0 ] || fail "record 1 still lists checkpoints"
[ "$("$FLOR" show fm --run 1 --format csv | wc -l)" -gt $epochs ] || fail "logs must survive gc"
# A checkpoint file of this store (its name carries the store id) that no row names (a gc stopped
# midway, a run killed before its row) goes at the next gc.
kept=$(ls "$FLOR_HOME/fm/ckpt" | grep -m1 '\.ckpt$')
rowless=${kept%%-r*}-r99-e00000-b0.ckpt
cp "$FLOR_HOME/fm/ckpt/$kept" "$FLOR_HOME/fm/ckpt/$rowless"
"$FLOR" gc fm > /dev/null || fail "second gc"
[ ! -e "$FLOR_HOME/fm/ckpt/$rowless" ] || fail "gc left a checkpoint no row names"
[ -e "$FLOR_HOME/fm/ckpt/$kept" ] || fail "gc deleted a kept checkpoint"
echo "driver_gc: ok"
