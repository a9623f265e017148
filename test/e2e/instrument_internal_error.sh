#!/usr/bin/env bash
# flor-instrument's last-resort catch: an exception that escapes (here
# std::bad_alloc, reading an endless --recorded file under a memory limit) is
# one line, "flor-instrument: internal error: ...", and flor-instrument's error
# exit status 2 (1 means "--check found a difference"), not std::terminate's
# abort (exit 134).
source "$(dirname "$0")/driver_lib.bash"
TOOL=${FLOR_INSTRUMENT:-$FLOR_BUILD_DIR/tools/flor-instrument/flor-instrument}
[ -x "$TOOL" ] || fail "flor-instrument is not built: $TOOL"
cd "$WORK"
echo 'int main() { return 0; }' > x.cc
rc=0
err=$(ulimit -v 500000; "$TOOL" --probes --recorded /dev/zero x.cc -- 2>&1 > /dev/null) || rc=$?
echo "exit $rc: $err"
[ "$rc" -eq 2 ] || fail "an escaped exception should exit 2, got $rc: $err"
[ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "expected one line, got: $err"
grep -q '^flor-instrument: internal error: ' <<<"$err" || fail "not an internal error line: $err"
echo "instrument_internal_error: ok"
