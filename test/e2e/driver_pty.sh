#!/usr/bin/env bash
# `flor run` at a terminal (under script(1)): the program writes to a
# pseudo-terminal, so it sees isatty() true and its stdio is line-buffered: a
# line arrives while it still runs. The log gets the same bytes ("\n", no "\r").
# Without a terminal the program gets a pipe.
source "$(dirname "$0")/lib.bash"
command -v script >/dev/null || { echo "skip: no script(1)"; exit 77; }
new_repo "$WORK/repo" && cd "$WORK/repo"
# perl's STDOUT is block-buffered on a pipe, line-buffered on a terminal.
cat > "$WORK/prog.pl" <<'PERL'
print -t STDOUT ? "out-tty\n" : "out-pipe\n";
print STDERR -t STDERR ? "err-tty\n" : "err-pipe\n";
print "line1\n";
select(undef, undef, undef, 0.05) until -e $ARGV[0];
print "line2\n";
PERL

script -qfec "'$FLOR' run pty -- perl '$WORK/prog.pl' '$WORK/release'" /dev/null </dev/null >"$WORK/tty.out" 2>&1 &
term=$!
for _ in $(seq 150); do grep -q line1 "$WORK/tty.out" && break; sleep 0.1; done
grep -q line1 "$WORK/tty.out" || { touch "$WORK/release"; wait $term || true; fail "line1 not live: $(cat "$WORK/tty.out")"; }
grep -q line2 "$WORK/tty.out" && fail "line2 before release"
touch "$WORK/release"
wait $term || fail "flor run under script: $(cat "$WORK/tty.out")"
grep -q out-tty "$WORK/tty.out" && grep -q err-tty "$WORK/tty.out" || fail "not a terminal: $(cat "$WORK/tty.out")"
log=$FLOR_HOME/pty/logs/run-1.out
# stdout and stderr are two terminals: their lines may interleave either way.
[ "$(sort "$log")" = "$(printf 'err-tty\nline1\nline2\nout-tty')" ] || fail "log: $(od -c "$log")"
grep -q $'\r' "$log" && fail "log has \\r: $(od -c "$log")"

out=$("$FLOR" run pipe -- perl "$WORK/prog.pl" "$WORK/release" 2>&1)
grep -q out-pipe <<<"$out" && grep -q err-pipe <<<"$out" || fail "without a terminal: $out"
echo "driver_pty: ok"
