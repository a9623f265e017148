#!/usr/bin/env bash
# Golden tests of one flor-instrument rule: every CASE.cc in RULE_DIR is
# instrumented against the mock headers and compared with CASE.expected (the
# output; absent: the file must come out unchanged) and CASE.diag (the
# diagnostics, paths relative to RULE_DIR; absent: none; the output's #line
# directives too). Then, per case: the output compiles against the mock flor
# header, instrumenting it again changes nothing (idempotence), --check agrees,
# and -i writes the same text but the #line directives (printed output is
# compiled elsewhere; -i rewrites the user's file, whose lines are its own).
#   run_golden.sh TOOL RULE_DIR [--update]
set -euo pipefail
tool=$1
dir=$(cd "$2" && pwd)
update=${3:-}
mock=$(cd "$(dirname "$0")/mock" && pwd)
clangxx=${CLANGXX:-clang++-14}
flags=(-- -std=c++17 -I"$mock" -I"$dir")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

fail() { echo "FAIL $1: $2"; failed=1; }

for src in "$dir"/*.cc; do
  name=$(basename "$src" .cc)
  out="$tmp/$name.out"; diag="$tmp/$name.diag"
  "$tool" "$src" "${flags[@]}" >"$out" 2>"$tmp/$name.err" || { fail "$name" "exit $?"; cat "$tmp/$name.err"; continue; }
  sed "s|$dir/||" "$tmp/$name.err" >"$diag"
  shown="$tmp/$name.shown"
  sed "s|^\(#line [0-9]* \"\)$dir/|\1|" "$out" >"$shown"
  if [[ $update == --update ]]; then
    if cmp -s "$out" "$src"; then rm -f "$dir/$name.expected"; else cp "$shown" "$dir/$name.expected"; fi
    if [[ -s $diag ]]; then cp "$diag" "$dir/$name.diag"; else rm -f "$dir/$name.diag"; fi
  fi
  expected="$dir/$name.expected"; [[ -f $expected ]] || expected=$src
  diff -u "$expected" "$shown" >"$tmp/d" || { fail "$name" "output differs"; cat "$tmp/d"; }
  if [[ -f $dir/$name.diag ]]; then
    diff -u "$dir/$name.diag" "$diag" >"$tmp/d" || { fail "$name" "diagnostics differ"; cat "$tmp/d"; }
  elif [[ -s $diag ]]; then
    fail "$name" "unexpected diagnostics"; cat "$diag"
  fi
  # The output compiles (against the mock runtime header).
  cp "$out" "$tmp/$name.cc"
  "$clangxx" -fsyntax-only -std=c++17 -I"$mock" -I"$dir" "$tmp/$name.cc" 2>"$tmp/d" || { fail "$name" "output does not compile"; cat "$tmp/d"; }
  # Idempotence: instrumenting the output changes nothing.
  "$tool" "$tmp/$name.cc" "${flags[@]}" >"$tmp/$name.twice" 2>/dev/null || fail "$name" "second run failed"
  cmp -s "$out" "$tmp/$name.twice" || { fail "$name" "not idempotent"; diff -u "$out" "$tmp/$name.twice" || true; }
  # --check: exit 0 on instrumented code, 1 (with the diff) on code that would change.
  "$tool" --check "$tmp/$name.cc" "${flags[@]}" >/dev/null 2>&1 || fail "$name" "--check rejects the output"
  if ! cmp -s "$out" "$src"; then
    set +e; "$tool" --check "$src" "${flags[@]}" >"$tmp/d" 2>/dev/null; rc=$?; set -e
    [[ $rc == 1 && -s $tmp/d ]] || fail "$name" "--check accepted an uninstrumented file (exit $rc)"
  fi
  # -i rewrites the file to exactly the printed output.
  mkdir -p "$tmp/inplace" && cp "$src" "$tmp/inplace/$name.cc"
  "$tool" -i "$tmp/inplace/$name.cc" "${flags[@]}" 2>/dev/null || fail "$name" "-i failed"
  grep -v '^#line [0-9]* "' "$out" | cmp -s - "$tmp/inplace/$name.cc" ||
    fail "$name" "-i wrote something else than the printed output (but its #line directives)"
done
exit $failed
