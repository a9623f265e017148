#!/usr/bin/env bash
# A flor.db deleted or truncated beside its checkpoints: flor show, ls, log,
# gc and run say what happened and how to recover, and create or change
# nothing; gc deletes the checkpoints only with --orphans. A store created
# again names its checkpoints apart from the old ones (its store id), and gc
# keeps files no run of it names unless --orphans.
source "$(dirname "$0")/lib.bash"
setup_example
cd "$REPO"
"$FLOR" run lost --eps 1 -- build/train --epochs 2 "${TRAIN_ARGS[@]}" > /dev/null 2>&1 || fail "record"
db=$FLOR_HOME/lost/flor.db
ckpt=$FLOR_HOME/lost/ckpt
old=$(cd "$ckpt" && ls *.ckpt)
[ -n "$old" ] || fail "no checkpoint recorded"
fingerprint() { find "$FLOR_HOME" -printf '%p %s %T@\n' | sort; }

for how in rm truncate; do
  if [ $how = rm ]; then rm "$db"; else : > "$db"; fi
  before=$(fingerprint)
  for cmd in "show lost" "log lost" "ls" "gc lost" "gc" "dump lost"; do
    # shellcheck disable=SC2086
    out=$(one_line_error "$FLOR" $cmd)
    contains "lost/flor.db is missing or empty, but .*lost/ckpt holds checkpoint files" <<<"$out" ||
      fail "$how: flor $cmd: $out"
    contains "flor gc lost --orphans" <<<"$out" || fail "$how: flor $cmd gives no way out: $out"
  done
  "$FLOR" run lost -- build/train --epochs 1 "${TRAIN_ARGS[@]}" > /dev/null 2> "$WORK/run.err" &&
    fail "$how: flor run recorded into a lost store"
  grep -q "missing or empty" "$WORK/run.err" || fail "$how: flor run: $(cat "$WORK/run.err")"
  [ "$(fingerprint)" = "$before" ] || fail "$how: a command changed FLOR_HOME: $(diff <(echo "$before") <(fingerprint))"
done

# Moved aside, a new store starts; its names carry a new store id.
mv "$ckpt" "$WORK/ckpt.old" && rm -f "$db"
"$FLOR" run lost --eps 1 -- build/train --epochs 2 "${TRAIN_ARGS[@]}" > /dev/null 2>&1 || fail "record again"
new=$(cd "$ckpt" && ls *.ckpt)
[ -z "$(comm -12 <(echo "$old") <(echo "$new"))" ] || fail "names reused: $(comm -12 <(echo "$old") <(echo "$new"))"
# The old checkpoints put back: nothing of this store names them, so gc keeps them...
cp "$WORK"/ckpt.old/*.ckpt "$ckpt"/ && cp -n "$WORK"/ckpt.old/packs/* "$ckpt"/packs/
"$FLOR" gc lost | contains "^lost: freed .*; kept $(echo "$old" | wc -l) checkpoint file(s) no run of this store names" ||
  fail "gc of unattributed files: $("$FLOR" gc lost)"
for f in $old $new; do [ -f "$ckpt/$f" ] || fail "gc deleted $f"; done
# ... until told --orphans.
"$FLOR" gc lost --orphans > /dev/null
for f in $old; do [ ! -e "$ckpt/$f" ] || fail "--orphans kept $f"; done
for f in $new; do [ -f "$ckpt/$f" ] || fail "--orphans deleted this store's $f"; done
"$FLOR" replay lost > /dev/null 2>&1 || fail "replay after gc --orphans"

# A lost store with --orphans: its checkpoint files go, no store is created.
rm "$db"
"$FLOR" gc lost --orphans | contains "^lost: freed .*; deleted $(echo "$new" | wc -l) checkpoint file(s)" || fail "gc --orphans of a lost store"
[ -z "$(ls "$ckpt"/*.ckpt 2>/dev/null)" ] && [ ! -e "$db" ] || fail "gc --orphans of a lost store: $(ls "$FLOR_HOME/lost" "$ckpt")"
echo "driver_lost_store: ok"
