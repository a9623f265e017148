#!/usr/bin/env bash
# Hindsight across versions, side by side in one run: an experiment with 4
# records of the versions project (test/versions/v1-v3.cc and v4, v3 with a
# wider layer), EPOCHS epochs each on TRAIN_SIZE images, then one new log
# statement in the work tree. Measured:
#   - `flor replay --all-runs -j 2` with every version built (its folder
#     kept: the build step is a no-op) vs the same runs replayed one after
#     another, one worker each (`--runs K -j 1`, FlorDB's way), vs retraining
#     each version (its program, the statement in it) from scratch, one after
#     another and 2 at a time;
#   - the first `--all-runs`, which exports and builds every version: its builds
#     with a cold ccache (a private, empty CCACHE_DIR, so the shared cache is
#     not touched) vs warm (the version folders deleted, the same private cache).
# Every replay must report fidelity ok for all 4 runs. ROUNDS alternates the
# replay/retrain measures, best of each. "building": the seconds of that
# measure spent in the build command (a no-op build of a built folder still
# runs it: configure check and ninja), from flor's "built in" lines.
#   bench/versions.sh BUILD_DIR [EPOCHS TRAIN_SIZE ROUNDS]   (default 6 20000 2)
set -euo pipefail
usage="usage: bench/versions.sh BUILD_DIR [EPOCHS TRAIN_SIZE ROUNDS]"
build=$(cd "${1:?$usage}" && pwd)
epochs=${2:-6} train_size=${3:-20000} rounds=${4:-2}
src=$(cd "$(dirname "$0")/.." && pwd)
flor=$build/tools/flor/flor
[ -x "$flor" ] && [ -f "$build/examples/fashion_mnist/libfmnist.a" ] && [ -f "$build/florConfig.cmake" ] ||
  { echo "build flor and the example first: scripts/build" >&2; exit 2; }
# shellcheck source=../test/common/versions.bash
source "$src/test/common/versions.bash"
work=$(mktemp -d /tmp/flor-bench-versions-XXXXXX)
trap 'rm -rf "$work"' EXIT
export FLOR_HOME=$work/home OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
build_cmd=$(versions_build_command "$build" "$src")
args=(--epochs "$epochs" --train-size "$train_size" --test-size 2000)
repo=$work/project
log=$work/log

now() { date +%s.%N; }
since() { python3 -c "print(round($(now) - $1, 2))"; }
best() { python3 -c "import sys; print(min(float(x) for x in sys.argv[1:]))" "$@"; }
ratio() { python3 -c "print(round($1 / $2, 2))"; }
die() { echo "bench/versions.sh: $1 (output: $log)" >&2; cat "$log" >&2; trap - EXIT; exit 1; }

# The experiment: 4 versions recorded (built with the shared ccache, in the project).
mkdir -p "$repo"
git -C "$repo" init -q
git -C "$repo" config user.name bench && git -C "$repo" config user.email bench@localhost
cp "$src/test/versions/CMakeLists.txt" "$repo/"
printf 'build/\n' > "$repo/.gitignore"
version_source() {  # version_source V: its train.cc
  case $1 in
    v4) sed 's/Net model(48);/Net model(64);/' "$src/test/versions/v3.cc" ;;
    *) cat "$src/test/versions/$1.cc" ;;
  esac
}
cd "$repo"
for v in v1 v2 v3 v4; do
  version_source "$v" > train.cc
  git add -A && git commit -qm "$v"
  CCACHE_BASEDIR=$repo CCACHE_NOHASHDIR=1 sh -c "$build_cmd" > "$log" 2>&1 || die "build of $v"
  "$flor" run vb --eps 1 -- ./build/train "${args[@]}" > "$log" 2>&1 || die "record of $v"
done
cmp -s <(version_source v3) <(version_source v4) && die "v4 is the same as v3"
version_source v4 > "$work/v4.cc"
with_statement "$work/v4.cc" > train.cc

# all_runs OUT FLAGS...: `flor replay vb --all-runs` (4 runs, all replayed, fidelity ok); its wall time.
all_runs() {
  local out=$1 t0; shift
  t0=$(now)
  "$flor" replay vb --all-runs --no-probes "$@" > "$out" 2>&1 || { cp "$out" "$log"; die "replay --all-runs"; }
  grep -q '^4 run(s) selected: 4 replayed, 0 skipped$' "$out" || { cp "$out" "$log"; die "not all 4 runs replayed"; }
  [ "$(grep -c '^fidelity: ok' "$out")" -eq 4 ] || { cp "$out" "$log"; die "fidelity not ok for every run"; }
  since "$t0"
}
built_seconds() { awk '/^flor: built in/ { s += $4 } END { print s }' "$1"; }  # the builds' seconds in OUT

cold_wall=$(CCACHE_DIR=$work/ccache all_runs "$work/cold.out" -j 2 --build "$build_cmd")
cold_build=$(built_seconds "$work/cold.out")
[ "$(grep -c '^flor: built in' "$work/cold.out")" -eq 4 ] || { cp "$work/cold.out" "$log"; die "not 4 builds"; }
mapfile -t dirs < <(find "$FLOR_HOME/vb/versions" -mindepth 1 -maxdepth 1 -type d)
[ "${#dirs[@]}" -eq 4 ] || die "not 4 version folders: ${dirs[*]}"
rm -rf "${dirs[@]}"
warm_wall=$(CCACHE_DIR=$work/ccache all_runs "$work/warm.out" -j 2)
warm_build=$(built_seconds "$work/warm.out")

parallel=() sequential=() retrain=() retrain2=() parallel_build=() sequential_build=()
for ((i = 0; i < rounds; i++)); do
  parallel+=("$(all_runs "$work/parallel.out" -j 2)")
  parallel_build+=("$(built_seconds "$work/parallel.out")")
  t0=$(now)
  b=0
  for run in 1 2 3 4; do
    "$flor" replay vb --runs "$run" -j 1 --no-probes > "$log" 2>&1 || die "replay --runs $run"
    grep -q '^fidelity: ok' "$log" || die "fidelity of run $run"
    b=$(python3 -c "print($b + $(built_seconds "$log"))")
  done
  sequential+=("$(since "$t0")")
  sequential_build+=("$b")
  t0=$(now)
  for d in "${dirs[@]}"; do "$d/build/train" "${args[@]}" > "$log" 2>&1 || die "retraining $d"; done
  retrain+=("$(since "$t0")")
  t0=$(now)
  printf '%s\n' "${dirs[@]}" | xargs -P 2 -I{} sh -c 'd=$1; shift; "$d/build/train" "$@" > /dev/null' sh {} "${args[@]}" ||
    die "retraining 2 at a time"
  retrain2+=("$(since "$t0")")
done
# The best round of each, with the seconds its build steps took (the build command run in each version's folder).
pick() {  # pick TIMES... -- BUILDS...: "time builds" of the fastest
  python3 - "$@" <<'PY'
import sys
a = sys.argv[1:]
k = a.index("--")
t, b = [float(x) for x in a[:k]], a[k + 1:]
i = t.index(min(t))
print(t[i], b[i] if b else "-")
PY
}
read -r p pb < <(pick "${parallel[@]}" -- "${parallel_build[@]}")
read -r s sb < <(pick "${sequential[@]}" -- "${sequential_build[@]}")
read -r r _ < <(pick "${retrain[@]}" --)
read -r r2 _ < <(pick "${retrain2[@]}" --)

echo "4 versions x $epochs epochs ($train_size images), 2 cores; best of $rounds, every replay with fidelity ok"
row() { printf '%-56s %8s %9s %7s\n' "$@"; }
row measure seconds "building" ratio
row "flor replay --all-runs -j 2 (versions built)" "$p" "$pb" 1
row "replaying the 4 runs one after another (--runs K -j 1)" "$s" "$sb" "$(ratio "$s" "$p")"
row "retraining the 4 versions one after another" "$r" - "$(ratio "$r" "$p")"
row "retraining the 4 versions 2 at a time" "$r2" - "$(ratio "$r2" "$p")"
row "first --all-runs -j 2, ccache warm" "$warm_wall" "$warm_build" 1
row "first --all-runs -j 2, ccache cold (private, empty)" "$cold_wall" "$cold_build" "$(ratio "$cold_wall" "$warm_wall")"
echo "builds, cold vs warm ccache: $(ratio "$cold_build" "$warm_build")x"
