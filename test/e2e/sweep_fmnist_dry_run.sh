#!/usr/bin/env bash
# flor sweep --dry-run on the Fashion-MNIST example lists the 6 permutations of
# a grid (as a table and as JSON) and writes nothing.
source "$(dirname "$0")/lib.bash"
setup_sweep_example

sweep_config "$WORK/grid.json" "0.1, 0.01, 0.001" "32, 64"
"$FLOR" sweep "$WORK/grid.json" --id grid --dry-run -- ./build/train | tee "$WORK/dry.out"
grep -q '^6 of 6 permutations would run' "$WORK/dry.out" || fail "dry run"
"$FLOR" sweep "$WORK/grid.json" --id grid --dry-run --format json -- ./build/train > "$WORK/dry.json"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert len(r)==6 and r[0]["action"]=="run" and r[0]["state"]=="new" and r[0]["lr"]==0.1, r' "$WORK/dry.json" ||
  fail "dry run json: $(cat "$WORK/dry.json")"
[ ! -e "$FLOR_HOME/fm" ] || fail "dry run wrote something"
echo "sweep_fmnist_dry_run: ok"
