# Shared by the driver_step_loop*.sh end-to-end tests; sourced. On top of
# driver_lib.bash: $build (the example's build folder), q SQL (the 'st'
# experiment), expect_eq, same_values, and $REPO holding train_steps.cc with
# build/train_steps (committed), as the current folder; ARGS for the program.
source "$(dirname "${BASH_SOURCE[0]}")/driver_lib.bash"
command -v sqlite3 >/dev/null || { echo "skip: the sqlite3 shell is not installed"; exit 77; }
command -v python3 >/dev/null || { echo "skip: python3 is not installed"; exit 77; }
build=$FLOR_BUILD_DIR/examples/fashion_mnist
for b in train_steps train_steps_in train_steps_after train_steps_unbounded; do
  [ -x "$build/$b" ] || { echo "skip: $build/$b not built"; exit 77; }
done
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
q() { sqlite3 -batch -noheader "$FLOR_HOME/st/flor.db" "$1"; }
expect_eq() { [ "$1" == "$2" ] || fail "$3: expected '$2', got '$1'"; }
# Exact comparison of two "epoch value" lists (floats compared as doubles).
same_values() {
  python3 - "$1" "$2" <<'EOF' || fail "$3: values differ ($1 vs $2)"
import sys
def read(p):
    return {int(k): float(v) for k, v in (l.split() for l in open(p) if l.strip())}
a, b = read(sys.argv[1]), read(sys.argv[2])
sys.exit(0 if a and all(k in b and b[k] == v for k, v in a.items()) else 1)
EOF
}

STEPS=400
ARGS=(--steps $STEPS --train-size 2000 --test-size 500 --print-every 25)
REPO=$WORK/steps
program_repo "$FLOR_SOURCE_DIR/examples/fashion_mnist/train_steps.cc" "$build/train_steps" train_steps
cd "$REPO"
