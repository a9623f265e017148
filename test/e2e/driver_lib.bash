# Shared by the driver_*.sh end-to-end tests; sourced (named .bash so the
# test glob, *.sh, does not run it by itself).
# Provides: $FLOR (the driver), $WORK (a temp folder removed at exit),
# new_repo DIR, user_state DIR (HEAD, index, refs and work tree fingerprint),
# fail MSG, one_line_error CMD... (exit non-zero, exactly one stderr line).
set -euo pipefail
FLOR=${FLOR_BUILD_DIR:?set FLOR_BUILD_DIR}/tools/flor/flor
[ -x "$FLOR" ] || { echo "skip: $FLOR not built"; exit 77; }
WORK=$(mktemp -d /tmp/flor-e2e-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export FLOR_HOME=$WORK/home
export GIT_OPTIONAL_LOCKS=0  # our own `git status` calls must not refresh the index
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t

fail() { echo "FAIL: $*" >&2; exit 1; }

new_repo() {
  mkdir -p "$1" && git -C "$1" init -q -b main
}

# Everything a user could notice: HEAD, index bytes, their refs, every work-tree file.
user_state() {
  local d=$1
  {
    cat "$d/.git/HEAD"
    [ -f "$d/.git/index" ] && sha256sum < "$d/.git/index" || echo "no index"
    git -C "$d" for-each-ref --format='%(refname) %(objectname)' | grep -v 'refs/heads/flor.shadow' || true
    (cd "$d" && find . -path ./.git -prune -o -print0 | sort -z | xargs -0 -r stat -c '%n %s %a %Y')
    (cd "$d" && find . -path ./.git -prune -o -type f -print0 | sort -z | xargs -0 -r sha256sum)
  } 2>&1
}

# Runs a command that must fail with exactly one line on stderr, printed for the log.
one_line_error() {
  local err rc=0
  err=$("$@" 2>&1 >/dev/null) || rc=$?
  [ "$rc" -ne 0 ] || fail "expected failure: $*"
  [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "expected one line from: $* -- got: $err"
  echo "ok (exit $rc): $err"
}
