#!/usr/bin/env bash
# flor-instrument's cost against `clang++ -fsyntax-only` on the same TU (one
# that includes <torch/torch.h>), side by side in one run, alternating, best
# of RUNS each. The budgets: 1.2x for instrumenting, 1.5x for the probe
# analysis of `flor replay` (two versions); exits 1 when one is exceeded.
# With --launcher, also a full compile plain vs through the launcher (slow:
# two torch compiles per run; ccache is disabled for it).
#   bench/instrument.sh BUILD_DIR [--launcher] [FILE] [RUNS]
set -euo pipefail
build=$(cd "${1:?usage: bench/instrument.sh BUILD_DIR [--launcher] [FILE] [RUNS]}" && pwd)
shift
launcher=0
if [ "${1:-}" = "--launcher" ]; then launcher=1; shift; fi
src=$(cd "$(dirname "$0")/.." && pwd)
file=$(realpath "${1:-$src/examples/fashion_mnist/train_plain.cc}")
runs=${2:-3}
tool=$build/tools/flor-instrument/flor-instrument
clangxx=${CLANGXX:-clang++-14}
[ -x "$tool" ] || { echo "build flor-instrument first: ninja -C $build flor-instrument" >&2; exit 2; }

# The TU's compile command from the build (compile_commands.json).
mapfile -t cmd < <(python3 - "$build" "$file" <<'PY'
import json, shlex, sys
build, f = sys.argv[1:]
e = next(e for e in json.load(open(build + "/compile_commands.json")) if e["file"] == f)
print(e["directory"])
for a in shlex.split(e["command"]):
    print(a)
PY
)
dir=${cmd[0]}
compiler=${cmd[1]}
flags=()
skip=0
for a in "${cmd[@]:2}"; do
  if [ $skip = 1 ]; then skip=0; continue; fi
  case $a in -o|-MF|-MT) skip=1; continue ;; -MD|-c|"$file") continue ;; esac
  flags+=("$a")
done

now() { date +%s.%N; }
best() { python3 -c "import sys; print(min(float(x) for x in sys.argv[1:]))" "$@"; }
timed() { local t0; t0=$(now); "$@" > /dev/null; python3 -c "print($(now) - $t0)"; }

# The probe analysis (flor replay) parses the recorded version and the current
# one: the recorded one here is the file without its last line that calls log(.
recorded=$(mktemp)
trap 'rm -f "$recorded"' EXIT
tac "$file" | awk '!done && /log\(/ { done = 1; next } { print }' | tac > "$recorded"

cd "$dir"
syntax=() instr=() probes=()
for ((i = 0; i < runs; i++)); do
  syntax+=("$(timed "$clangxx" -fsyntax-only -w "${flags[@]}" "$file")")
  instr+=("$(timed "$tool" "$file" -- "${flags[@]}")")
  probes+=("$(timed "$tool" --probes --recorded "$recorded" "$file" -- "${flags[@]}")")
done
s=$(best "${syntax[@]}"); t=$(best "${instr[@]}"); p=$(best "${probes[@]}")
ratio=$(python3 -c "print(round($t / $s, 3))")
probe_ratio=$(python3 -c "print(round($p / $s, 3))")
echo "clang++ -fsyntax-only: ${s}s  flor-instrument: ${t}s  ratio: $ratio (budget 1.2)  [$file, best of $runs]"
echo "probe analysis (both versions): ${p}s  ratio: $probe_ratio (budget 1.5)"

status=0
python3 -c "import sys; sys.exit(0 if $ratio <= 1.2 and $probe_ratio <= 1.5 else 1)" || status=1

if [ $launcher = 1 ]; then
  # The instrumented TU includes <flor/flor.h>: the include path flor_instrument() adds to a target.
  flags+=("-I$src/runtime/include" "-I$build/generated")
  obj=$(mktemp -d)/bench.o
  plain=() launched=()
  for ((i = 0; i < runs; i++)); do
    plain+=("$(CCACHE_DISABLE=1 timed "$compiler" "${flags[@]}" -o "$obj" -c "$file")")
    launched+=("$(CCACHE_DISABLE=1 timed "$tool" "$compiler" "${flags[@]}" -o "$obj" -c "$file")")
  done
  p=$(best "${plain[@]}"); l=$(best "${launched[@]}")
  echo "compile: ${p}s  through the launcher: ${l}s  added: $(python3 -c "print(round($l - $p, 3))")s" \
       "= $(python3 -c "print(round(($l - $p) / $s, 3))")x clang++ -fsyntax-only (budget 1.2)"
  rm -rf "$(dirname "$obj")"
fi
exit $status
