# An S3-compatible server for tests: s3rver (npm registry, installed by
# scripts/setup-deps into ~/.cache/flor/npm) on a free 127.0.0.1 port, its
# objects in $WORK/s3, bucket `ckpts`. Source after test/e2e/lib.bash.
# start_s3 exports AWS_ENDPOINT_URL, AWS_REGION and s3rver's credentials;
# stop_s3 stops it (the first start_s3 also arranges that at exit, before the
# EXIT trap already set, e.g. lib.bash's removal of $WORK); start_s3 again
# starts it on the same port and folder (a server that comes back). pause_s3 /
# resume_s3: SIGSTOP / SIGCONT (a server that hangs: connections accepted,
# nothing answered). Exits 77 (skip) when node is missing.
command -v node >/dev/null || { echo "skip: node is not installed (scripts/setup-deps installs s3rver with npm)"; exit 77; }
S3RVER=${FLOR_NPM_PREFIX:-$HOME/.cache/flor/npm}/node_modules/.bin/s3rver
[ -x "$S3RVER" ] || fail "$S3RVER not installed: run scripts/setup-deps"
need_commands curl python3
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
S3PID=
# shellcheck source=exit_trap.bash
source "$(dirname "${BASH_SOURCE[0]}")/exit_trap.bash"
S3_AT_EXIT=
start_s3() {
  [ -n "$S3_AT_EXIT" ] || { at_exit_first stop_s3; S3_AT_EXIT=1; }
  mkdir -p "$WORK/s3"
  "$S3RVER" -d "$WORK/s3" -a 127.0.0.1 -p "$PORT" --configure-bucket ckpts > "$WORK/s3.log" 2>&1 &
  S3PID=$!
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break
    sleep 0.1
  done
  curl -s -o /dev/null "http://127.0.0.1:$PORT/" || fail "s3rver did not start: $(cat "$WORK/s3.log")"
  export AWS_ENDPOINT_URL=http://127.0.0.1:$PORT AWS_REGION=us-east-1
  export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER  # s3rver's default credentials
}
stop_s3() {
  [ -z "$S3PID" ] || { kill -CONT "$S3PID" 2>/dev/null || true; kill "$S3PID" 2>/dev/null || true; wait "$S3PID" 2>/dev/null || true; S3PID=; }
}
# s3curl ARGS...: curl signed as s3rver's default user (the tests' own look at the server).
s3curl() { curl -s -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' --aws-sigv4 aws:amz:us-east-1:s3 --user S3RVER:S3RVER "$@"; }
pause_s3() { kill -STOP "$S3PID"; }
resume_s3() { kill -CONT "$S3PID"; }
