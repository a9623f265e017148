#!/usr/bin/env bash
# A full disk under the store during `flor run` that stays full to the end:
# the summary of what was lost, and a clear message that the run could not be
# marked in the store, said once by the program and once by flor (which exits
# 1), never raw SQL.
source "$(dirname "$0")/lib.bash"
store_full_setup
store_full_record full 6 -1
expect_eq "$rc" 1 "exit status when the store is full at the end"
expect_eq "$(grep -c 'cannot store logs' "$WORK/full.err")" 1 "warnings about the full store"
[ -n "$(lost_in_summary full)" ] || fail "no summary of the lost logs"
grep -q "could not be stored: .*; nor can the run's end be (it stays 'running' there)$" "$WORK/full.err" ||
  fail "the summary does not say the run's end is not stored either"
grep -q "^flor: cannot mark run 1 of 'full' as .* (exit 0); it stays 'running' in the store: store $FLOR_HOME/full/flor.db: cannot write: " "$WORK/full.err" ||
  fail "no clear message about the run's end"
if grep -E 'INSERT|UPDATE|running .' "$WORK/full.err" | grep -v "stays 'running'"; then fail "raw SQL in the messages"; fi
rm "$FLOR_HOME/ballast"
expect_eq "$(q full "select status from runs where id=1")" running "run status when nothing could be written"
echo "driver_store_full_unmarked: ok"
