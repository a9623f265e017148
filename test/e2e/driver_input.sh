#!/usr/bin/env bash
# Bad input to `flor run` and `flor replay` is refused in one line and leaves no
# trace (no FLOR_HOME, no commit on flor.shadow): numbers that are not plain
# finite decimals in range, names with control characters or too long, a
# FLOR_HOME that cannot be written. Large untracked files are left out of the
# snapshot with a warning and recorded in the run; a submodule is noted once.
source "$(dirname "$0")/lib.bash"

no_trace() {
  [ ! -e "$FLOR_HOME" ] || fail "$1: wrote $FLOR_HOME"
  git show-ref --verify -q refs/heads/flor.shadow && fail "$1: committed to flor.shadow"
  return 0
}

repo=$WORK/repo
new_repo "$repo"
cd "$repo"
echo 'int main() {}' > train.cc

# 1. Numbers: the whole text, plain decimal, finite, in range; the error names the flag and the range.
for eps in nan inf 0x1 ' 0.5' '0.5 ' 1e-400 -0 +0.5 2 ''; do
  err=$(one_line_error "$FLOR" run mnist --eps "$eps" -- true)
  echo "$err" | contains "--eps '$eps': expected a number from 0 to 1" || fail "--eps '$eps': $err"
done
for threads in 0 0x2 ' 2' 2.0 1e1 4097; do
  err=$(one_line_error "$FLOR" run mnist --threads "$threads" -- true)
  echo "$err" | contains "--threads '$threads': expected an integer from 1 to 4096" || fail "--threads: $err"
done
err=$(one_line_error "$FLOR" run mnist --snapshot-max-size 1X -- true)
echo "$err" | contains "--snapshot-max-size '1X': expected a size" || fail "--snapshot-max-size: $err"
no_trace "bad numbers"

# 2. `-j4` is -j with its value stuck to it (as make takes it); bad values still name --jobs.
err=$(one_line_error "$FLOR" replay nothing-recorded -j4)
echo "$err" | contains "no experiment 'nothing-recorded'" || fail "-j4 not taken as -j 4: $err"
err=$(one_line_error "$FLOR" replay nothing-recorded -j0)
echo "$err" | contains "--jobs '0': expected an integer from 1 to 1024" || fail "-j0: $err"
err=$(one_line_error "$FLOR" replay nothing-recorded -jx)
echo "$err" | contains "--jobs 'x'" || fail "-jx: $err"
no_trace "-j"

# 3. Names: control characters (they would break flor ls) and a name too long for a folder.
for name in $'a\nb' $'a\tb' $'a\rb' $'a\x7fb' "$(printf 'n%.0s' {1..5000})" "$(printf 'n%.0s' {1..129})"; do
  one_line_error "$FLOR" run "$name" -- true >/dev/null
done
err=$(one_line_error "$FLOR" run $'tab\there' -- true)
echo "$err" | contains 'control character (\\x09 at byte 4)' || fail "tab: $err"
err=$(one_line_error "$FLOR" run "$(printf 'n%.0s' {1..5000})" -- true)
echo "$err" | contains "is 5000 bytes long: at most 128" || fail "long name: $err"
no_trace "bad names"

# 4. A FLOR_HOME that cannot be created (a file is in the way; root ignores permission bits).
echo file > "$WORK/not-a-folder"
FLOR_HOME=$WORK/not-a-folder/home one_line_error "$FLOR" run mnist -- true
git show-ref --verify -q refs/heads/flor.shadow && fail "unwritable FLOR_HOME: committed to flor.shadow"

# 5. A large untracked file: left out with a warning that names it, its size and the
#    .gitignore line; the run records it. A .florignore'd one is left out quietly.
head -c 2097152 /dev/urandom > big.bin
mkdir -p out && head -c 2097152 /dev/zero | tr '\0' x > out/model.pt
echo '/out/' > .florignore
before=$(du -sk .git | cut -f1)
"$FLOR" run big --snapshot-max-size 1M -- true 2> "$WORK/big.err" || fail "run: $(cat "$WORK/big.err")"
cat "$WORK/big.err"
contains 'big.bin (2.0 MiB): add the line /big.bin to .gitignore' < "$WORK/big.err" || fail "no warning"
contains 'model.pt' < "$WORK/big.err" && fail ".florignore'd file warned about"
[ "$(git ls-tree -r --name-only flor.shadow)" = "$(printf '.florignore\ntrain.cc')" ] ||
  fail "snapshot: $(git ls-tree -r --name-only flor.shadow)"
[ $(( $(du -sk .git | cut -f1) - before )) -lt 1024 ] || fail ".git grew by $(( $(du -sk .git | cut -f1) - before )) KiB"
"$FLOR" dump big --json | jq -e '.run.info.skipped == [{"path": "big.bin", "bytes": 2097152}]' >/dev/null ||
  fail "skipped not recorded: $("$FLOR" dump big --json | jq .run.info)"
# The default limit (10 MiB) takes a 2 MiB file.
"$FLOR" run big -- true 2> "$WORK/big2.err" || fail "run: $(cat "$WORK/big2.err")"
contains 'left out' < "$WORK/big2.err" && fail "2 MiB skipped under the default limit"
git ls-tree -r --name-only flor.shadow | contains '^big.bin$' || fail "big.bin not in the snapshot"

# 6. A submodule: one note with its commit and that it is dirty; recorded in the run.
dep=$WORK/dep
new_repo "$dep"
echo 'int f();' > "$dep/lib.h" && git -C "$dep" add lib.h && git -C "$dep" commit -qm dep
git -c protocol.file.allow=always submodule add -q "$dep" libs/dep
git commit -qm "with dep"
echo 'int f(int);' > libs/dep/lib.h
"$FLOR" run sub -- true 2> "$WORK/sub.err" || fail "run: $(cat "$WORK/sub.err")"
cat "$WORK/sub.err"
commit=$(git -C libs/dep rev-parse HEAD)
[ "$(grep -c 'submodule' "$WORK/sub.err")" -eq 1 ] || fail "submodule note not said once"
contains "commit pointer only.*libs/dep at ${commit:0:10} (dirty" < "$WORK/sub.err" || fail "submodule note"
"$FLOR" dump sub --json |
  jq -e --arg c "$commit" '.run.info.submodules == [{"path": "libs/dep", "commit": $c, "dirty": true}]' >/dev/null ||
  fail "submodule not recorded: $("$FLOR" dump sub --json | jq .run.info)"
echo "driver_input: ok"
