#!/usr/bin/env bash
# Every command the README and docs/ show a user is run, as written, in the
# setting they describe: inside a user's git repository holding the Fashion-MNIST
# example (train.cc, build/train), experiment `mnist` recorded by the first
# command. Commands come from ```sh blocks of README.md and docs/*.md, and from
# the example lines of every --help (docs/cli.md). Each line is either run
# (exit 0 expected) or named in SKIP below with the reason; nothing is skipped
# silently, so a new command in the docs is a new test.
source "$(dirname "$0")/lib.bash"
setup_example
cd "$REPO"

# Commands that cannot run here, each with why (the exact text after comments
# are cut and `;` splits a line).
declare -A SKIP=(
  ["scripts/demo"]="installs packages and builds; this test is its story on the built tree"
  ["scripts/test"]="runs the whole suite, this test included"
  ["mpirun -np 3 flor replay mnist"]="a cluster launcher: driver_mpirun.sh runs it under Open MPI"
  ["flor replay mnist --epochs 150-160 --probe train"]="needs a record of 160 epochs (placeholder numbers)"
  ["source <(flor completion bash)"]="loads completion into an interactive shell: shell_completion.sh drives it"
  ["flor replay mnist --all-runs -j 4 --build \"cmake -S . -B build && cmake --build build\""]="builds every version with CMake; this project is a prebuilt binary: versions_fill.sh runs it on a CMake project"
  ["flor replay mnist --all-runs -j 4 --build \"cmake --build build\""]="builds every version with CMake; this project is a prebuilt binary: versions_fill.sh runs it on a CMake project"
  ["flor ui"]="serves until interrupted: ui_api.sh and ui_browser.sh start it on a free port and query it"
  ["flor ui --port 0"]="serves until interrupted: ui_api.sh and ui_browser.sh start it on a free port and query it"
)

# The docs' program trains on all 60000 images; the same binary on 3000 keeps
# the test short (a wrapper, so every command still reads ./build/train).
mv build/train build/train.bin
printf '#!/bin/sh\nexec "$(dirname "$0")/train.bin" --train-size 3000 --test-size 300 "$@"\n' > build/train
chmod +x build/train
# Files the commands name: a sweep config for README's and --help's examples.
echo '{"data_name": "mnist", "epochs": 1, "lr": [0.01, 0.001], "meta": {"allow_cpu": true}}' > sweep.json
mkdir -p sweeps && echo '{"data_name": "mnist", "lr": [0.01, 0.001], "meta": {"allow_cpu": true}}' > sweeps/grid.json
git add sweep.json sweeps && git commit -qm "sweep configs"

# file:line<TAB>command, in the order a reader meets them; duplicates once.
extract() {
  python3 - "$FLOR_SOURCE_DIR" <<'PY'
import glob, os, re, sys
root = sys.argv[1]
seen = set()
def emit(where, text):
    for cmd in text.split(";"):
        cmd = cmd.strip()
        if cmd and cmd not in seen:
            seen.add(cmd)
            print(f"{where}\t{cmd}")
files = [os.path.join(root, "README.md")] + sorted(glob.glob(os.path.join(root, "docs", "*.md")))
for path in files:
    rel = os.path.relpath(path, root)
    block, examples = None, False
    for n, line in enumerate(open(path), 1):
        fence = re.match(r"\s*```(\w*)", line)
        if fence:
            block = None if block is not None else fence.group(1)
            continue
        if block == "sh":
            emit(f"{rel}:{n}", re.sub(r"(^|\s)#.*", "", line))
        # --help's "example: CMD" / "examples: CMD" and the lines under it, indented to CMD.
        m = re.match(r"(examples?: +|          )(\S.*)", line) if block == "" and rel == "docs/cli.md" else None
        examples = bool(m) and (m.group(1).startswith("example") or examples)
        if examples:
            emit(f"{rel}:{n}", m.group(2))
PY
}

flor() { "$FLOR" "$@"; }
ran=0 skipped=0
while IFS=$'\t' read -r where cmd; do
  if [[ -n "${SKIP[$cmd]+set}" ]]; then
    echo "skip $where: $cmd (${SKIP[$cmd]})"
    skipped=$((skipped + 1))
    continue
  fi
  [[ "$cmd" == "flor "* ]] || fail "$where: '$cmd' is neither a flor command nor in this test's SKIP list"
  echo "== $where: $cmd"
  rc=0
  eval "$cmd" > "$WORK/out" 2>&1 < /dev/null || rc=$?
  tail -5 "$WORK/out"
  [ "$rc" -eq 0 ] || fail "$where: '$cmd' exited $rc: $(tail -20 "$WORK/out")"
  ran=$((ran + 1))
done < <(extract)
[ "$ran" -ge 10 ] || fail "only $ran commands found in the docs: is the extraction broken?"
# Every entry of SKIP is still in the docs (a stale one would hide nothing, but lies).
for cmd in "${!SKIP[@]}"; do extract | cut -f2 | grep -qxF -- "$cmd" || fail "SKIP names '$cmd', no longer in the docs"; done
echo "docs_commands: ok ($ran run, $skipped skipped)"
