#!/usr/bin/env bash
# `flor run --ckpt-url` and `flor replay --ckpt-url` (docs/object-store.md),
# through the driver, against s3rver on 127.0.0.1:
# - the flag wins over FLOR_CKPT_URL: the record's checkpoints go to the
#   flag's prefix, none to the variable's; every row ends 'remote';
# - a bad URL stops either command with one line, before a run is created;
# - a replay on "another machine" (a FLOR_HOME holding only flor.db) with
#   --ckpt-url downloads what it restores and shows the values a replay on the
#   recording machine shows; the same replay without it (no FLOR_CKPT_URL
#   either) downloads nothing and re-executes.
source "$(dirname "$0")/lib.bash"
source "$FLOR_SOURCE_DIR/test/common/s3.bash"
need_commands sqlite3
start_s3
setup_example
cd "$REPO"
E=3
keys() {  # keys PREFIX: the object keys under PREFIX, one a line
  s3curl "http://127.0.0.1:$PORT/ckpts?list-type=2&prefix=$1" | grep -o '<Key>[^<]*</Key>' | sed 's/<[^>]*>//g' | sort
}

export FLOR_HOME=$WORK/A
FLOR_CKPT_URL=s3://ckpts/env "$FLOR" run fm --eps 1 --ckpt-url s3://ckpts/flag -- ./build/train --epochs $E \
  "${TRAIN_ARGS[@]}" > "$WORK/record.out" 2>&1 || fail "record: $(cat "$WORK/record.out")"
expect_eq "$(q fm "select count(*)||' '||group_concat(distinct location) from checkpoints where run=1")" "$E remote" \
  "checkpoints of the record"
expect_eq "$(keys flag/fm/ckpt/ | grep -c '\.ckpt$')" $E "manifests under the flag's prefix"
expect_eq "$(keys flag/fm/ckpt/)" "$(cd "$FLOR_HOME/fm" && find ckpt -type f -printf 'flag/fm/%p\n' | sort)" \
  "objects under the flag's prefix = the local checkpoint files"
expect_eq "$(keys env/)" "" "objects under FLOR_CKPT_URL's prefix"

runs=$(q fm "select count(*) from runs")
one_line_error "$FLOR" run fm --ckpt-url http://127.0.0.1/bucket -- ./build/train --epochs 1 "${TRAIN_ARGS[@]}"
one_line_error "$FLOR" replay fm --ckpt-url s3://
expect_eq "$(q fm "select count(*) from runs")" "$runs" "runs after the bad URLs"

add_hindsight_logs
"$FLOR" replay fm > "$WORK/replay_A.out" 2>&1 || fail "replay on A: $(cat "$WORK/replay_A.out")"
"$FLOR" show fm --format csv > "$WORK/A.csv"
head -1 "$WORK/A.csv" | contains weight_norm || fail "no hindsight column on A: $(cat "$WORK/A.csv")"

# Another machine: only the store.
for m in B C; do mkdir -p "$WORK/$m/fm" && cp "$WORK/A/fm/flor.db" "$WORK/$m/fm/"; done
export FLOR_HOME=$WORK/B
"$FLOR" replay fm --ckpt-url s3://ckpts/flag > "$WORK/replay_B.out" 2>&1 || fail "replay on B: $(cat "$WORK/replay_B.out")"
R=$(q fm "select max(id) from runs where kind='replay'")
expect_eq "$(q fm "select status||' '||sum(skipped)||'/'||sum(executed) from runs join epochs on epochs.run=runs.id
  where runs.id=$R")" "complete $E/0" "replay on B: every epoch restored"
expect_eq "$(find "$FLOR_HOME/fm/ckpt" -maxdepth 1 -name '*.ckpt' | wc -l)" $E "manifests downloaded on B"
"$FLOR" show fm --format csv > "$WORK/B.csv"
diff "$WORK/A.csv" "$WORK/B.csv" || fail "values on B differ from A's"

export FLOR_HOME=$WORK/C
"$FLOR" replay fm > "$WORK/replay_C.out" 2>&1 || true  # (exits non-zero: no checkpoint could be restored)
contains "cannot restore .*does not exist; re-executing" < "$WORK/replay_C.out" ||
  fail "replay on C: the missing files not reported: $(cat "$WORK/replay_C.out")"
R=$(q fm "select max(id) from runs where kind='replay'")
expect_eq "$(q fm "select sum(skipped)||'/'||sum(executed) from epochs where run=$R")" "0/$E" "replay on C: re-executed"
expect_eq "$(find "$FLOR_HOME/fm" -name '*.ckpt' | wc -l)" 0 "manifests on C (no --ckpt-url)"
echo "object_store_flags: ok"
