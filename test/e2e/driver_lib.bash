# Shared by the driver_*.sh end-to-end tests; sourced (named .bash so the
# test glob, *.sh, does not run it by itself).
# Provides: $FLOR (the driver), $WORK (a temp folder removed at exit),
# new_repo DIR, user_state DIR (HEAD, index, refs and work tree fingerprint),
# fail MSG, one_line_error CMD... (exit non-zero, exactly one stderr line).
set -euo pipefail
FLOR=${FLOR_BUILD_DIR:?set FLOR_BUILD_DIR}/tools/flor/flor
[ -x "$FLOR" ] || { echo "skip: $FLOR not built"; exit 77; }
WORK=$(mktemp -d /tmp/flor-e2e-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export FLOR_HOME=$WORK/home
export GIT_OPTIONAL_LOCKS=0  # our own `git status` calls must not refresh the index
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t

fail() { echo "FAIL: $*" >&2; exit 1; }

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

# Runs a command that must fail with exactly one line on stderr, printed for the log.
one_line_error() {
  local err rc=0
  err=$("$@" 2>&1 >/dev/null) || rc=$?
  [ "$rc" -ne 0 ] || fail "expected failure: $*"
  [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "expected one line from: $* -- got: $err"
  echo "ok (exit $rc): $err"
}

# The Fashion-MNIST example with flor's manual API, as a user's project: a repo
# holding train.cc, the binary in an ignored build/ folder. Skips (77) when the
# example is not built. Sets $REPO; records `$1` with `$2` epochs.
# SOURCE BINARY NAME: a user's project in $REPO (created): SOURCE as NAME.cc
# and BINARY as build/NAME (build/ ignored), committed.
program_repo() {
  new_repo "$REPO"
  cp "$1" "$REPO/$3.cc"
  printf 'build/\n' > "$REPO/.gitignore"
  mkdir -p "$REPO/build" && cp "$2" "$REPO/build/$3"
  git -C "$REPO" add . && git -C "$REPO" commit -qm "training program"
}

# 3000 samples: epochs long enough that --eps 1 checkpoints every one of them.
TRAIN_ARGS=(--train-size 3000 --test-size 300)
setup_example() {
  local build=$FLOR_BUILD_DIR/examples/fashion_mnist
  [ -x "$build/train" ] && [ -x "$build/train_hindsight" ] || { echo "skip: example not built"; exit 77; }
  REPO=$WORK/project
  program_repo "$FLOR_SOURCE_DIR/examples/fashion_mnist/train.cc" "$build/train" train
}

# "Adding a log statement and rebuilding": train.cc gains the hindsight logs
# (FMNIST_HINDSIGHT) and build/train becomes the binary built from exactly that source.
add_hindsight_logs() {
  sed -i '1i #define FMNIST_HINDSIGHT' "$REPO/train.cc"
  cp "$FLOR_BUILD_DIR/examples/fashion_mnist/train_hindsight" "$REPO/build/train"
}

# How many times each epoch's `name` value was produced by the given runs (from
# flor dump): prints "epoch count" lines.
epoch_counts() {
  local exp=$1 name=$2; shift 2
  for run in "$@"; do "$FLOR" dump "$exp:$run"; done |
    sed -n "s/^  epoch=\([0-9]*\) step=-1 name=$name .*/\1/p" | sort -n | uniq -c | awk '{print $2, $1}'
}

# The run ids of the workers of one `flor replay -j` (from its summary in FILE).
summary_runs() {
  sed -n 's/^  worker [0-9]*  run \([0-9]*\) .*/\1/p' "$1"
}

# Ids of the newest `n` replay runs of an experiment.
newest_replays() {
  "$FLOR" log "$1" | awk '$6 == "replay" {print $1}' | head -n "$2"
}

# `cmd | contains RE`: like `grep -q RE`, but reads all input first, so the writer
# never dies of SIGPIPE (which pipefail would turn into a failure).
contains() {
  local all
  all=$(cat)
  grep -q -- "$1" <<<"$all"
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
