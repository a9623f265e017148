#!/usr/bin/env bash
# flor sweep on the Fashion-MNIST example, bad input: a malformed config, an
# unknown meta key, a sweep that expands to nothing and a missing command each
# get one clear line and start nothing; an exclude rule naming an unknown key
# gets a warning.
source "$(dirname "$0")/lib.bash"
setup_sweep_example

printf '{\n  "data_name": "fm",\n  "lr": [0.1,, 0.2]\n}\n' > "$WORK/bad.json"
one_line_error "$FLOR" sweep "$WORK/bad.json" -- ./build/train | grep -q 'bad.json:3:14: malformed JSON' || fail "line:col"
echo '{"data_name": "fm", "lr": [1], "meta": {"max_paralel": 2}}' > "$WORK/meta.json"
one_line_error "$FLOR" sweep "$WORK/meta.json" -- ./build/train | grep -q 'known: exclude_configs, max_parallel' ||
  fail "unknown meta key"
echo '{"data_name": "fm", "lr": [1], "meta": {"exclude_configs": [{"lr": 1}]}}' > "$WORK/none.json"
one_line_error "$FLOR" sweep "$WORK/none.json" -- ./build/train | grep -q 'expands to nothing' || fail "empty sweep"
sweep_config "$WORK/grid.json" "0.1, 0.01, 0.001" "32, 64"
one_line_error "$FLOR" sweep "$WORK/grid.json" | grep -q 'missing command' || fail "missing command"
echo '{"data_name": "fm", "lr": [1, 2], "meta": {"exclude_configs": [{"optimiser": "sgd"}]}}' > "$WORK/warn.json"
"$FLOR" sweep "$WORK/warn.json" --dry-run -- ./build/train 2> "$WORK/warn.err" > /dev/null
grep -q "warning: .*unknown key 'optimiser'" "$WORK/warn.err" || fail "exclude rule warning"
[ ! -e "$FLOR_HOME/fm" ] || fail "bad input wrote $(find "$FLOR_HOME")"
echo "sweep_fmnist_bad_input: ok"
