#!/usr/bin/env bash
# Checkpoints in an object store (FLOR_CKPT_URL, docs/object-store.md), against
# a real S3-compatible server (s3rver from the npm registry, installed by
# scripts/setup-deps) on a free 127.0.0.1 port:
# - a record copies every checkpoint in the background: rows end 'remote', and
#   the objects are exactly the local files;
# - a replay on "another machine" (an empty FLOR_HOME holding only a copy of
#   flor.db) downloads what it restores into FLOR_HOME/NAME/ckpt, replays
#   faithfully, and a second replay reuses the cached files;
# - a damaged remote object is downloaded again, then refused naming the object
#   (the epoch is re-executed instead);
# - flor gc deletes the objects of dropped checkpoints (its dry run lists them,
#   with exact bytes, and changes nothing);
# - the server dying mid-record: training completes, a warning, rows stay local.
source "$(dirname "$0")/lib.bash"
source "$FLOR_SOURCE_DIR/test/common/s3.bash"
setup_fmnist_binaries

start_s3

export FLOR_CKPT_URL=s3://ckpts/team
# "key size" lines of every object under PREFIX, sorted.
s3ls() {
  s3curl "http://127.0.0.1:$PORT/ckpts?list-type=2&prefix=$1" | python3 -c '
import sys, xml.etree.ElementTree as ET
ns = {"s": "http://doc.s3.amazonaws.com/2006-03-01/"}
root = ET.fromstring(sys.stdin.read())
for c in root.iter():
    if c.tag.endswith("Contents"):
        k = [e.text for e in c if e.tag.endswith("Key")][0]
        n = [e.text for e in c if e.tag.endswith("Size")][0]
        print(k, n)' | sort
}
# "key size" lines of the local checkpoint files of HOME, as their object keys.
local_ls() { (cd "$1/fm" && find ckpt -type f ! -name '*.tmp-*' -printf 'team/fm/%p %s\n' | sort); }

E=4
A=$WORK/A
mkdir -p "$A"
# --- record: every checkpoint remote, the objects are the local files ---
FLOR_HOME=$A "$TRAIN" --epochs $E "${ARGS[@]}" --flor fm 1 > "$WORK/record.out" 2> "$WORK/record.err" ||
  fail "record: $(cat "$WORK/record.err")"
FLOR_HOME=$A
n=$(q fm "select count(*) from checkpoints where run=1")
[ "$n" -ge $E ] || fail "record: expected a checkpoint every epoch, got $n"
expect_eq "$(q fm "select group_concat(distinct location) from checkpoints where run=1")" remote "row locations after the record"
expect_eq "$(s3ls team/fm/)" "$(local_ls "$A")" "remote objects = local checkpoint files"
grep -q "warning" "$WORK/record.err" && fail "record warned: $(cat "$WORK/record.err")"

# --- replay on another machine: only flor.db; files downloaded, verified, cached ---
B=$WORK/B
mkdir -p "$B/fm" && cp "$A/fm/flor.db" "$B/fm/"
FLOR_HOME=$B "$TRAIN_HS" --replay_flor > "$WORK/replay.out" 2> "$WORK/replay.err" || fail "replay: $(cat "$WORK/replay.err")"
FLOR_HOME=$B
R=$(q fm "select max(id) from runs")
expect_eq "$(q fm "select status from runs where id=$R")" complete "replay B"
expect_eq "$(q fm "select sum(skipped)||'/'||sum(executed) from epochs where run=$R")" "$E/0" "replay B: every epoch restored"
expect_eq "$(q fm "select count(*) from divergences where run=$R")" 0 "replay B: divergences"
expect_eq "$(q fm "select count(distinct epoch) from logs where source=$R and name='weight_norm' and hindsight=1")" $E \
  "replay B: hindsight logs"
grep -q "cannot restore" "$WORK/replay.err" && fail "replay B refused a checkpoint: $(cat "$WORK/replay.err")"
[ "$(find "$B/fm/ckpt" -maxdepth 1 -name '*.ckpt' | wc -l)" -ge $E ] || fail "replay B: manifests not downloaded"
[ "$(find "$B/fm/ckpt/packs" -name '*.pack' | wc -l)" -ge 1 ] || fail "replay B: packs not downloaded"
# The same values as a replay on machine A, where the files never left.
FLOR_HOME=$A "$TRAIN_HS" --replay_flor > /dev/null 2>&1 || fail "replay A"
RA=$(FLOR_HOME=$A q fm "select max(id) from runs")
expect_eq "$(FLOR_HOME=$B q fm "select group_concat(value) from (select value from logs where source=$R and name='weight_norm' order by epoch)")" \
  "$(FLOR_HOME=$A q fm "select group_concat(value) from (select value from logs where source=$RA and name='weight_norm' order by epoch)")" \
  "hindsight values on B and A"
# Again: the cached files are reused (not one rewritten).
before=$(find "$B/fm/ckpt" -type f -printf '%p %T@\n' | sort)
FLOR_HOME=$B "$TRAIN_HS" --replay_flor > /dev/null 2> "$WORK/replay2.err" || fail "replay B again: $(cat "$WORK/replay2.err")"
expect_eq "$(find "$B/fm/ckpt" -type f -printf '%p %T@\n' | sort)" "$before" "cached files reused"

# --- a damaged remote object (a byte of its first blob, at 4096): downloaded again, then refused, naming it ---
pack=$(s3ls team/fm/ckpt/packs/ | head -1 | cut -d' ' -f1)
s3curl -o "$WORK/pack" "http://127.0.0.1:$PORT/ckpts/$pack"
python3 -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[4096]^=0xFF; open(p,"wb").write(b)' "$WORK/pack"
s3curl -T "$WORK/pack" "http://127.0.0.1:$PORT/ckpts/$pack" > /dev/null
C=$WORK/C
mkdir -p "$C/fm" && cp "$A/fm/flor.db" "$C/fm/"
FLOR_HOME=$C "$TRAIN_HS" --replay_flor > /dev/null 2> "$WORK/replay_bad.err" || fail "replay C: $(cat "$WORK/replay_bad.err")"
grep "cannot restore" "$WORK/replay_bad.err" | contains "object s3://ckpts/$pack: downloaded 3 times, never whole" ||
  fail "replay C: no error naming s3://ckpts/$pack: $(cat "$WORK/replay_bad.err")"
# (The pack may stay cached for a later checkpoint that uses only its whole blobs: verified per blob.)
R=$(FLOR_HOME=$C q fm "select max(id) from runs")
expect_eq "$(FLOR_HOME=$C q fm "select status from runs where id=$R")" complete "replay C completes (re-executing)"
[ "$(FLOR_HOME=$C q fm "select sum(executed) from epochs where run=$R")" -ge 1 ] || fail "replay C: nothing re-executed"

# --- gc: a second record; the first one's objects go (dry run first: exact bytes) ---
FLOR_HOME=$A "$TRAIN" --epochs 2 "${ARGS[@]}" --flor fm 1 > /dev/null 2> "$WORK/record2.err" || fail "record 2"
FLOR_HOME=$A
before=$(s3ls team/fm/)
"$FLOR" gc fm --dry-run > "$WORK/gc_dry.out" || fail "gc --dry-run: $(cat "$WORK/gc_dry.out")"
expect_eq "$(s3ls team/fm/)" "$before" "the dry run deletes nothing"
"$FLOR" gc fm > "$WORK/gc.out" || fail "gc: $(cat "$WORK/gc.out")"
after=$(s3ls team/fm/)
gone=$(comm -23 <(echo "$before") <(echo "$after"))
[ -n "$gone" ] || fail "gc deleted no object: $(cat "$WORK/gc.out")"
expect_eq "$(grep 'would delete s3://' "$WORK/gc_dry.out" | sed 's/^ *would delete s3:\/\/ckpts\///; s/ (\([0-9]*\) bytes)$/ \1/' | sort)" \
  "$gone" "dry run lists exactly the deleted objects with their bytes"
total=$(echo "$gone" | awk '{s += $2} END {print s}')
grep -q "would free $total bytes in the object store" "$WORK/gc_dry.out" || fail "dry run total, expected $total: $(cat "$WORK/gc_dry.out")"
grep -q "freed $total bytes in the object store" "$WORK/gc.out" || fail "gc total, expected $total: $(cat "$WORK/gc.out")"
expect_eq "$after" "$(local_ls "$A")" "after gc: the remote objects are the kept local files"

# --- the server dies mid-record: training completes, a warning, rows stay local ---
FLOR_HOME=$A "$TRAIN" --epochs 10 --train-size 6000 --test-size 300 --batch-size 64 --flor fm 1 > /dev/null 2> "$WORK/record3.err" &
rec=$!
R3=$(( $(q fm "select max(id) from runs") + 1 ))  # the run this record creates
for _ in $(seq 600); do
  [ "$(q fm "select count(*) from checkpoints where run=$R3 and location='remote'")" -ge 1 ] && break
  sleep 0.05
done
stop_s3
wait "$rec" || fail "record 3 failed with the server gone: $(cat "$WORK/record3.err")"
expect_eq "$(q fm "select status from runs where id=$R3")" complete "record 3"
[ "$(q fm "select count(*) from checkpoints where run=$R3 and location='remote'")" -ge 1 ] || fail "record 3: none remote"
[ "$(q fm "select count(*) from checkpoints where run=$R3 and location='local'")" -ge 1 ] ||
  fail "record 3: every checkpoint uploaded before the server stopped (record too short?)"
expect_eq "$(q fm "select count(*) from checkpoints where run=$R3 and location='uploading'")" 0 "record 3: none left uploading"
contains "warning: cannot upload checkpoint" < "$WORK/record3.err" || fail "record 3: no warning: $(cat "$WORK/record3.err")"
echo "object_store: ok"
