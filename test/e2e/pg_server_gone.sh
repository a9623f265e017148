#!/usr/bin/env bash
# The PostgreSQL server goes away while a replay writes to it: the replay
# exits non-zero, and says which server went away (without the password), in
# time (no hang).
source "$(dirname "$0")/lib.bash"
source "$FLOR_SOURCE_DIR/test/common/pg.bash"
pg_start
setup_example
cd "$REPO"
epochs=8
export FLOR_STORE=$PG_URL
"$FLOR" run fm --eps 1 -- ./build/train --epochs $epochs "${TRAIN_ARGS[@]}" > "$WORK/record.out" 2>&1 ||
  fail "record: $(cat "$WORK/record.out")"
add_hindsight_logs
# A replay that skips every block writes its 8 epochs in ~0.1 s, faster than
# the poll below can see them: the server itself slows it down, each epoch row
# after a replay's first taking 2 s to insert, so that the replay is still
# writing when the server stops.
pg_sql "CREATE FUNCTION slow_epochs() RETURNS trigger LANGUAGE plpgsql AS \$\$
        BEGIN
          IF EXISTS (SELECT 1 FROM runs WHERE experiment=NEW.experiment AND id=NEW.run AND kind='replay')
             AND EXISTS (SELECT 1 FROM epochs WHERE experiment=NEW.experiment AND run=NEW.run) THEN
            PERFORM pg_sleep(2);
          END IF;
          RETURN NEW;
        END \$\$;
        CREATE TRIGGER slow_epochs BEFORE INSERT ON epochs FOR EACH ROW EXECUTE FUNCTION slow_epochs()" > /dev/null
"$FLOR" replay fm > "$WORK/replay.out" 2>&1 &
replay=$!
# Once the replay has stored its first epoch, the server stops (immediately: connections cut).
for _ in $(seq 600); do
  [ "$(pg_sql "SELECT count(*) FROM epochs e JOIN runs r ON r.experiment=e.experiment AND r.id=e.run
               WHERE r.kind='replay'")" -ge 1 ] && break
  kill -0 $replay 2>/dev/null || break
  sleep 0.1
done
pg_stop
rc=0
timeout 120 tail --pid=$replay -f /dev/null || fail "the replay did not end within 120 s of the server going away"
wait $replay || rc=$?
cat "$WORK/replay.out"
[ "$rc" -ne 0 ] || fail "the replay exited 0 with its server gone"
grep -q "PostgreSQL at '$PG_URL'" "$WORK/replay.out" || fail "the message does not name the server"
grep -q "the run is marked failed" "$WORK/replay.out" && fail "the replay says its run is marked failed, with the server gone"
echo "ok (exit $rc)"
