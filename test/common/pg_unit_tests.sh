#!/usr/bin/env bash
# Runs the store's unit tests (Catch2 tag [store]) against a real PostgreSQL
# server: FLOR_TEST_PG makes each test use a fresh schema in it
# (test/common/store_backend.h). [sqlite] tests are left out: those of the
# SQLite file itself, and those that set FLOR_STORE themselves.
# Usage: pg_unit_tests.sh FLOR_UNIT_TESTS [TAGS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pg.bash
source "$here/pg.bash"
pg_start
export FLOR_TEST_PG=$PG_CONNINFO
"$1" "${2:-[store]~[sqlite]}"
