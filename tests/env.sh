#!/bin/sh
# Starts and stops a throwaway test environment: a PostgreSQL cluster in a
# fresh temporary folder, keys, and Kore on a free port.
#   . tests/env.sh; env_start; ...; env_stop
# env_start exports RECOURSE_URL (public side), RECOURSE_REVIEW_URL (back
# office), RECOURSE_REVIEW_BASE_URL, RECOURSE_VAR (for src/tools/admin.sh),
# RECOURSE_PGHOST, RECOURSE_PGDATA, RECOURSE_DBNAME, RECOURSE_KEYS,
# RECOURSE_KORE_LOG, RECOURSE_REVIEW_LOG and RECOURSE_ADMIN for the tests;
# RECOURSE_PGUSER, the superuser the tests observe and arrange the database
# as; RECOURSE_DB, recourse-admin's conninfo (the owner role); and
# RECOURSE_PUBLIC_DB and RECOURSE_REVIEW_DB, each instance's own (and that of
# any further instance tests/lib/kore.mjs starts); and
# RECOURSE_KORE_ENV (what Kore runs with: the sanitizer runtime, if any).

# Sourced from the top of the checkout (tests/run.sh changes there first).
env_top=$(pwd)

env_free_port() {
	node -e 'const s=require("net").createServer();
	    s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

env_start() {
	build=${RECOURSE_BUILD:-build}
	ENV_DIR=$(mktemp -d /tmp/recourse-test.XXXXXX)
	chmod 755 "$ENV_DIR"
	sh "$env_top/src/tools/pgcluster.sh" init "$ENV_DIR/pg" || return 1
	sh "$env_top/src/tools/pgcluster.sh" start "$ENV_DIR/pg" || return 1
	export RECOURSE_PGUSER=$(sh "$env_top/src/tools/pgcluster.sh" \
	    superuser "$ENV_DIR/pg")
	sh "$env_top/src/tools/migrate.sh" "$ENV_DIR/pg" recourse \
	    "$RECOURSE_PGUSER" >/dev/null || return 1
	"$env_top/$build/recourse-keygen" "$ENV_DIR/keys" >/dev/null || return 1
	port=$(env_free_port)
	sed -e "s|@PORT@|$port|" -e "s|@PIDFILE@|$ENV_DIR/kore.pid|" \
	    -e "s|@MODULE@|$env_top/$build/recourse.so|" \
	    "$env_top/conf/test.conf" >"$ENV_DIR/kore.conf"
	rport=$(env_free_port)
	while [ "$rport" = "$port" ]; do rport=$(env_free_port); done
	sed -e "s|@PORT@|$rport|" -e "s|@PIDFILE@|$ENV_DIR/kore-review.pid|" \
	    -e "s|@MODULE@|$env_top/$build/recourse.so|" \
	    "$env_top/conf/test-review.conf" >"$ENV_DIR/kore-review.conf"

	export RECOURSE_URL="http://127.0.0.1:$port"
	export RECOURSE_REVIEW_URL="http://127.0.0.1:$rport"
	# The back office's address for the links it gives out, recorded as
	# make run records it for make admin (src/tools/admin.sh).
	export RECOURSE_REVIEW_BASE_URL="$RECOURSE_REVIEW_URL"
	printf '%s\n' "$RECOURSE_REVIEW_BASE_URL" >"$ENV_DIR/review-base-url"
	export RECOURSE_VAR="$ENV_DIR"
	export RECOURSE_REVIEW_LOG="$ENV_DIR/kore-review.log"
	export RECOURSE_AUDIT_SEAL_MS=200
	export RECOURSE_ADMIN="$env_top/$build/recourse-admin"
	# The mail tests start their own sender against their own listener.
	export RECOURSE_MAILER="$env_top/$build/recourse-mailer"
	export RECOURSE_REPORTER="$env_top/$build/recourse-reporter"
	export RECOURSE_VERIFY="$env_top/$build/recourse-verify"
	export RECOURSE_PGHOST="$ENV_DIR/pg"
	export RECOURSE_PGDATA="$ENV_DIR/pg/data"
	export RECOURSE_DBNAME=recourse
	export RECOURSE_KEYS="$ENV_DIR/keys"
	export RECOURSE_KORE_LOG="$ENV_DIR/kore.log"
	export RECOURSE_KORE_PIDFILE="$ENV_DIR/kore.pid"
	export RECOURSE_KORE_ENV="${ENV_PRELOAD:-}"
	export RECOURSE_TRACK_LIMIT=10
	export RECOURSE_TEST_FORM_READS=1
	# The tests stand in for nginx: they send X-Real-IP from loopback.
	export RECOURSE_TRUSTED_PROXIES=127.0.0.1
	export RECOURSE_MAINTENANCE_SECONDS=1
	# /metrics reads the database on every scrape (metrics.test.mjs
	# starts an instance of its own to see the cache).
	export RECOURSE_METRICS_CACHE_MS=0
	# The SLA scheduler: a pass every 200 ms, its now movable by the
	# test_clock table (tests only; see sql/0011-sla-clocks.sql).
	# ENV_SLA_TICK_MS=0: a back office without a scheduler (tests/crash
	# start and kill their own).
	export RECOURSE_SLA_TICK_MS=${ENV_SLA_TICK_MS:-200}
	export RECOURSE_TEST_CLOCK=1
	# Retention passes every 200 ms, with the same test clock.
	export RECOURSE_RETENTION_MS=200
	export RECOURSE_ASSETS="$env_top/assets"
	conninfo="host=$ENV_DIR/pg dbname=recourse gssencmode=disable connect_timeout=2 options='-c statement_timeout=5000'"
	export RECOURSE_DB="$conninfo user=recourse_owner"
	export RECOURSE_PUBLIC_DB="$conninfo user=recourse_public"
	export RECOURSE_REVIEW_DB="$conninfo user=recourse_review"
	export RECOURSE_DOCS="$env_top/docs"

	(cd "$ENV_DIR" && exec env ${ENV_PRELOAD:-} \
	    RECOURSE_DB="$RECOURSE_PUBLIC_DB" stdbuf -oL -eL \
	    kore -f -n -r -c "$ENV_DIR/kore.conf" >"$RECOURSE_KORE_LOG" 2>&1) &
	ENV_KORE_PID=$!
	(cd "$ENV_DIR" && exec env ${ENV_PRELOAD:-} RECOURSE_SURFACE=review \
	    RECOURSE_DB="$RECOURSE_REVIEW_DB" \
	    stdbuf -oL -eL kore -f -n -r -c "$ENV_DIR/kore-review.conf" \
	    >"$RECOURSE_REVIEW_LOG" 2>&1) &
	ENV_REVIEW_PID=$!
	env_wait_up "$RECOURSE_URL" $ENV_KORE_PID "$RECOURSE_KORE_LOG" &&
	    env_wait_up "$RECOURSE_REVIEW_URL" $ENV_REVIEW_PID \
	    "$RECOURSE_REVIEW_LOG"
}

# env_wait_up URL PID LOG: until /healthz answers, or the process died.
env_wait_up() {
	i=0
	until curl -fs "$1/healthz" >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$2" 2>/dev/null; then
			echo "env: kore did not start:" >&2
			cat "$3" >&2
			return 1
		fi
		sleep 0.1
	done
}

# env_kill PID: stops a Kore; a worker that hangs on the way out (seen only
# with the sanitizer runtime preloaded) must not hang the test run.
env_kill() {
	[ -n "$1" ] && kill "$1" 2>/dev/null || return 0
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	if kill -0 "$1" 2>/dev/null; then
		echo "env: kore did not stop in 10 s; killing it" >&2
		pkill -KILL -P "$1" 2>/dev/null
		kill -KILL "$1" 2>/dev/null
	fi
	wait "$1" 2>/dev/null
}

env_stop() {
	env_kill "${ENV_KORE_PID:-}"
	env_kill "${ENV_REVIEW_PID:-}"
	[ -n "${ENV_DIR:-}" ] || return 0
	sh "$env_top/src/tools/pgcluster.sh" stop "$ENV_DIR/pg"
	[ -n "${RECOURSE_KEEP:-}" ] || rm -rf "$ENV_DIR"
}
