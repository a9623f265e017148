# The one helper library of the end-to-end scripts (test/e2e/*.sh, one scenario
# per script); sourced, and named .bash so the test glob (*.sh) does not run it.
# Needs FLOR_BUILD_DIR and FLOR_SOURCE_DIR (ctest sets them). Provides:
#   $FLOR (the driver), $WORK (a temp folder removed at exit), FLOR_HOME=$WORK/home
#   (not created), thread counts pinned to 1;
#   checks: fail MSG, expect_eq GOT WANT MSG, contains RE (stdin), one_line_error CMD...,
#     need_commands CMD... (fails naming what is missing);
#   stores: q EXP SQL (the sqlite3 shell on $FLOR_HOME/EXP/flor.db);
#   projects: new_repo, user_state, program_repo, setup_example, record_example, add_hindsight_logs,
#     setup_program, setup_fmnist_binaries, setup_steps_project;
#   structured output (jq over `flor dump --json`, `flor log --format json`,
#     `flor show --format json`): log_values, run_logs, epoch_counts, newest_replays,
#     summary_runs, same_values, record_replay_compare;
#   faults: checkpoint_fault (one step of a checkpoint write fails during a record);
#   hindsight across versions: setup_versions_project, version_record, with_statement;
#   a full disk under the store: store_full_setup, store_full_record, out_of_order, lost_in_summary;
#   processes: alive, wait_lines, all_die, $PID_PROGRAM;
#   sweeps of the example: setup_sweep_example, sweep_config, sweep_dir, count_state, at_least, wait_for;
#   the shape programs (test/instrument/shapes/) through flor-instrument: setup_shape, shape_cc, expect_in,
#     record_shape, add_line, rebuild_shape, replay_shape, check_values, check_printed, check_shape,
#     skipped, two_workers.
set -euo pipefail
FLOR=${FLOR_BUILD_DIR:?set FLOR_BUILD_DIR}/tools/flor/flor
[ -x "$FLOR" ] || { echo "skip: $FLOR not built"; exit 77; }
WORK=$(mktemp -d /tmp/flor-e2e-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export FLOR_HOME=$WORK/home
export GIT_OPTIONAL_LOCKS=0  # our own `git status` calls must not refresh the index
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
# Pinned: 2 cores, and bit-identical replays need the same counts at record and replay.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

# --- checks --------------------------------------------------------------------------

fail() { echo "FAIL: $*" >&2; exit 1; }
expect_eq() { [ "$1" == "$2" ] || fail "$3: expected '$2', got '$1'"; }

# `cmd | contains RE`: like `grep -q RE`, but reads all input first, so the writer
# never dies of SIGPIPE (which pipefail would turn into a failure).
contains() {
  local all
  all=$(cat)
  grep -q -- "$1" <<<"$all"
}

# Runs a command that must fail with exactly one line on stderr, printed for the log.
one_line_error() {
  local err rc=0
  err=$("$@" 2>&1 >/dev/null) || rc=$?
  [ "$rc" -ne 0 ] || fail "expected failure: $*"
  [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "expected one line from: $* -- got: $err"
  echo "ok (exit $rc): $err"
}

# need_commands CMD...: every command is installed (scripts/setup-deps installs them all).
need_commands() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null || fail "$c is not installed: run scripts/setup-deps (as root) to install the test dependencies"
  done
}
need_commands jq

# --- stores ----------------------------------------------------------------------------

# q EXP SQL: one query on experiment EXP's store, rows as a|b|c lines.
q() { sqlite3 -batch -noheader "$FLOR_HOME/$1/flor.db" "$2"; }

# --- projects --------------------------------------------------------------------------

new_repo() {
  mkdir -p "$1" && git -C "$1" init -q -b main
}

# Everything a user could notice: HEAD, index bytes, their refs, every work-tree file.
user_state() {
  local d=$1
  {
    cat "$d/.git/HEAD"
    [ -f "$d/.git/index" ] && sha256sum < "$d/.git/index" || echo "no index"
    git -C "$d" for-each-ref --format='%(refname) %(objectname)' | grep -v 'refs/heads/flor.shadow' || true
    (cd "$d" && find . -path ./.git -prune -o -print0 | sort -z | xargs -0 -r stat -c '%n %s %a %Y')
    (cd "$d" && find . -path ./.git -prune -o -type f -print0 | sort -z | xargs -0 -r sha256sum)
  } 2>&1
}

# SOURCE BINARY NAME: a user's project in $REPO (created): SOURCE as NAME.cc
# and BINARY as build/NAME (build/ ignored), committed.
program_repo() {
  new_repo "$REPO"
  cp "$1" "$REPO/$3.cc"
  printf 'build/\n' > "$REPO/.gitignore"
  mkdir -p "$REPO/build" && cp "$2" "$REPO/build/$3"
  git -C "$REPO" add . && git -C "$REPO" commit -qm "training program"
}

# The Fashion-MNIST example with flor's manual API, as a user's project: $REPO
# holding train.cc, the binary in an ignored build/ folder. Skips (77) when the
# example is not built.
# 3000 samples: epochs long enough that --eps 1 checkpoints every one of them.
TRAIN_ARGS=(--train-size 3000 --test-size 300)
setup_example() {
  local build=$FLOR_BUILD_DIR/examples/fashion_mnist
  [ -x "$build/train" ] && [ -x "$build/train_hindsight" ] || { echo "skip: example not built"; exit 77; }
  REPO=$WORK/project
  program_repo "$FLOR_SOURCE_DIR/examples/fashion_mnist/train.cc" "$build/train" train
}

# record_example EXP EPOCHS: the example project (setup_example), the current
# folder, recorded as EXP for EPOCHS epochs with --eps 1 (a checkpoint every
# epoch, so a segment can start anywhere); the output in $WORK/record.out.
record_example() {
  setup_example
  cd "$REPO"
  "$FLOR" run "$1" --eps 1 -- ./build/train --epochs "$2" "${TRAIN_ARGS[@]}" > "$WORK/record.out" 2>&1 ||
    fail "record $1: $(cat "$WORK/record.out")"
}

# "Adding a log statement and rebuilding": train.cc gains the hindsight logs
# (FMNIST_HINDSIGHT) and build/train becomes the binary built from exactly that source.
add_hindsight_logs() {
  sed -i '1i #define FMNIST_HINDSIGHT' "$REPO/train.cc"
  cp "$FLOR_BUILD_DIR/examples/fashion_mnist/train_hindsight" "$REPO/build/train"
}

# A small manual-API program of test/e2e/programs/ as a user's project: a repo
# holding its source as train.cc, the binary as build/train. Sets $REPO; skips
# (77) when the program is not built.
setup_program() {
  local bin=$FLOR_BUILD_DIR/test/flor_e2e_$1
  [ -x "$bin" ] || { echo "skip: $bin not built"; exit 77; }
  REPO=$WORK/project
  program_repo "$FLOR_SOURCE_DIR/test/e2e/programs/$1.cc" "$bin" train
}

# The example's binaries run directly (the runtime's own record and replay,
# without the driver): $TRAIN, $TRAIN_HS (with the hindsight logs), $ARGS (16
# steps of 64 an epoch), FLOR_HOME created. Skips (77) when they are not built.
setup_fmnist_binaries() {
  TRAIN=$FLOR_BUILD_DIR/examples/fashion_mnist/train
  TRAIN_HS=$FLOR_BUILD_DIR/examples/fashion_mnist/train_hindsight
  local bin
  for bin in "$TRAIN" "$TRAIN_HS"; do
    [ -x "$bin" ] || { echo "skip: $bin not built"; exit 77; }
  done
  need_commands sqlite3
  ARGS=(--train-size 1000 --test-size 300 --batch-size 64)
  mkdir -p "$FLOR_HOME"
}

# The step loop example (examples/fashion_mnist/train_steps.cc) as a user's
# project: $REPO holding train_steps.cc and build/train_steps (committed), the
# current folder; $build (the example's build folder with the edited variants),
# $STEPS and $ARGS for the program. Skips (77) when they are not built.
setup_steps_project() {
  need_commands sqlite3
  build=$FLOR_BUILD_DIR/examples/fashion_mnist
  local b
  for b in train_steps train_steps_in train_steps_after train_steps_unbounded; do
    [ -x "$build/$b" ] || { echo "skip: $build/$b not built"; exit 77; }
  done
  STEPS=400
  ARGS=(--steps $STEPS --train-size 2000 --test-size 500 --print-every 25)
  REPO=$WORK/steps
  program_repo "$FLOR_SOURCE_DIR/examples/fashion_mnist/train_steps.cc" "$build/train_steps" train_steps
  cd "$REPO"
}

# --- structured output -------------------------------------------------------------------
# Values come from flor's JSON (`flor dump --json`, `flor log --format json`),
# read with jq, never scraped from text meant for people.

# log_values EXP RUN NAME [STEPS]: "epoch value" lines, by epoch, of the logs
# named NAME that run RUN (a record, or a replay: the values it wrote) holds in
# `flor dump --json`. STEPS: epoch (default, step -1 only), step (the rest:
# "epoch step value"), or all ("epoch step value").
log_values() {
  local steps=${4:-epoch}
  "$FLOR" dump "$1:$2" --json | jq -r --arg name "$3" --arg steps "$steps" '
    [.logs[] | select(.name == $name)
      | select($steps == "all" or ($steps == "epoch") == (.step == -1))] | sort_by(.epoch, .step)[]
      | if $steps == "epoch" then "\(.epoch) \(.value)" else "\(.epoch) \(.step) \(.value)" end'
}

# run_logs EXP RUN...: every log the runs wrote, "epoch step name value" lines
# in the order `flor dump --json` lists them.
run_logs() {
  local exp=$1 run; shift
  for run in "$@"; do
    "$FLOR" dump "$exp:$run" --json | jq -r '.logs[] | "\(.epoch) \(.step) \(.name) \(.value)"'
  done
}

# epoch_counts EXP NAME RUN...: how many times each epoch's NAME value
# (step -1) was produced by the given runs: "epoch count" lines.
epoch_counts() {
  local exp=$1 name=$2 run; shift 2
  for run in "$@"; do log_values "$exp" "$run" "$name"; done |
    cut -d' ' -f1 | sort -n | uniq -c | awk '{print $2, $1}'
}

# Ids of the newest `n` replay runs of an experiment (from `flor log --format json`).
newest_replays() {
  "$FLOR" log "$1" --format json | jq -r --argjson n "$2" '[.[] | select(.kind == "replay")][:$n][] | .run'
}

# The run ids of the workers of one `flor replay` (from its summary in FILE:
# the one listing of the workers `flor replay` prints; it has no JSON form).
summary_runs() {
  sed -n 's/^  worker [0-9]*  run \([0-9]*\) .*/\1/p' "$1"
}

# same_values A B MSG: every "key... value" line of file A is in file B, the
# values equal as doubles (jq reads numbers as IEEE doubles), A not empty.
same_values() {
  jq -n -e --rawfile a "$1" --rawfile b "$2" '
    def table: split("\n") | map(select(length > 0) | split(" ") | {key: (.[:-1] | join(" ")), value: (.[-1] | tonumber)})
      | from_entries;
    ($a | table) as $x | ($b | table) as $y
      | ($x | length) > 0 and all($x | to_entries[]; $y[.key] == .value)' > /dev/null ||
    fail "$3: values differ ($1: $(head -c 300 "$1") vs $2: $(head -c 300 "$2"))"
}

# record_replay_compare [--record "FLOR_RUN_ARGS"] [--edit CMD] EXP NAME EPOCHS WANT [REPLAY_ARGS...]
# The rr-style check (record, replay, compare), all through flor's JSON:
#  - with --record: `flor run EXP FLOR_RUN_ARGS...` (words split on spaces);
#  - with --edit: runs CMD (e.g. add_hindsight_logs: the program now logs NAME);
#  - `flor replay EXP REPLAY_ARGS...`: exit 0, "fidelity: ok" (every recorded
#    value reproduced); its summary in $WORK/replay.out, its workers' run ids in
#    $REPLAY_RUNS, the values of NAME they wrote ("epoch value") in $WORK/replayed.NAME;
#  - NAME (at step -1) was written exactly once for each epoch of EPOCHS (FIRST-LAST,
#    or a list: "-1" is a log after the main loop), and for no other;
#  - WANT (a file of "epoch value" lines, e.g. a plain run's; - for none): each
#    value equals the replayed one as a double.
record_replay_compare() {
  local record="" edit=""
  while [ $# -gt 0 ]; do
    case $1 in
      --record) record=$2; shift 2 ;;
      --edit) edit=$2; shift 2 ;;
      *) break ;;
    esac
  done
  local exp=$1 name=$2 epochs=$3 want=$4; shift 4
  if [ -n "$record" ]; then
    local run_args
    read -ra run_args <<<"$record"
    "$FLOR" run "$exp" "${run_args[@]}" > "$WORK/record.out" 2>&1 || fail "flor run $exp $record: $(cat "$WORK/record.out")"
  fi
  [ -z "$edit" ] || $edit
  "$FLOR" replay "$exp" "$@" > "$WORK/replay.out" 2> "$WORK/replay.err" ||
    fail "flor replay $exp $*: $(cat "$WORK/replay.out" "$WORK/replay.err")"
  cat "$WORK/replay.out"
  contains '^fidelity: ok' < "$WORK/replay.out" || fail "flor replay $exp $*: fidelity: $(cat "$WORK/replay.out")"
  mapfile -t REPLAY_RUNS < <(summary_runs "$WORK/replay.out")
  [ "${#REPLAY_RUNS[@]}" -gt 0 ] || fail "flor replay $exp $*: no worker in the summary"
  local run
  for run in "${REPLAY_RUNS[@]}"; do log_values "$exp" "$run" "$name"; done | sort -n -s > "$WORK/replayed.$name"
  [[ ! $epochs =~ ^([0-9]+)-([0-9]+)$ ]] || epochs=$(seq -s' ' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}")
  expect_eq "$(cut -d' ' -f1 "$WORK/replayed.$name" | paste -sd' ')" "$epochs" "flor replay $exp $*: the epochs that wrote $name"
  [ "$want" = - ] || same_values "$want" "$WORK/replayed.$name" "flor replay $exp $*: $name"
}

# --- faults ----------------------------------------------------------------------------

# checkpoint_fault STEP FAULT WHAT: the example project records 4 epochs as
# `fault` (a checkpoint every epoch) while FLOR_TEST_FAULT=FAULT fails one call
# of its 2nd checkpoint, epoch 1's (runtime/src/test_fault.h); STEP names it
# in messages. Checks: the fault fired (the negative control) and the one
# warning names WHAT (a regex: the file or row it hit); training went on to the
# end; the store opens and holds the checkpoint rows of epochs 0, 2 and 3 and
# not epoch 1's; a replay with new logs restores epochs 0, 2, 3 from their
# checkpoints, re-executes epoch 1 from epoch 0's, and reproduces every
# recorded value (fidelity: ok) and gives weight_norm for every epoch; then
# `flor gc` leaves exactly the checkpoints the rows name.
checkpoint_fault() {
  local step=$1 fault=$2 what=$3
  setup_example
  cd "$REPO"
  FLOR_TEST_FAULT=$fault "$FLOR" run fault --eps 1 -- ./build/train --epochs 4 --train-size 1000 --test-size 300 \
    > "$WORK/record.out" 2> "$WORK/record.err" || fail "$step: the record failed: $(cat "$WORK/record.err")"
  contains "^flor: test fault fired: FLOR_TEST_FAULT=$fault " < "$WORK/record.err" ||
    fail "$step: the fault did not fire: $(cat "$WORK/record.err")"
  expect_eq "$(grep -c '^flor: warning' "$WORK/record.err")" 1 "$step: warnings ($(cat "$WORK/record.err"))"
  grep '^flor: warning' "$WORK/record.err" | contains "$what" ||
    fail "$step: the warning does not name '$what': $(grep '^flor: warning' "$WORK/record.err")"
  expect_eq "$(q fault "select status||' '||(select count(*) from epochs where run=1) from runs where id=1")" \
    "complete 4" "$step: the record"
  "$FLOR" log fault --format json > /dev/null || fail "$step: the store does not open"
  expect_eq "$(q fault "select group_concat(epoch, ' ') from (select epoch from checkpoints where run=1 order by epoch)")" \
    "0 2 3" "$step: the epochs with a checkpoint row"
  add_hindsight_logs
  record_replay_compare fault weight_norm 0-3 -
  expect_eq "$(q fault "select group_concat(epoch||':'||executed||'/'||skipped, ' ') from (select * from epochs where run=${REPLAY_RUNS[0]} order by epoch)")" \
    "0:0/1 1:1/0 2:0/1 3:0/1" "$step: the replay's blocks executed/skipped per epoch"
  # gc keeps what the rows name, and collects a manifest without a row.
  "$FLOR" gc fault > /dev/null || fail "$step: flor gc"
  expect_eq "$(cd "$FLOR_HOME/fault" && printf '%s\n' ckpt/*.ckpt | sort | paste -sd' ')" \
    "$(q fault "select group_concat(path, ' ') from (select path from checkpoints order by path)")" "$step: checkpoints after gc"
}

# --- processes -------------------------------------------------------------------------

# Whether process PID runs (a zombie has ended; it only waits to be reaped).
alive() {
  local state
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

# wait_lines FILE N: waits (20 s at most) until FILE has N lines.
wait_lines() {
  for _ in $(seq 200); do [ "$(cat "$1" 2>/dev/null | wc -l)" -ge "$2" ] && return 0; sleep 0.1; done
  fail "timed out waiting for $2 line(s) in $1: $(cat "$1" 2>/dev/null)"
}

# all_die PID...: every process is gone within 5 s, else fails naming the survivors.
all_die() {
  local left
  for _ in $(seq 50); do
    left=""
    for p in "$@"; do alive "$p" && left="$left $p"; done
    [ -z "$left" ] && return 0
    sleep 0.1
  done
  for p in $left; do kill -9 "$p" 2>/dev/null || true; done
  fail "still running:$left"
}

# A program that writes its pid (a line) to FILE, then sleeps: exec'd, so the
# pid is the sleeping process.
PID_PROGRAM='echo $$ >> "$0"; exec sleep 300'

# --- hindsight across versions (test/versions/) --------------------------------------

# setup_versions_project: $REPO, a CMake project (test/versions/CMakeLists.txt)
# whose train.cc the test replaces by a version (version_record) and records;
# $VERSIONS_BUILD, the command that builds it in a folder (what a user gives
# `flor replay --build`). Skips (77) when flor's package or the example's data
# library is not built.
setup_versions_project() {
  local lib=$FLOR_BUILD_DIR/examples/fashion_mnist/libfmnist.a
  [ -f "$lib" ] || { echo "skip: the example is not built"; exit 77; }
  [ -f "$FLOR_BUILD_DIR/florConfig.cmake" ] || { echo "skip: no flor package in the build tree"; exit 77; }
  need_commands cmake ninja
  REPO=$WORK/project
  new_repo "$REPO"
  cp "$FLOR_SOURCE_DIR/test/versions/CMakeLists.txt" "$REPO/"
  printf 'build/\n' > "$REPO/.gitignore"
  VERSIONS_BUILD=$(versions_build_command "$FLOR_BUILD_DIR" "$FLOR_SOURCE_DIR")
  VERSIONS_ARGS=(--epochs 3 --train-size 512 --test-size 200)
}

# version_record EXP V: train.cc becomes test/versions/V.cc, committed and
# built; then a record of EXP with it (--eps 1: a checkpoint every epoch).
version_record() {
  cp "$FLOR_SOURCE_DIR/test/versions/$2.cc" "$REPO/train.cc"
  git -C "$REPO" add -A && git -C "$REPO" commit -qm "$2"
  (cd "$REPO" && CCACHE_BASEDIR=$REPO CCACHE_NOHASHDIR=1 sh -c "$VERSIONS_BUILD") > "$WORK/build-$2.log" 2>&1 || fail "build of $2: $(tail -20 "$WORK/build-$2.log")"
  (cd "$REPO" && "$FLOR" run "$1" --eps 1 -- ./build/train "${VERSIONS_ARGS[@]}") > "$WORK/record-$2.log" 2>&1 ||
    fail "record of $2: $(cat "$WORK/record-$2.log")"
}

# with_statement FILE, $VERSIONS_STATEMENT: in test/common/versions.bash.
# shellcheck source=../common/versions.bash
source "$FLOR_SOURCE_DIR/test/common/versions.bash"

# --- sweeps of the example -----------------------------------------------------------

# setup_sweep_example: the example project (setup_example), the current folder;
# skips (77) when the build has no `flor sweep`.
setup_sweep_example() {
  setup_example
  cd "$REPO"
  "$FLOR" help | grep -q '^  sweep' || { echo "skip: flor sweep not in this build"; exit 77; }
}

# sweep_config FILE LRS BATCH_SIZES [META...]: a sweep of the example over LRS and
# BATCH_SIZES (the example's own flag names as keys); $EPOCHS (default 2) epochs,
# $PAR (default 2) runs at a time, on CPU slots.
sweep_config() {
  local file=$1 lrs=$2 bss=$3 meta=${4:-}
  cat > "$file.tmp" <<JSON
{ "data_name": "fm", "epochs": ${EPOCHS:-2}, "train-size": 256, "test-size": 128,
  "lr": [$lrs], "batch-size": [$bss],
  "meta": { "max_parallel": ${PAR:-2}, "allow_cpu": true $meta } }
JSON
  mv "$file.tmp" "$file"  # atomic: a running sweep never reads half a file
}
sweep_dir() { echo "$FLOR_HOME/fm/sweeps/$1"; }
# count_state ID STATE: how many runs of sweep ID its journal lists in STATE.
count_state() { grep -c "\"state\": \"$2\"" "$(sweep_dir "$1")/journal.json" 2>/dev/null || true; }
at_least() { [ "$(count_state "$1" "$2")" -ge "$3" ] 2>/dev/null; }  # at_least ID STATE N
# wait_for SECONDS CONDITION...: waits until the command CONDITION succeeds.
wait_for() {
  local t=$1; shift
  for _ in $(seq $((t * 10))); do "$@" && return 0; sleep 0.1; done
  fail "timed out waiting for: $*"
}

# --- hands-free flor on the shape programs -----------------------------------------
# The plain programs of test/instrument/shapes/ (no flor code in them) as a
# user's CMake project (find_package(flor), flor_instrument(TARGET)) in a git
# repo, built through flor-instrument in compiler-launcher mode, recorded with
# `flor run`; then the user adds flor::log lines, rebuilds, and replays.
# Env: FLOR_INSTRUMENT overrides the tool (default: the build's).

# setup_shape SHAPE DIAGNOSTICS: the project in $REPO (the current folder) with
# SHAPE built (its log in $WORK/build1.log) and flor-instrument's DIAGNOSTICS
# count of [flor-...] diagnostics on it, the sources unchanged. Skips (77) when
# flor-instrument, flor replay, the example's library or the build tree's flor
# package is missing. SHAPE_CMAKE_ARGS: more words for its configure.
setup_shape() {
  SHAPE=$1
  local tool=${FLOR_INSTRUMENT:-$FLOR_BUILD_DIR/tools/flor-instrument/flor-instrument}
  local fmnist_lib=$FLOR_BUILD_DIR/examples/fashion_mnist/libfmnist.a help_text src started=$SECONDS
  [ -x "$tool" ] || { echo "skip: flor-instrument not built"; exit 77; }
  help_text=$("$FLOR" help 2>/dev/null || true)
  grep -q replay <<< "$help_text" || { echo "skip: flor replay not available"; exit 77; }
  [ -f "$fmnist_lib" ] || { echo "skip: example not built"; exit 77; }
  [ -f "$FLOR_BUILD_DIR/florConfig.cmake" ] || { echo "skip: no flor package in the build tree"; exit 77; }
  REPO=$WORK/project
  new_repo "$REPO"
  cp -r "$FLOR_SOURCE_DIR/test/instrument/shapes/." "$REPO/"
  printf 'build/\n*.pt\n*.pgm\n*.csv\n' > "$REPO/.gitignore"
  for src in "$REPO/$SHAPE"/*; do
    [ -z "$(grep -v '^//' "$src" | grep flor || true)" ] || fail "$src: the shape programs must be plain LibTorch"
  done
  git -C "$REPO" add . && git -C "$REPO" commit -qm "plain training programs"
  # shellcheck disable=SC2086  # words, e.g. -DCMAKE_EXPORT_COMPILE_COMMANDS=ON for automatic probes
  cmake -S "$REPO" -B "$REPO/build" -G Ninja -Dflor_DIR="$FLOR_BUILD_DIR" -DFLOR_INSTRUMENT_EXECUTABLE="$tool" \
    -DFMNIST_LIB="$fmnist_lib" -DFMNIST_INCLUDE="$FLOR_SOURCE_DIR/examples" ${SHAPE_CMAKE_ARGS:-} > "$WORK/configure.log" 2>&1 ||
    fail "configure: $(cat "$WORK/configure.log")"
  cmake --build "$REPO/build" -j 2 --target "$SHAPE" > "$WORK/build1.log" 2>&1 || fail "build: $(cat "$WORK/build1.log")"
  echo "built $SHAPE through flor-instrument in $((SECONDS - started)) s"
  git -C "$REPO" diff --quiet || fail "launcher mode changed the sources"
  [ "$(grep -c '\[flor-' "$WORK/build1.log")" -eq "$2" ] ||
    fail "unexpected diagnostics (want $2): $(grep '\[flor-' "$WORK/build1.log")"
  cd "$REPO"
}

# shape_cc NAME TARGET: the instrumented copy of TARGET's NAME.cc (next to its object file).
shape_cc() { find "$REPO/build" -name "$1.cc.o.flor.cc" -path "*/$2.dir/*"; }
expect_in() {  # FILE TEXT: the instrumented copy has TEXT (fixed string)
  grep -qF -- "$2" "$1" || fail "$(basename "$1") lacks '$2': $(grep -n 'flor::' "$1")"
}

# record_shape: records $SHAPE, checkpointing every block (every period of a
# step loop); its output in $WORK/$SHAPE.record.
record_shape() {
  "$FLOR" run "$SHAPE" --eps 1 -- "./build/$SHAPE" > "$WORK/$SHAPE.record" 2>&1 ||
    fail "record $SHAPE: $(cat "$WORK/$SHAPE.record")"
  case $SHAPE in
    steps) [ "$(grep -c '^step [0-9]* loss ' "$WORK/$SHAPE.record")" -eq 6 ] ;;
    full_batch) grep -q '^iterations [0-9]* w_error ' "$WORK/$SHAPE.record" ;;
    *) [ "$(grep -c '^epoch [0-2] ' "$WORK/$SHAPE.record")" -eq 3 ] ;;
  esac || fail "record $SHAPE: $(cat "$WORK/$SHAPE.record")"
}

# In hindsight, the user logs values the programs print (one sed per line).
add_line() {  # FILE AFTER-REGEX NEW-LINE: inserts NEW-LINE (same indentation) after the matching line
  local file=$REPO/$1
  grep -q -- "$2" "$file" || fail "$1: no line matches '$2'"
  sed -i "s|^\(\s*\)\($2.*\)$|\1\2\n\1$3|" "$file"
}

# rebuild_shape SRC: SRC (the source the new log lines are in) includes flor.h;
# $SHAPE is built again.
rebuild_shape() {
  local started=$SECONDS
  sed -i '0,/^#include/s|^#include|#include <flor/flor.h>\n#include|' "$REPO/$1"
  git --no-pager diff --stat
  cmake --build "$REPO/build" -j 2 --target "$SHAPE" > "$WORK/build2.log" 2>&1 || fail "rebuild: $(cat "$WORK/build2.log")"
  echo "rebuilt in $((SECONDS - started)) s"
}

# replay_shape ARGS...: runs one `flor replay ARGS...`, checks fidelity, saves its summary in $WORK/last.out.
replay_shape() {
  "$FLOR" replay "$@" > "$WORK/last.out" 2>&1 || fail "replay $*: $(cat "$WORK/last.out")"
  grep -q '^fidelity: ok' "$WORK/last.out" || fail "replay $*: fidelity: $(cat "$WORK/last.out")"
}

# check_values NAME...: each NAME was logged once per epoch by the last replay's
# workers, equal (to the 6 digits printed) to the record's `epoch E ... NAME V`.
check_values() {
  local runs
  runs=$(summary_runs "$WORK/last.out")
  [ -n "$runs" ] || fail "$SHAPE: no workers in $(cat "$WORK/last.out")"
  run_logs "$SHAPE" $runs > "$WORK/dump"
  python3 - "$WORK/$SHAPE.record" "$WORK/dump" "$SHAPE" "$@" <<'PY' || fail "$SHAPE: values differ from the record"
import re, sys
record, dump, shape, names = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
printed = {}
for line in open(record):
    words = line.split()
    if len(words) >= 3 and words[0] == "epoch":
        for key, value in zip(words[2::2], words[3::2]):
            printed[(int(words[1]), key)] = value
logged = {}
for epoch, step, name, value in (line.rstrip("\n").split(" ", 3) for line in open(dump)):
    if step == "-1":
        logged.setdefault((int(epoch), name), []).append(value)
bad = []
for epoch in range(3):
    for name in names:
        values = logged.get((epoch, name), [])
        want = printed.get((epoch, name))
        # A printed number is "%.6f" or an integer (a step count).
        if len(values) != 1 or want is None or ("%.6f" % float(values[0]) if "." in want else values[0]) != want:
            bad.append(f"epoch {epoch} {name}: logged {values}, printed {want}")
for b in bad:
    print(f"{shape}: {b}", file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

skipped() { grep -q "^blocks: $1 skipped" "$WORK/last.out" || fail "${2}: skipped blocks: $(cat "$WORK/last.out")"; }
two_workers() { [ "$(summary_runs "$WORK/last.out" | wc -l)" -eq 2 ] || fail "$1: not 2 workers: $(cat "$WORK/last.out")"; }

# check_shape BLOCK JOBS NAME...: the two replays of $SHAPE with a skip block:
#   - without probes (JOBS workers): the skip blocks are skipped (their state
#     restored) and the new values, for every epoch, equal what the record printed;
#   - with BLOCK probed, in 2 workers: the second worker restores a checkpoint
#     and runs the block again, so the values equal the record only if the
#     checkpoint set holds everything the block changes.
check_shape() {
  local block=$1 jobs=$2; shift 2
  replay_shape "$SHAPE" -j "$jobs"
  skipped 3 "$SHAPE without probes"
  check_values "$@"
  replay_shape "$SHAPE" -j 2 --probe "$block"
  skipped 0 "$SHAPE probing $block"
  two_workers "$SHAPE"
  check_values "$@"
  echo "$SHAPE: ok"
}

# check_printed REGEX NAME EPOCH-OFFSET: the last replay's workers logged NAME,
# at every line of $SHAPE's record that matches REGEX (groups: the loop's
# counter and the value), exactly once, equal to the printed value; a counter c
# is epoch c + EPOCH-OFFSET; a line without a counter is after the loop (epoch -1).
check_printed() {
  local regex=$1 name=$2 offset=$3 runs
  runs=$(summary_runs "$WORK/last.out")
  run_logs "$SHAPE" $runs > "$WORK/dump"
  python3 - "$WORK/$SHAPE.record" "$WORK/dump" "$regex" "$name" "$offset" <<'PY' || fail "$SHAPE: $name differs from the record"
import re, sys
record, dump, regex, name, offset = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
want = {}
for line in open(record):
    m = re.match(regex, line)
    if m:
        epoch = int(m[1]) + offset if m.lastindex == 2 else -1
        want[epoch] = m[m.lastindex]
logged = {}
for epoch, step, logged_name, value in (line.rstrip("\n").split(" ", 3) for line in open(dump)):
    if logged_name == name:
        logged.setdefault(int(epoch), []).append(value)
bad = [f"epoch {e}: logged {logged.get(e)}, printed {v}" for e, v in want.items()
       if len(logged.get(e, [])) != 1 or "%.6f" % float(logged[e][0]) != v]
for b in bad:
    print(f"{name}: {b}", file=sys.stderr)
sys.exit(1 if bad or not want else 0)
PY
}

# --- a full disk under the store (test/e2e/programs/store_full.cc) ------------------

# store_full_setup: re-runs the script in a private user and mount namespace
# (unshare --user --map-root-user --mount: no root needed on Debian 12; skips
# (77) where namespaces are not allowed), with FLOR_HOME on a 48 MB tmpfs that
# vanishes with the test; the store_full program as $REPO, the current folder.
# Why tmpfs: a real failure of the kernel (ENOSPC, SQLITE_FULL), not an
# injected error, reached deterministically at a chosen epoch, and gone the
# moment the program deletes its ballast file. (RLIMIT_FSIZE fails a file at a
# size, not a filesystem when full, and is per process; PRAGMA max_page_count
# would need a test-only hook in the store.)
store_full_setup() {
  if [ -z "${FLOR_TEST_IN_NAMESPACE:-}" ]; then
    unshare --user --map-root-user --mount true 2>/dev/null ||
      { echo "skip: cannot create a user and mount namespace (unshare) for a private tmpfs"; exit 77; }
    rm -rf "$WORK"
    FLOR_TEST_IN_NAMESPACE=1 exec unshare --user --map-root-user --mount bash "$0"
  fi
  need_commands sqlite3
  setup_program store_full
  cd "$REPO"
  mkdir -p "$FLOR_HOME"
  mount -t tmpfs -o size=48m flor-test "$FLOR_HOME"
  trap 'umount "$FLOR_HOME"; rm -rf "$WORK"' EXIT
}

# store_full_record NAME EPOCHS FREE_AT: records NAME (1000 logs of 1000 bytes
# an epoch, the disk filled at epoch 2 and freed at FREE_AT, -1: never); sets
# $rc, output in $WORK/NAME.err.
store_full_record() {
  rc=0
  "$FLOR" run "$1" -- ./build/train --epochs "$2" --rows 1000 --bytes 1000 --ballast "$FLOR_HOME/ballast" \
    --fill-at 2 --free-at "$3" > "$WORK/$1.out" 2> "$WORK/$1.err" || rc=$?
  cat "$WORK/$1.err"
}
# out_of_order NAME: the rows of the logs table whose id order is not epoch order.
out_of_order() {
  q "$1" "select count(*) from (select epoch, lag(epoch) over (order by id) as prev from logs) where epoch < prev"
}
# lost_in_summary NAME: the "N log rows" count of the summary in $WORK/NAME.err.
lost_in_summary() {
  sed -n "s/^flor: error: \([0-9][0-9]*\) of [0-9]* log rows.* could not be stored: .*; \(the run is marked failed\|nor can the run's end be (it stays 'running' there)\)$/\1/p" "$WORK/$1.err"
}
