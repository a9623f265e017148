#!/usr/bin/env bash
# flor's command table: help, --help on every command, did-you-mean, docs/cli.md
# in sync with the --help texts, one clear line for each bad input.
source "$(dirname "$0")/lib.bash"

"$FLOR" help | contains '^  replay ' || fail "help lists replay"
for cmd in $("$FLOR" help | awk '/^commands:/{on=1; next} on && /^  [a-z]/{print $1}'); do
  "$FLOR" "$cmd" --help | contains "^usage: flor $cmd" || fail "$cmd --help"
  diff <("$FLOR" help "$cmd") <("$FLOR" "$cmd" --help) || fail "help $cmd differs from $cmd --help"
done
diff <("$FLOR" help --markdown) "$FLOR_SOURCE_DIR/docs/cli.md" || fail "docs/cli.md is stale: flor help --markdown > docs/cli.md"

out=$("$FLOR" replya 2>&1) && fail "unknown command succeeded"
echo "$out" | contains "did you mean 'replay'" || fail "no suggestion: $out"
out=$("$FLOR" rep 2>&1) || true
echo "$out" | contains "did you mean 'replay'" || fail "prefix suggestion: $out"
"$FLOR" --version | contains '^flor ' || fail "--version"

repo=$WORK/repo
new_repo "$repo"
cd "$repo"
echo 'int main() {}' > train.cc
one_line_error "$FLOR" run
one_line_error "$FLOR" run mnist
one_line_error "$FLOR" run mnist --
one_line_error "$FLOR" run mnist -- ./no-such-program
one_line_error "$FLOR" run mnist -- no-such-program-in-path
one_line_error "$FLOR" run a/b -- true
one_line_error "$FLOR" run .. -- true
one_line_error "$FLOR" run mnist --eps 2 -- true
one_line_error "$FLOR" run mnist --bogus -- true
one_line_error "$FLOR" replay nothing-recorded
one_line_error "$FLOR" replay
one_line_error "$FLOR" replay mnist 4/3
one_line_error "$FLOR" replay mnist 1/2 -j 2
one_line_error "$FLOR" show mnist --format xml
(cd "$WORK" && one_line_error "$FLOR" run mnist -- true)   # not a repository
(cd "$WORK" && one_line_error "$FLOR" replay mnist)
[ ! -e "$FLOR_HOME" ] || fail "bad input wrote $FLOR_HOME"
git show-ref --verify -q refs/heads/flor.shadow && fail "bad input committed to flor.shadow"
[ ! -e .git/flor ] || fail "bad input wrote .git/flor"
echo "driver_cli: ok"
