#!/usr/bin/env bash
# A full disk under the store during `flor run`. The store
# lives on a real, small filesystem (tmpfs) that the training program
# (test/e2e/programs/store_full.cc) fills with a ballast file at a chosen
# epoch and empties later: SQLite's writes fail with ENOSPC (SQLITE_FULL)
# exactly as on a full disk. Why tmpfs: it is a real failure of the kernel
# (not an injected error), reached deterministically at a chosen epoch, and
# it recovers the moment the ballast is deleted. It is mounted in a private
# user and mount namespace (unshare --user --map-root-user --mount), so no
# root is needed on Debian 12 (unprivileged user namespaces are on) and the
# mount vanishes with the test. (RLIMIT_FSIZE fails a file at a size, not a
# filesystem when full, and is per process; PRAGMA max_page_count would need a
# test-only hook in the store.) Skips (77) where namespaces are not allowed.
#  - space comes back: one warning, the held logs land once, in order, and
#    the run is complete (exit 0);
#  - more logs than the memory bound (FLOR_LOG_MEMORY_MB): a summary of what
#    was lost, the run failed with the program's exit status 0 kept, flor
#    exits 1;
#  - the disk stays full to the end: the same summary, and a clear message
#    that the run could not be marked in the store (flor exits 1).
if [ -z "${FLOR_TEST_IN_NAMESPACE:-}" ]; then
  unshare --user --map-root-user --mount true 2>/dev/null ||
    { echo "skip: cannot create a user and mount namespace (unshare) for a private tmpfs"; exit 77; }
  FLOR_TEST_IN_NAMESPACE=1 exec unshare --user --map-root-user --mount bash "$0" "$@"
fi
source "$(dirname "$0")/lib.bash"
need_commands sqlite3
setup_program store_full
cd "$REPO"
mkdir -p "$FLOR_HOME"
mount -t tmpfs -o size=48m flor-test "$FLOR_HOME"
trap 'umount "$FLOR_HOME"; rm -rf "$WORK"' EXIT

# NAME EPOCHS FREE_AT: records NAME (1000 logs of 1000 bytes an epoch, the disk
# filled at epoch 2); sets $rc, output in $WORK/NAME.err.
record() {
  rc=0
  "$FLOR" run "$1" -- ./build/train --epochs "$2" --rows 1000 --bytes 1000 --ballast "$FLOR_HOME/ballast" \
    --fill-at 2 --free-at "$3" > "$WORK/$1.out" 2> "$WORK/$1.err" || rc=$?
  cat "$WORK/$1.err"
}
# NAME: the rows of the logs table whose id order is not epoch order.
out_of_order() {
  q "$1" "select count(*) from (select epoch, lag(epoch) over (order by id) as prev from logs) where epoch < prev"
}
# NAME: the "N log rows" count of the summary in $WORK/NAME.err.
lost_in_summary() {
  sed -n 's/^flor: error: \([0-9][0-9]*\) of [0-9]* log rows.* could not be stored: .*; the run is marked failed$/\1/p' "$WORK/$1.err"
}

# --- space comes back at epoch 8: nothing lost --------------------------------------
record back 12 8
expect_eq "$rc" 0 "exit status when every held log was stored"
expect_eq "$(grep -c 'cannot store logs' "$WORK/back.err")" 1 "warnings about the full store"
grep -q 'keeping them in memory' "$WORK/back.err" || fail "the warning does not say the logs are kept"
grep -q 'stored the .* held' "$WORK/back.err" || fail "no line saying the held logs were stored"
expect_eq "$(q back "select count(*)||' '||count(distinct epoch) from logs where run=1")" "12000 12" "logs stored"
expect_eq "$(q back "select count(*) from epochs where run=1")" 12 "epoch rows stored"
expect_eq "$(out_of_order back)" 0 "logs stored out of epoch order"
expect_eq "$(q back "select status||' '||exit_code from runs where id=1")" "complete 0" "run status"

# --- more than the memory bound held: rows lost, the run failed ----------------------
# 2 MiB: the first full epoch's logs (about 1.2 MB) are held, the later ones dropped.
FLOR_LOG_MEMORY_MB=2 record lost 8 8
expect_eq "$rc" 1 "exit status when logs were lost"
expect_eq "$(grep -c 'cannot store logs' "$WORK/lost.err")" 1 "warnings about the full store"
lost=$(lost_in_summary lost)
[ -n "$lost" ] && [ "$lost" -gt 0 ] || fail "no summary of the lost logs"
stored=$(q lost "select count(*) from logs where run=1")
expect_eq "$((stored + lost))" 8000 "stored ($stored) + lost ($lost) logs"
[ "$stored" -gt 2000 ] || fail "the held epoch was not stored: $stored rows"
expect_eq "$(out_of_order lost)" 0 "logs stored out of epoch order"
expect_eq "$(q lost "select status||' '||exit_code from runs where id=1")" "failed 0" "run status"
expect_eq "$(q lost "select json_extract(info, '\$.logs_not_stored') from runs where id=1")" "$lost" "lost count in the run"
grep -q "run 1 of 'lost' failed (exit 0): $lost log rows could not be stored" "$WORK/lost.err" ||
  fail "flor's last line does not name the loss"

# --- the disk stays full: the run cannot be marked ------------------------------------
record full 6 -1
expect_eq "$rc" 1 "exit status when the store is full at the end"
expect_eq "$(grep -c 'cannot store logs' "$WORK/full.err")" 1 "warnings about the full store"
[ -n "$(lost_in_summary full)" ] || fail "no summary of the lost logs"
grep -q "^flor: cannot mark run 1 of 'full' as .* (exit 0); it stays 'running' in the store: store $FLOR_HOME/full/flor.db: cannot write: " "$WORK/full.err" ||
  fail "no clear message about the run's end"
if grep -E 'INSERT|UPDATE|running .' "$WORK/full.err" | grep -v "stays 'running'"; then fail "raw SQL in the messages"; fi
rm "$FLOR_HOME/ballast"
expect_eq "$(q full "select status from runs where id=1")" running "run status when nothing could be written"
# --- the runtime never ended the run (the disk was full, or the program left by _exit) --
# The driver can write: failed, not complete, since what was not stored is unknown.
STORE_FULL_SKIP_END=1 record late 6 6
expect_eq "$rc" 1 "exit status when the runtime could not end its run"
expect_eq "$(q late "select status||' '||exit_code from runs where id=1")" "failed 0" "run status after an unwritten end"
echo "driver_store_full: ok"
