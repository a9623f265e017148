#!/usr/bin/env bash
# Under a cluster launcher the segment comes from its environment:
# `mpirun -np 3 flor replay NAME` on localhost fills every epoch exactly once.
source "$(dirname "$0")/lib.bash"
need_commands mpirun
setup_example
cd "$REPO"
epochs=3
"$FLOR" run mpi --eps 1 -- ./build/train --epochs $epochs "${TRAIN_ARGS[@]}"
add_hindsight_logs

as_root=()
[ "$(id -u)" -eq 0 ] && as_root=(--allow-run-as-root)
mpirun "${as_root[@]}" --oversubscribe -np 3 -x FLOR_HOME -x FLOR_FMNIST_CACHE -x OPENBLAS_NUM_THREADS \
  "$FLOR" replay mpi > "$WORK/mpi.out" 2>&1 || fail "mpirun: $(cat "$WORK/mpi.out")"
grep -q 'segment 2/3 (from openmpi)' "$WORK/mpi.out" || fail "segment from Open MPI: $(cat "$WORK/mpi.out")"
counts=$(epoch_counts mpi weight_norm $(newest_replays mpi 3))
[ "$counts" = "$(printf '0 1\n1 1\n2 1')" ] || fail "every epoch exactly once, got: $counts"

# The same through the other launchers' variables, one process per segment.
for rank in 0 1 2; do
  RANK=$rank WORLD_SIZE=3 "$FLOR" replay mpi > "$WORK/torchrun$rank.out" 2>&1 ||
    fail "torchrun rank $rank"
done
grep -q 'segment 3/3 (from torchrun)' "$WORK/torchrun2.out" || fail "torchrun segment"
[ "$(epoch_counts mpi weight_norm $(newest_replays mpi 3))" = "$counts" ] || fail "torchrun: exactly once"

"$FLOR" replay mpi --slurm 3 > "$WORK/job.sh"
grep -q '^#SBATCH --array=1-3$' "$WORK/job.sh" && bash -n "$WORK/job.sh" || fail "slurm script"
echo "driver_mpirun: ok"
