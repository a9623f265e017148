#!/usr/bin/env bash
# Probe detection: for each CASE.cc in probes/, `--probes --recorded
# CASE.recorded.cc --verdict V CASE.cc` must print exactly CASE.probes and
# write CASE.verdict to V.
#   run_probes.sh TOOL
set -euo pipefail
tool=$1
here=$(cd "$(dirname "$0")" && pwd)
failed=0
for current in "$here"/probes/*.cc; do
  [[ $current == *.recorded.cc ]] && continue
  case=${current%.cc}
  # No -std= (as CMake leaves it when g++'s default will do): gnu++17 is the default.
  verdict=$(mktemp)
  got=$("$tool" --probes --recorded "$case.recorded.cc" --verdict "$verdict" "$current" -- -I"$here/mock") ||
    { echo "FAIL $(basename "$case"): --probes failed"; failed=1; rm -f "$verdict"; continue; }
  want=$(cat "$case.probes")
  [[ $got == "$want" ]] || { echo "FAIL $(basename "$case"): got '$got', want '$want'"; failed=1; }
  got=$(cat "$verdict")
  want=$(cat "$case.verdict")
  [[ $got == "$want" ]] || { echo "FAIL $(basename "$case"): verdict '$got', want '$want'"; failed=1; }
  rm -f "$verdict"
done
exit $failed
