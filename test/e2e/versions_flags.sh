#!/usr/bin/env bash
# Bad input to hindsight across versions gets a clear error and changes
# nothing: flags that do not go together, a bad date or run list, a run that
# is not a record, no build command yet; `flor show --runs` without --name.
source "$(dirname "$0")/lib.bash"
setup_program callee_batches
cd "$REPO"
"$FLOR" run cb -- ./build/train --epochs 2 > "$WORK/r.out" 2>&1 || fail "record: $(cat "$WORK/r.out")"
FLOR_TEST_HINDSIGHT=1 "$FLOR" replay cb --no-probes > "$WORK/p.out" 2>&1 || fail "replay: $(cat "$WORK/p.out")"
before=$(q cb "select count(*) from runs")

# expect_error WANT_RC MESSAGE_RE ARGS...: flor ARGS exits WANT_RC, saying MESSAGE_RE on stderr.
expect_error() {
  local want=$1 re=$2 rc=0; shift 2
  "$FLOR" "$@" > "$WORK/out" 2> "$WORK/err" || rc=$?
  [ "$rc" -eq "$want" ] || fail "flor $*: exit $rc, not $want: $(cat "$WORK/out" "$WORK/err")"
  grep -qE -- "$re" "$WORK/err" || fail "flor $*: no '$re' in: $(cat "$WORK/err")"
}
expect_error 2 "give one of --all-runs, --runs, --last and --since" replay cb --all-runs --last 2
expect_error 2 "do not go with them" replay cb --all-runs --run 1
expect_error 2 "do not go with them" replay cb --all-runs 1/2
expect_error 2 "--since wants a date, YYYY-MM-DD; got '2026-13-45'" replay cb --since 2026-13-45
expect_error 2 "--runs" replay cb --runs 1,x
expect_error 2 "--build, --dry-run and --transplant go with --all-runs" replay cb --build make
expect_error 2 "--build, --dry-run and --transplant go with --all-runs" replay cb --transplant all
expect_error 2 "--transplant takes logs .* or all, not 'some'" replay cb --all-runs --transplant some
expect_error 2 "run 2 is not a record of 'cb'" replay cb --runs 1,2
expect_error 1 "give the command that builds the program once" replay cb --all-runs
expect_error 1 "'cb' has no record started since then" replay cb --since 2999-01-01
expect_error 2 "--runs and --name go together" show cb --runs all
expect_error 1 "no run of 'cb' logged 'nothing'" show cb --runs all --name nothing
expect_eq "$(q cb "select count(*) from runs")" "$before" "runs after bad input"
[ ! -e "$FLOR_HOME/cb/versions/build-command" ] || fail "a build command was kept from a failed replay"

# The good case of show --runs on a plain experiment: the hindsight value of the replay.
"$FLOR" show cb --runs 1 --name weight_norm --format csv > "$WORK/show.csv" || fail "show --runs 1"
expect_eq "$(head -1 "$WORK/show.csv")" "epoch,run 1" "show --runs 1: header"
expect_eq "$(tail -n +2 "$WORK/show.csv" | cut -d, -f2)" "$(log_values cb 2 weight_norm | cut -d' ' -f2)" "show --runs 1: values"
echo "versions_flags: ok"
