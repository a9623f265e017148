# at_exit_first CMD: runs CMD when the script exits, before the EXIT trap
# already set (which is kept): a test server is stopped before the folder its
# data lives in is removed. Sourced by pg.bash and s3.bash.
at_exit_first() {
  local prev
  prev=$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//")
  # shellcheck disable=SC2064
  trap "$1; $prev" EXIT
}
