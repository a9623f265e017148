# Helpers for the runtime's end-to-end tests (sourced, not a test itself).
# Needs FLOR_BUILD_DIR (set by ctest) and the sqlite3 shell; skips (77) without them.
set -euo pipefail

: "${FLOR_BUILD_DIR:?set by ctest}"
TRAIN="$FLOR_BUILD_DIR/examples/fashion_mnist/train"
TRAIN_HS="$FLOR_BUILD_DIR/examples/fashion_mnist/train_hindsight"
for bin in "$TRAIN" "$TRAIN_HS"; do
  [ -x "$bin" ] || { echo "skip: $bin not built"; exit 77; }
done
command -v sqlite3 >/dev/null || { echo "skip: the sqlite3 shell is not installed"; exit 77; }

export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
export FLOR_HOME="$(mktemp -d /tmp/flor-e2e-XXXXXX)"
trap 'rm -rf "$FLOR_HOME"' EXIT
# A small, fast configuration: 16 steps of 64 per epoch.
ARGS=(--train-size 1000 --test-size 300 --batch-size 64)

q() { sqlite3 -batch -noheader "$FLOR_HOME/$1/flor.db" "$2"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_eq() { [ "$1" == "$2" ] || fail "$3: expected '$2', got '$1'"; }
