#!/bin/sh
# Measures the SLA scheduler over the cases tests/bench/worklist.sh
# generated: the database time of a pass that finds nothing to do, and the
# time a pass takes to move about 10 000 clocks while the work list is
# being read, with the work list's latency during it.
#   BENCH_SLA_ENV=DIR sh tests/bench/sla.sh   (run.sh runs it after
#                                 worklist.sh, in the same environment)
# Environment: BENCH_SLA_CASES (3400 cases: 3 clocks each breach, 10 200
# clocks), BENCH_SLA_CONNECTIONS (4, wrk on GET /review during the pass).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
. tests/env.sh

n=${BENCH_SLA_CASES:-3400}
conns=${BENCH_SLA_CONNECTIONS:-4}
pgbench=$(command -v pgbench || echo /usr/lib/postgresql/15/bin/pgbench)

sla_fail() {
	echo "bench (SLA scheduler): FAIL: $*" >&2
	exit 1
}
[ -n "${BENCH_SLA_ENV:-}" ] || sla_fail "run it from tests/bench/run.sh"
ENV_DIR=$BENCH_SLA_ENV
work="$ENV_DIR/bench-sla"
mkdir -p "$work"
cookie=$(awk '$1 == "reviewer" { print $4 }' \
    "$ENV_DIR/bench-worklist/staff.txt" 2>/dev/null)
[ -n "$cookie" ] || sla_fail "no reviewer session from worklist.sh"

q() {
	psql -X -q -tA -h "$RECOURSE_PGHOST" -U "$RECOURSE_PGUSER" \
	    -d "$RECOURSE_DBNAME" -v ON_ERROR_STOP=1 -c "$1"
}

open=$(q "SELECT count(*) FROM cases
    WHERE state NOT IN ('closed', 'rejected')")
echo
echo "== SLA scheduler over $(q "SELECT count(*) FROM cases") cases" \
    "($open open)"

# --- 1. A pass with nothing to do --------------------------------------------

# Wait until the scheduler has caught up with the intake benchmark's cases,
# so that the claim below finds nothing, as on a quiet production database.
i=0
while [ "$(q "SELECT count(*) FROM cases WHERE next_check_at <= now()")" \
    -ne 0 ]; do
	i=$((i + 1))
	[ "$i" -gt 600 ] && sla_fail "the scheduler did not catch up in 60 s"
	sleep 0.1
done
echo "SELECT count(*) FROM sla_claim(false, 500);" >"$work/idle.sql"
"$pgbench" -n -M extended -c 1 -T 5 -f "$work/idle.sql" \
    -h "$RECOURSE_PGHOST" -U recourse_review "$RECOURSE_DBNAME" \
    >"$work/idle.txt" 2>&1 || { cat "$work/idle.txt"; sla_fail pgbench; }
idle=$(sed -n 's/^latency average = \([0-9.]*\).*/\1/p' "$work/idle.txt")
echo "a pass that finds nothing (sla_claim as the scheduler calls it," \
    "pgbench -c1 -T5, as recourse_review): $idle ms a pass," \
    "$(sed -n 's/^number of transactions actually processed: //p' \
    "$work/idle.txt") passes; target < 100 ms"
echo "the claim's query, EXPLAIN ANALYZE:"
psql -X -q -tA -h "$RECOURSE_PGHOST" -U "$RECOURSE_PGUSER" \
    -d "$RECOURSE_DBNAME" -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING ON)
    SELECT c.id FROM cases c WHERE c.next_check_at <= now()
    ORDER BY c.next_check_at LIMIT 500 FOR UPDATE SKIP LOCKED" |
    sed 's/^/  /'

# --- 2. A pass that moves about 10 000 clocks --------------------------------

# Open cases that have not been triaged, generated without events: each
# gets the 'received' event intake writes, at its received_at (weeks or
# months ago), so its acknowledge, response and decision clocks are all
# breached when the scheduler first computes them: 3 clocks a case, each a
# breach event, and one escalation a case, all in the scheduler's stores.
q "DROP TABLE IF EXISTS bench_sla" >/dev/null 2>&1
# Cases an earlier run over the same database already took (they have
# events now) are passed over, so that the script can run again.
q "CREATE TABLE bench_sla AS SELECT id FROM cases c
    WHERE state = 'received' AND next_check_at IS NULL
      AND received_at < now() - interval '60 days'
      AND NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id)
    ORDER BY id LIMIT $n" || sla_fail "choosing cases"
got=$(q "SELECT count(*) FROM bench_sla")
[ "$got" -eq "$n" ] || sla_fail "only $got generated cases qualify"
q "INSERT INTO case_events (case_id, at, kind, actor,
    visible_to_complainant, detail)
    SELECT c.id, c.received_at, 'received', 'complainant', true,
        jsonb_build_object('queue', c.queue, 'priority', c.priority)
    FROM cases c JOIN bench_sla b ON b.id = c.id" ||
    sla_fail "writing the received events"
q "CHECKPOINT" >/dev/null

wrk -t2 -c"$conns" -d12s --latency -H "Cookie: $cookie" \
    -s tests/bench/worklist.lua "$RECOURSE_REVIEW_URL/review" \
    >"$work/wrk-during.txt" 2>&1 &
wrk_pid=$!
sleep 2
# The wake-up's own instant: read back afterwards, a case the scheduler
# had already leased would give the lease's end instead.
start=$(q "WITH w AS (UPDATE cases c SET next_check_at = now()
    FROM bench_sla b WHERE b.id = c.id RETURNING c.next_check_at)
    SELECT max(next_check_at) FROM w") || sla_fail "waking the cases"
i=0
while :; do
	# One probe of the primary key per case (of the scheduler's rows,
	# where its store writes, not the view): a join the planner sizes
	# from stale statistics went quadratic as the pass wrote, and took a
	# core from the pass it measures (0.2-0.7 s a poll).
	left=$(q "SELECT count(*) FROM bench_sla b WHERE coalesce((SELECT
	    k.computed_at FROM case_clocks_recomputed k WHERE k.case_id = b.id
	      AND k.clock = 'decision'), '-infinity') < '$start'")
	[ "$left" -eq 0 ] && break
	i=$((i + 1))
	[ "$i" -gt 1200 ] && sla_fail "$left cases still not computed after 60 s"
	sleep 0.05
done
wait "$wrk_pid"
q "SELECT 'a pass over ' || count(DISTINCT k.case_id) || ' cases moved ' ||
    count(*) FILTER (WHERE k.state = 'breached') || ' clocks to breached (' ||
    (SELECT count(*) FROM case_events e JOIN bench_sla b ON b.id = e.case_id
        WHERE e.kind = 'clock_breached') || ' breach events, ' ||
    (SELECT count(*) FROM case_events e JOIN bench_sla b ON b.id = e.case_id
        WHERE e.kind = 'escalated') || ' escalations) in ' ||
    round(extract(epoch FROM max(k.computed_at) - '$start'::timestamptz)
        * 1000) || ' ms (from the wake-up to the last store; target < 5 s)'
    FROM case_clocks k JOIN bench_sla b ON b.id = k.case_id"
f=$work/wrk-during.txt
grep -q '^BENCH_WL requests=' "$f" || { cat "$f"; sla_fail "wrk"; }
echo "GET /review during the pass (wrk -t2 -c$conns -d12s, the pass" \
    "starting 2 s in): $(sed -n 's/^BENCH_WL \(.*\) mean_ms.*/\1/p' "$f")" |
    sed 's/ seconds=[^ ]*//'
[ "$(sed -n 's/.* non200=\([0-9]*\).*/\1/p' "$f")" = 0 ] ||
    sla_fail "requests during the pass did not get 200"
q "DROP TABLE bench_sla" >/dev/null

# --- 3. The database's gauges for GET /metrics --------------------------------

# Each instance's workers compute them at most once per
# RECOURSE_METRICS_CACHE_MS (5 s by default), only when scraped.
echo "SELECT count(*) FROM metrics_review();" >"$work/gauges.sql"
"$pgbench" -n -M extended -c 1 -T 5 -f "$work/gauges.sql" \
    -h "$RECOURSE_PGHOST" -U recourse_review "$RECOURSE_DBNAME" \
    >"$work/gauges.txt" 2>&1 || { cat "$work/gauges.txt"; sla_fail pgbench; }
echo "the /metrics gauges (metrics_review(), pgbench -c1 -T5, as" \
    "recourse_review): $(sed -n 's/^latency average = \([0-9.]*\).*/\1/p' \
    "$work/gauges.txt") ms each"
exit 0
