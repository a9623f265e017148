#!/usr/bin/env bash
# bench/object_store.sh BUILD [REPS EPOCHS TRAIN_SIZE EPS]: record overhead of
# FLOR_CKPT_URL. The Fashion-MNIST example recorded with checkpoints local only
# vs uploaded to an S3-compatible server (s3rver, started here on 127.0.0.1, as
# the tests do), the same epochs, REPS records each, interleaved (local, s3,
# s3, local, ...). Prints, side by side, the medians of the training loop's wall
# time (the sum of the run's epoch rows: what the upload must not show in) and
# of the whole process (with the end-of-run wait for the uploads), their
# ratios, the median of each back-to-back pair's ratio, and the checkpoints
# taken and uploaded. Default: 6 reps x 8 epochs of
# 20000 images, eps 1 (a checkpoint every epoch: the most uploads). S3_NICE=0:
# the server at normal priority.
set -euo pipefail
build=$(cd "${1:?usage: bench/object_store.sh BUILD [REPS EPOCHS TRAIN_SIZE EPS]}" && pwd)
reps=${2:-6} epochs=${3:-8} train_size=${4:-20000} eps=${5:-1}
here=$(cd "$(dirname "$0")" && pwd)
train=$build/examples/fashion_mnist/train
[ -x "$train" ] || { echo "build the example first ($train)" >&2; exit 2; }
command -v sqlite3 > /dev/null || { echo "sqlite3 is not installed (scripts/setup-deps)" >&2; exit 2; }
WORK=$(mktemp -d /tmp/flor-bench-objstore-XXXXXX)
fail() { echo "bench/object_store.sh: $*" >&2; exit 1; }
need_commands() { local c; for c in "$@"; do command -v "$c" > /dev/null || fail "$c is not installed"; done; }
# shellcheck source=../test/common/s3.bash
source "$here/../test/common/s3.bash"
trap 'rm -rf "$WORK"' EXIT  # start_s3 stops the server first
start_s3
# The server shares this machine's cores; at nice 19 (as flor's uploader) it
# stands in for a remote one instead of taking CPU from training.
[ "${S3_NICE:-1}" = 0 ] || renice -n 19 -p "$S3PID" > /dev/null
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

# record KIND I: one record into its own FLOR_HOME; appends "loop_s wall_s taken remote cpu_s" to $WORK/times.KIND.
record() {
  local home=$WORK/$1$2 t0 t1 cpu url=
  [ "$1" = local ] || url=s3://ckpts/bench$2  # a prefix each: no pack is already there
  mkdir -p "$home"
  t0=$(date +%s.%N)
  # `times` in the subshell: its children's user and system CPU time (the record, its uploader included).
  (FLOR_HOME=$home FLOR_CKPT_URL=$url "$train" --epochs "$epochs" --train-size "$train_size" --test-size 500 \
    --flor fm "$eps" > "$WORK/out" 2>&1 && times > "$WORK/cpu") || fail "record $1 $2: $(tail -5 "$WORK/out")"
  t1=$(date +%s.%N)
  grep -q warning "$WORK/out" && fail "record $1 $2 warned: $(grep warning "$WORK/out")"
  cpu=$(tail -1 "$WORK/cpu" | tr -d s | awk '{s = 0; for (i = 1; i <= 2; i++) {split($i, a, "m"); s += a[1] * 60 + a[2]} print s}')
  sqlite3 -batch -noheader -separator ' ' "$home/fm/flor.db" \
    "select (select sum(seconds) from epochs where run=1), $t1 - $t0, count(*), sum(location='remote'), $cpu
     from checkpoints where run=1" >> "$WORK/times.$1"
  rm -rf "$home"
}

for ((i = 0; i < reps; i++)); do
  if ((i % 2 == 0)); then record local "$i"; record s3 "$i"; else record s3 "$i"; record local "$i"; fi
done

# median FILE COLUMN
median() { cut -d' ' -f"$2" "$1" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
spread() { cut -d' ' -f"$2" "$1" | sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%.2f-%.2f", lo, hi}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3fx", a / b}'; }
lloop=$(median "$WORK/times.local" 1) sloop=$(median "$WORK/times.s3" 1)
lwall=$(median "$WORK/times.local" 2) swall=$(median "$WORK/times.s3" 2)
# Each pair of records ran back to back (the same load on this machine): the median of their ratios (range).
paired() { paste -d' ' <(cut -d' ' -f"$1" "$WORK/times.s3") <(cut -d' ' -f"$1" "$WORK/times.local") | awk '{print $1 / $2}' |
  sort -g | awk '{v[NR] = $1} END {m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3fx (%.2f-%.2f)", m, v[1], v[NR]}'; }
printf 'record of the example, %s epochs x %s images, eps %s; median of %s interleaved records each (range)\n\n' \
  "$epochs" "$train_size" "$eps" "$reps"
echo "| measure | local only | FLOR_CKPT_URL (s3rver) | ratio of medians | median ratio of pairs |"
echo "|---|---|---|---|---|"
printf '| training loop (sum of epoch rows) | %.2f s (%s) | %.2f s (%s) | %s | %s |\n' "$lloop" "$(spread "$WORK/times.local" 1)" \
  "$sloop" "$(spread "$WORK/times.s3" 1)" "$(ratio "$sloop" "$lloop")" "$(paired 1)"
printf '| process (with the end-of-run wait) | %.2f s (%s) | %.2f s (%s) | %s | %s |\n' "$lwall" "$(spread "$WORK/times.local" 2)" \
  "$swall" "$(spread "$WORK/times.s3" 2)" "$(ratio "$swall" "$lwall")" "$(paired 2)"
printf '| CPU of the record process (user + system) | %.2f s (%s) | %.2f s (%s) | %s | %s |\n' \
  "$(median "$WORK/times.local" 5)" "$(spread "$WORK/times.local" 5)" "$(median "$WORK/times.s3" 5)" \
  "$(spread "$WORK/times.s3" 5)" "$(ratio "$(median "$WORK/times.s3" 5)" "$(median "$WORK/times.local" 5)")" "$(paired 5)"
printf '| checkpoints taken per record | %s | %s | | |\n' "$(cut -d' ' -f3 "$WORK/times.local" | xargs)" \
  "$(cut -d' ' -f3 "$WORK/times.s3" | xargs)"
printf '| of them remote at the end | - | %s | | |\n' "$(cut -d' ' -f4 "$WORK/times.s3" | xargs)"
