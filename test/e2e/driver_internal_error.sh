#!/usr/bin/env bash
# An exception that escapes every adapter reaches main's last-resort catch:
# one line, "flor: internal error: ...", exit 1 (not std::terminate's abort,
# exit 134). The real path: a store whose run row holds a version that is not
# UTF-8 (written by another tool), which nlohmann::json refuses to print in
# `flor dump --json`.
source "$(dirname "$0")/driver_lib.bash"
repo=$WORK/repo
new_repo "$repo"
cd "$repo"
git commit -q --allow-empty -m start
"$FLOR" run broken -- true 2> /dev/null
python3 - "$FLOR_HOME/broken/flor.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE runs SET vid = CAST(X'66FF6F' AS TEXT)")
db.commit()
PY
rc=0
err=$("$FLOR" dump broken --json 2>&1 > /dev/null) || rc=$?
echo "exit $rc: $err"
[ "$rc" -eq 1 ] || fail "an escaped exception should exit 1, got $rc: $err"
[ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "expected one line, got: $err"
grep -q '^flor: internal error: .*UTF-8' <<<"$err" || fail "not an internal error line: $err"
echo "driver_internal_error: ok"
