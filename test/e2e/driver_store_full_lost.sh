#!/usr/bin/env bash
# A full disk under the store during `flor run`, holding more logs than the
# memory bound (FLOR_LOG_MEMORY_MB): a summary of what was lost, the run
# failed with the program's exit status 0 kept, flor exits 1.
source "$(dirname "$0")/lib.bash"
store_full_setup
# 2 MiB: the first full epoch's logs (about 1.2 MB) are held, the later ones dropped.
FLOR_LOG_MEMORY_MB=2 store_full_record lost 8 8
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
echo "driver_store_full_lost: ok"
