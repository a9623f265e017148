#!/usr/bin/env bash
# The runtime never ended its run (the disk was full, or the program left by
# _exit): the driver can write, and marks it failed, not complete, since what
# was not stored is unknown.
source "$(dirname "$0")/lib.bash"
store_full_setup
STORE_FULL_SKIP_END=1 store_full_record late 6 6
expect_eq "$rc" 1 "exit status when the runtime could not end its run"
expect_eq "$(q late "select status||' '||exit_code from runs where id=1")" "failed 0" "run status after an unwritten end"
echo "driver_store_full_unended: ok"
