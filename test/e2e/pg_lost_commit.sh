#!/usr/bin/env bash
# The connection to PostgreSQL breaks during the COMMIT of a batch of logs
# (a proxy between flor and the server, test/common/pg_proxy.py, cuts it at
# the third batch, epoch 2's):
#   after:  the COMMIT reached the server and landed, its reply was lost;
#   before: the COMMIT never reached the server;
#   away:   as after, and the server then seems gone (new connections fail)
#           until epoch 4 starts;
#   silent: the COMMIT never reached the server, whose side of the connection
#           stays open (half-open TCP): the transaction stays in progress.
# flor asks the server whether the batch was stored (at once, or once the
# server is back; a transaction still open after 1 s has its server process
# ended) and stores it once: every epoch holds its 1000 rows, no more, no
# fewer, and the run is complete. Only `away` warns, once.
source "$(dirname "$0")/lib.bash"
source "$FLOR_SOURCE_DIR/test/common/pg.bash"
pg_start
setup_program store_full
cd "$REPO"
cat > "$WORK/hook" <<EOF2
#!/usr/bin/env bash
[ "\$1" = up ] && touch "$WORK/proxy.port.back"
EOF2
chmod +x "$WORK/hook"

for mode in after before away silent; do
  rm -f "$WORK/proxy.port" "$WORK/proxy.port.back"
  python3 "$FLOR_SOURCE_DIR/test/common/pg_proxy.py" "$WORK/proxy.port" "$PG_PORT" "$mode" 3 \
    2> "$WORK/proxy-$mode.err" &
  proxy=$!
  for _ in $(seq 100); do [ -s "$WORK/proxy.port" ] && break; sleep 0.1; done
  [ -s "$WORK/proxy.port" ] || fail "the proxy did not start: $(cat "$WORK/proxy-$mode.err")"
  rc=0
  FLOR_STORE="postgresql://flor@127.0.0.1:$(cat "$WORK/proxy.port")/flor?sslmode=disable" \
    timeout 300 "$FLOR" run "$mode" -- ./build/train --epochs 6 --rows 1000 --bytes 100 \
    --hook "$WORK/hook" --free-at 4 > "$WORK/$mode.out" 2> "$WORK/$mode.err" || rc=$?
  kill "$proxy"
  wait "$proxy" 2>/dev/null || true
  cat "$WORK/$mode.err"
  grep -q "broke the connection at the COMMIT" "$WORK/proxy-$mode.err" ||
    fail "$mode: the proxy broke no connection: $(cat "$WORK/proxy-$mode.err")"
  expect_eq "$rc" 0 "$mode: exit status"
  expect_eq "$(grep -c 'cannot store logs' "$WORK/$mode.err")" "$([ $mode = away ] && echo 1 || echo 0)" \
    "$mode: warnings about the store"
  expect_eq "$(pg_sql "SELECT string_agg(n::text, ' ' ORDER BY epoch) FROM (SELECT l.epoch, count(*) AS n
                       FROM logs l WHERE l.experiment='$mode' GROUP BY l.epoch) c")" \
    "1000 1000 1000 1000 1000 1000" "$mode: log rows per epoch"
  expect_eq "$(pg_sql "SELECT count(*) FROM epochs WHERE experiment='$mode'")" 6 "$mode: epoch rows"
  expect_eq "$(pg_sql "SELECT status||' '||exit_code FROM runs WHERE experiment='$mode'")" "complete 0" \
    "$mode: run status"
done
echo "pg_lost_commit: ok"
